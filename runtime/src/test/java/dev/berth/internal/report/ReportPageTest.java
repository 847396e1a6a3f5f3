package dev.berth.internal.report;

import static dev.berth.internal.report.RenderedPage.attribute;
import static dev.berth.internal.report.RenderedPage.count;
import static dev.berth.internal.report.RenderedPage.cssColour;
import static dev.berth.internal.report.RenderedPage.hasClass;
import static dev.berth.internal.report.RenderedPage.logTails;
import static dev.berth.internal.report.RenderedPage.pixelsOf;
import static dev.berth.internal.report.RenderedPage.renderErrors;
import static dev.berth.internal.report.RenderedPage.tagsWithClass;
import static dev.berth.internal.report.RenderedPage.ticks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The report's page: it carries the report's data intact and harmless, loads nothing, and, drawn by a real browser,
 * shows the run's services, time axis, test classes and failures.
 */
class ReportPageTest {

  private static final Path SAMPLE = Path.of("src/test/resources/report/sample.json");
  /** Kept after the build, to look at. */
  private static final Path CHECK_DIR = Path.of("target/berth-report-check");
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

  /** What a person sees: the rows, the axis and the failures in the DOM, and a timeline drawn in the screenshot. */
  @Test
  void browserDrawsTheSample() throws IOException {
    var chromium = Chromium.find();
    Files.createDirectories(CHECK_DIR);
    Path html = CHECK_DIR.resolve("report.html");
    Files.writeString(html, ReportPage.html(Files.readString(SAMPLE)), StandardCharsets.UTF_8);

    String dom = chromium.dumpDom(html);

    assertThat(renderErrors(dom)).as("the page's own error message")
        .isEmpty();
    assertThat(tagsWithClass(dom, "service-row")).extracting(tag -> attribute(tag, "data-service"))
        .containsExactly("redis", "postgres", "broken");
    assertThat(tagsWithClass(dom, "service-row")).filteredOn(tag -> hasClass(tag, "failed"))
        .extracting(tag -> attribute(tag, "data-service")).containsExactly("broken");
    assertThat(tagsWithClass(dom, "span").stream().filter(tag -> !hasClass(tag, "swatch")))
        .as("a bar per span").hasSize(17).allMatch(tag -> attribute(tag, "title").matches("\\w+ [\\d.]+ m?s.*"));
    assertThat(tagsWithClass(dom, "axis")).hasSize(1);
    assertThat(ticks(dom))
        .as("ticks of a 32.1 s run").containsExactly("0 s", "5 s", "10 s", "15 s", "20 s", "25 s", "30 s");
    assertThat(tagsWithClass(dom, "class-row")).extracting(tag -> attribute(tag, "data-class"))
        .containsExactly("com.example.shop.CatalogTest", "com.example.shop.OrderServiceTest",
            "com.example.shop.PricingTest");
    List<String> tests = tagsWithClass(dom, "test").stream().filter(tag -> !hasClass(tag, "swatch")).toList();
    assertThat(tests).hasSize(12);
    assertThat(tests).filteredOn(tag -> hasClass(tag, "outcome-failed")).singleElement()
        .satisfies(tag -> assertThat(attribute(tag, "title")).startsWith("quotesLegacyRates() 5.6 s (failed)"));
    assertThat(tagsWithClass(dom, "failures")).hasSize(1);
    assertThat(tagsWithClass(dom, "failed-service")).hasSize(1);
    assertThat(tagsWithClass(dom, "failed-test")).hasSize(1);
    assertThat(tagsWithClass(dom, "test-log")).as("the failed test's services' last lines").hasSize(1);
    assertThat(dom).contains("Last lines of redis when it failed", "Ready to accept connections tcp");
    assertThat(logTails(dom)).singleElement()
        .asString().contains("WARN fallback page body: &lt;script&gt;alert(1)&lt;/script&gt;");
    assertThat(count(dom, "<script")).as("script elements, none of them the data's")
        .isEqualTo(count(Files.readString(RenderedPage.TEMPLATE), "<script"));

    Path png = CHECK_DIR.resolve("report.png");
    chromium.screenshot(html, png, 1400, 900);
    BufferedImage shot = ImageIO.read(png.toFile());

    assertThat(shot.getWidth()).isEqualTo(1400);
    assertThat(shot.getHeight()).isEqualTo(900);
    // The ready bars are redis's 20 s and postgres's 2 s of the run's 32 s, 18 px high: some 13,000 pixels.
    assertThat(pixelsOf(shot, cssColour("--phase-ready"))).as("pixels of ready bars").isGreaterThan(8000);
    assertThat(pixelsOf(shot, cssColour("--phase-image"))).as("pixels of image bars").isGreaterThan(1000);
    assertThat(pixelsOf(shot, cssColour("--phase-readiness"))).as("pixels of readiness bars").isGreaterThan(1500);
  }

