package dev.berth.internal.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The report's page: it carries the report's data intact and harmless, and loads nothing. */
class ReportPageTest {

  private static final Path SAMPLE = Path.of("src/test/resources/report/sample.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Pattern EXTERNAL_REFERENCE =
      Pattern.compile("(?i)\\b(src|href|action|poster|data)\\s*=\\s*[\"']?\\s*([a-z][a-z0-9+.-]*:|//)");

  @Test
  void pageCarriesTheReportIntact() throws IOException {
    String json = Files.readString(SAMPLE);

    String page = ReportPage.html(json);

    assertThat(page).startsWith("<!DOCTYPE html>").doesNotContain(ReportPage.PLACEHOLDER);
    assertThat(JSON.readTree(dataOf(page))).isEqualTo(JSON.readTree(json));
  }

  @Test
  void dataCannotEndTheScriptOrOpenAComment() throws IOException {
    String json = "{\"log\":[\"</script><script>alert(1)</script>\",\"<!-- <script>\",\"a\u2028b\u2029c\"]}";

    String page = ReportPage.html(json);

    assertThat(page).doesNotContain("<script>alert", "<!-- <script>", "\u2028", "\u2029");
    assertThat(count(page, "</script>")).isEqualTo(count(ReportPage.load(ReportPage.TEMPLATE), "</script>"));
    assertThat(dataOf(page)).contains("\\u003c/script>", "\\u2028");
    assertThat(JSON.readTree(dataOf(page))).isEqualTo(JSON.readTree(json));
  }

  @Test
  void pageLoadsNothing() throws IOException {
    String page = ReportPage.html(Files.readString(SAMPLE));

    assertThat(EXTERNAL_REFERENCE.matcher(page).results().map(reference -> reference.group()).toList())
        .as("src and href that name a scheme or a host").isEmpty();
    assertThat(page).doesNotContainIgnoringCase("<link").doesNotContainIgnoringCase("@import")
        .doesNotContain("url(").doesNotContain("http://").doesNotContain("https://")
        .contains("default-src 'none'");
  }

  @Test
  void templateWithoutItsPlaceholderIsRefusedClearly() {
    assertThat(count(ReportPage.load(ReportPage.TEMPLATE), ReportPage.PLACEHOLDER)).isEqualTo(1);
    assertThatThrownBy(() -> ReportPage.load("no-such-template.html")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no-such-template.html is missing");
    assertThatThrownBy(() -> ReportPage.fill("<html></html>", "{}")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lacks the placeholder " + ReportPage.PLACEHOLDER);
  }

  private static String dataOf(String page) {
    int start = page.indexOf(ReportPage.DATA_START);
    int end = page.indexOf(ReportPage.DATA_END);
    assertThat(start).as("the data's start marker").isNotNegative();
    assertThat(end).as("the data's end marker").isGreaterThan(start);
    return page.substring(start + ReportPage.DATA_START.length(), end);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      n++;
    }
    return n;
  }
}
