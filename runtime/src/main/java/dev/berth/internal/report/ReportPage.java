package dev.berth.internal.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The report's HTML page: a template in this package's resources with the report's JSON put in its script. One
 * file that loads nothing, so it opens the same from a build's artifacts as from disk, offline; the drawing is the
 * page's own script, so it can be worked on as a web page.
 */
public final class ReportPage {

  static final String TEMPLATE = "report.html";
  /** Where the data goes: valid script as it stands, so that the bare template opens as an empty report. */
  static final String PLACEHOLDER = "/*BERTH-REPORT-DATA*/null";
  static final String DATA_START = "/*BERTH-REPORT-DATA*/";
  static final String DATA_END = "/*END-BERTH-REPORT-DATA*/";

  private static volatile String template;

  private ReportPage() {
  }

  /** The page that shows {@code json}, a report document. */
  public static String html(String json) {
    String page = template;
    if (page == null) {
      page = load(TEMPLATE);
      template = page;
    }
    return fill(page, json);
  }

  static String load(String resource) {
    try (InputStream in = ReportPage.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("The report page's template " + resource + " is missing: it belongs beside "
            + ReportPage.class.getName() + " in Berth's runtime jar");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!text.contains(PLACEHOLDER)) {
        throw new IllegalStateException("The report page's template " + resource + " lacks the placeholder "
            + PLACEHOLDER + " for the report's data");
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the report page's template " + resource, e);
    }
  }

  /** The template with {@code json} in place of its placeholder, between markers that find it again. */
  static String fill(String template, String json) {
    int at = template.indexOf(PLACEHOLDER);
    if (at < 0) {
      throw new IllegalStateException("The report page's template lacks the placeholder " + PLACEHOLDER);
    }
    return template.substring(0, at) + DATA_START + scriptSafe(json) + DATA_END
        + template.substring(at + PLACEHOLDER.length());
  }

  /**
   * JSON that cannot end its script element early: a {@code <} only occurs in JSON's strings, where its escape means
   * the same, and so no {@code </script>} or {@code <!--} is left to the HTML parser. The line and paragraph
   * separators are escaped for JavaScript engines that predate JSON's being a subset of it.
   */
  static String scriptSafe(String json) {
    var safe = new StringBuilder(json.length() + 64);
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      switch (c) {
        case '<' -> safe.append("\\u003c");
        case '\u2028' -> safe.append("\\u2028");
        case '\u2029' -> safe.append("\\u2029");
        default -> safe.append(c);
      }
    }
    return safe.toString();
  }
}