  /** Data from a recorder with bugs, or from a later version: the page draws what it can and keeps to the run. */
  @Test
  void browserDrawsTimesOutOfOrderAndMissingFields() throws IOException {
    String json = """
        {"runs": [
          {"run": "messy", "start": 1000, "end": 11000,
           "services": [
             {"name": "odd", "outcome": 7, "spans": [
               {"phase": "readiness", "from": 5000, "to": 3000}, {"phase": "ready", "from": -5000, "to": 999999},
               {"phase": "grace", "from": 9000}, {"phase": "image"}, {"phase": "new-phase", "from": 2000, "to": 2500}],
              "marks": [{"kind": "died"}, {"at": 20000, "kind": "died", "detail": "exit 137"}]},
             {"spans": "not a list", "failure": {"logTail": null}}],
           "classes": [{"name": "NoTimes", "tests": [
             {"name": "backwards()", "start": 2000, "end": 1500, "waited": "long"}, {"name": "never()"}]}]},
          {"run": "empty"}]}
        """;
    Files.createDirectories(CHECK_DIR);
    Path html = CHECK_DIR.resolve("messy.html");
    Files.writeString(html, ReportPage.html(json), StandardCharsets.UTF_8);

    String dom = Chromium.find().dumpDom(html);

    assertThat(renderErrors(dom)).as("the page's own error message")
        .isEmpty();
    assertThat(tagsWithClass(dom, "run")).extracting(tag -> attribute(tag, "data-run"))
        .containsExactly("messy", "empty");
    assertThat(dom).contains("No services started in this run", "No test classes ran");
    List<String> spans = tagsWithClass(dom, "span").stream().filter(tag -> !hasClass(tag, "swatch")).toList();
    assertThat(spans).as("spans with a start").hasSize(4).allSatisfy(ReportPageTest::assertWithinTheRun);
    assertThat(spans.get(0)).contains("title=\"readiness 0 ms\"");
    assertThat(spans.get(1)).contains("left: 0%", "title=\"ready 10.0 s\"");
    assertThat(tagsWithClass(dom, "mark")).filteredOn(tag -> attribute(tag, "title").startsWith("died at 10 s"))
        .singleElement().satisfies(tag -> assertThat(attribute(tag, "style")).contains("left: 100%"));
    assertThat(tagsWithClass(dom, "test").stream().filter(tag -> !hasClass(tag, "swatch")).toList()).singleElement()
        .satisfies(tag -> assertThat(attribute(tag, "title")).startsWith("backwards() 0 ms (unknown)"));
    assertThat(tagsWithClass(dom, "failed-service")).hasSize(1);
  }

  private static void assertWithinTheRun(String tag) {
    Matcher place = Pattern.compile("left: ([\\d.e-]+)%; width: max\\(2px, ([\\d.e-]+)%\\)")
        .matcher(attribute(tag, "style"));
    assertThat(place.find()).as("the place of %s", tag).isTrue();
    double left = Double.parseDouble(place.group(1));
    double width = Double.parseDouble(place.group(2));
    assertThat(left).as("left of %s", tag).isBetween(0.0, 100.0);
    assertThat(width).as("width of %s", tag).isBetween(0.0, 100.0 - left + 1e-9);
  }

  private static String dataOf(String page) {
    int start = page.indexOf(ReportPage.DATA_START);
    int end = page.indexOf(ReportPage.DATA_END);
    assertThat(start).as("the data's start marker").isNotNegative();
    assertThat(end).as("the data's end marker").isGreaterThan(start);
    return page.substring(start + ReportPage.DATA_START.length(), end);
  }
}
