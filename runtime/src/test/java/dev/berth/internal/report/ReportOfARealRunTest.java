package dev.berth.internal.report;

import static dev.berth.internal.report.RenderedPage.attribute;
import static dev.berth.internal.report.RenderedPage.cssColour;
import static dev.berth.internal.report.RenderedPage.hasClass;
import static dev.berth.internal.report.RenderedPage.logTails;
import static dev.berth.internal.report.RenderedPage.pixelsOf;
import static dev.berth.internal.report.RenderedPage.renderErrors;
import static dev.berth.internal.report.RenderedPage.tagsWithClass;
import static dev.berth.internal.report.RenderedPage.ticks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.ServiceSpec;
import dev.berth.ServiceStartException;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.run.ServiceScope;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The report of a real run, drawn by a real browser: three services of the engine, one shared by two owners (within
 * its grace period), one of one owner, one that fails to start saying why in its log; the two owners' classes as the
 * extension notes them. The page and its screenshot stay in {@code target/berth-report-check} as the build's
 * artifact. Slow (about 9 s, three starts and two browser runs): with the slow tests, out of {@code mvn verify}.
 */
@Tag("slow")
class ReportOfARealRunTest {

  private static final Path REPORT = Path.of("target", "berth-report-check", "real-run");
  private static final ServiceSpec SHARED = ServiceSpec.from("redis:7.0").withExposedPort(6379);
  private static final ServiceSpec SOLO = ServiceSpec.from("busybox:1.35").withCommand("httpd", "-f", "-p", "8080")
      .withExposedPort(8080);
  /** Says what it lacks (and a line a page must show as text, not run), then exits. */
  private static final ServiceSpec BROKEN = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
      .withCommand("sh", "-c", "echo 'starting <script>document.title=1</script>'; sleep 1;"
          + " echo 'config missing: /etc/app.conf' >&2; exit 3");

  @Test
  void theBrowserShowsEachServiceTheAxisTheClassesAndTheFailure() throws Exception {
    deleteTree(REPORT);
    var config = BerthConfig.from(key -> Optional.ofNullable(Map.of("berth.report", REPORT.toString(),
        "berth.gracePeriod", "5s").get(key)));
    try (ServiceRuntime runtime = ServiceRuntime.start(config)) {
      long ordersBegan = RunTimeline.now();
      try (ServiceScope orders = runtime.newScope("OrdersTest")) {
        orders.acquireAll(Map.of("shared", SHARED, "solo", SOLO));
      }
      long billingBegan = RunTimeline.now();
      try (ServiceScope billing = runtime.newScope("BillingTest")) {
        billing.acquireAll(Map.of("shared", SHARED));
        assertThatThrownBy(() -> billing.acquireAll(Map.of("broken", BROKEN)))
            .isInstanceOf(ServiceStartException.class);
      }
      long billingEnded = RunTimeline.now();
      runtime.timeline().classRan(new RunTimeline.ClassRan("com.example.OrdersTest", "OrdersTest", ordersBegan,
          billingBegan, "successful", List.of(new RunTimeline.TestRan("placesAnOrder()", ordersBegan, billingBegan,
          "successful", billingBegan - ordersBegan, List.of("shared", "solo"), null))));
      runtime.timeline().classRan(new RunTimeline.ClassRan("com.example.BillingTest", "BillingTest", billingBegan,
          billingEnded, "failed", List.of(new RunTimeline.TestRan("bills()", billingBegan, billingEnded, "failed",
          billingEnded - billingBegan, List.of("shared", "broken"), "Service 'broken' did not start"))));
    }
    JsonNode run = new ObjectMapper().readTree(REPORT.resolve("report.json").toFile()).path("runs").get(0);
    assertThat(run.path("services")).hasSize(3);

    Chromium chromium = Chromium.find();
    Path html = REPORT.resolve("report.html");
    String dom = chromium.dumpDom(html);

    assertThat(renderErrors(dom)).as("the page's own error messages").isEmpty();
    assertThat(tagsWithClass(dom, "service-row")).extracting(tag -> attribute(tag, "data-service"))
        .containsExactlyInAnyOrder("shared", "solo", "broken");
    assertThat(tagsWithClass(dom, "service-row")).filteredOn(tag -> hasClass(tag, "failed"))
        .extracting(tag -> attribute(tag, "data-service")).containsExactly("broken");
    assertThat(ticks(dom)).as("the time axis").hasSizeGreaterThanOrEqualTo(3).startsWith("0 s");
    assertThat(tagsWithClass(dom, "class-row")).extracting(tag -> attribute(tag, "data-class"))
        .containsExactly("com.example.OrdersTest", "com.example.BillingTest");
    assertThat(logTails(dom)).singleElement().asString()
        .contains("starting &lt;script&gt;document.title=1&lt;/script&gt;", "config missing: /etc/app.conf");

    Path png = REPORT.resolve("report.png");
    chromium.screenshot(html, png, 1400, 900);
    BufferedImage shot = ImageIO.read(png.toFile());
    assertThat(pixelsOf(shot, cssColour("--phase-ready"))).as("pixels of ready bars").isGreaterThan(1000);
    assertThat(pixelsOf(shot, cssColour("--phase-readiness"))).as("pixels of readiness bars").isGreaterThan(100);
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }
}
