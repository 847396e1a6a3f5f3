package dev.berth.internal.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading the report's page as a browser drew it: its DOM, as Chromium dumps it, and its screenshot's colours. */
final class RenderedPage {

  static final Path TEMPLATE = Path.of("src/main/resources/dev/berth/internal/report/report.html");
  private static final Pattern OPENING_TAG = Pattern.compile("<([a-z0-9]+)\\b[^>]*>");
  private static final Pattern TICK = Pattern.compile("<div class=\"tick\"[^>]*>([^<]*)</div>");
  private static final Pattern RENDER_ERROR = Pattern.compile("<p class=\"render-error\">([^<]*)</p>");
  private static final Pattern LOG_TAIL = Pattern.compile("<pre class=\"log-tail\">([^<]*)</pre>");

  private RenderedPage() {
  }

  /** The time axis's tick labels. */
  static List<String> ticks(String dom) {
    return TICK.matcher(dom).results().map(tick -> tick.group(1)).toList();
  }

  /** The page's own error messages: what its script met and could not draw. */
  static List<String> renderErrors(String dom) {
    return RENDER_ERROR.matcher(dom).results().map(error -> error.group(1)).toList();
  }

  /** The failed services' log tails, as the DOM holds them (escaped). */
  static List<String> logTails(String dom) {
    return LOG_TAIL.matcher(dom).results().map(tail -> tail.group(1)).toList();
  }

  static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      n++;
    }
    return n;
  }

  /** Opening tags of the elements with the class, in document order. */
  static List<String> tagsWithClass(String dom, String className) {
    var tags = new ArrayList<String>();
    Matcher tag = OPENING_TAG.matcher(dom);
    while (tag.find()) {
      if (hasClass(tag.group(), className)) {
        tags.add(tag.group());
      }
    }
    return tags;
  }

  static boolean hasClass(String tag, String className) {
    return Arrays.asList(attribute(tag, "class").split("\\s+")).contains(className);
  }

  static String attribute(String tag, String name) {
    Matcher value = Pattern.compile("\\s" + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(tag);
    return value.find() ? value.group(1) : "";
  }

  /** A colour the template defines as a CSS variable, as RGB. */
  static int cssColour(String variable) throws IOException {
    Matcher colour = Pattern.compile(Pattern.quote(variable) + ":\\s*#([0-9a-fA-F]{6});").matcher(
        Files.readString(TEMPLATE));
    assertThat(colour.find()).as("%s in the template", variable).isTrue();
    return Integer.parseInt(colour.group(1), 16);
  }

  static long pixelsOf(BufferedImage image, int rgb) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }
}
