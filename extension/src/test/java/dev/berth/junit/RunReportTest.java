package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The run report of a run with three services: one shared by two classes, one of a single class, one that fails to
 * start. Read as data ({@code report.json}), then as a person sees it ({@code report.html} in a real browser).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunReportTest {

  /** Kept after the build, with the browser's screenshot of the page: the report a reader of CI can open. */
  private static final Path REPORT = Path.of("target", "berth-report-check");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonNode run;
  private static Map<String, JsonNode> services;

  @BeforeAll
  static void runTwoClasses() throws IOException {
    deleteTree(REPORT);
    var kit = new KitRun().with("berth.report", REPORT.toString()).run(Orders.class, Billing.class);
    kit.tests().assertStatistics(s -> s.succeeded(4).failed(1));
    JsonNode report = JSON.readTree(REPORT.resolve("report.json").toFile());
    assertThat(report.path("runs")).as("runs of the report").hasSize(1);
    run = report.path("runs").get(0);
    services = new LinkedHashMap<>();
    run.path("services").forEach(service -> services.put(service.path("name").asText(), service));
  }

  @Test
  @Order(1)
  void eachServiceHasARowWithItsPhasesInOrder() {
    assertThat(services).containsOnlyKeys("shared", "solo", "broken");
    long start = run.path("start").asLong();
    long end = run.path("end").asLong();
    assertThat(end).isGreaterThan(start);
    for (JsonNode service : services.values()) {
      long previous = start;
      for (JsonNode span : service.path("spans")) {
        String what = service.path("name").asText() + "'s " + span.path("phase").asText();
        assertThat(span.path("from").asLong()).as(what + " begins after what came before").isGreaterThanOrEqualTo(
            previous);
        assertThat(span.path("to").asLong()).as(what + " ends after it begins")
            .isGreaterThanOrEqualTo(span.path("from").asLong());
        previous = span.path("to").asLong();
      }
      assertThat(previous).as(service.path("name").asText() + " ends within the run").isLessThanOrEqualTo(end);
    }
    assertThat(phases("solo")).startsWith("waiting", "image", "create", "readiness", "ready").endsWith("stopping");
    assertThat(services.get("solo").path("outcome").asText()).isEqualTo("stopped");
    assertThat(text(services.get("solo").path("marks"), "detail")).contains("port 8080 accepted a connection");
  }

  @Test
  @Order(2)
  void theSharedServiceWaitsOutItsGraceForTheSecondClass() {
    JsonNode shared = services.get("shared");
    assertThat(text(shared.path("users"), null)).containsExactlyInAnyOrder("RunReportTest.Orders",
        "RunReportTest.Billing");
    // Started once: the second class takes it in its grace period, which ends as the class comes.
    assertThat(phases("shared")).containsSubsequence("waiting", "image", "create", "readiness", "ready", "grace",
        "ready").endsWith("stopping").containsOnlyOnce("create");
    assertThat(text(shared.path("marks"), "detail")).contains("port 6379 answered as a REDIS server");
  }

  @Test
  @Order(3)
  void theFailedStartHasItsMessageAndLogTail() {
    JsonNode broken = services.get("broken");
    assertThat(broken.path("outcome").asText()).isEqualTo("failed");
    assertThat(broken.path("failure").path("message").asText()).contains("Service 'broken'", "did not start",
        "exited with code 3");
    assertThat(text(broken.path("failure").path("logTail"), null)).contains("config missing: /etc/app.conf");
    assertThat(phases("broken")).startsWith("waiting", "image", "create", "readiness").doesNotContain("ready");
  }

  @Test
  @Order(4)
  void theTestClassesStandBesideWithTheirTestsAndWaits() {
    var classes = new LinkedHashMap<String, JsonNode>();
    run.path("classes").forEach(c -> classes.put(c.path("display").asText(), c));
    assertThat(classes).containsOnlyKeys("RunReportTest.Orders", "RunReportTest.Billing");
    assertThat(classes.get("RunReportTest.Orders").path("outcome").asText()).isEqualTo("successful");
    assertThat(classes.get("RunReportTest.Billing").path("outcome").asText()).isEqualTo("failed");
    for (JsonNode testClass : classes.values()) {
      for (JsonNode test : testClass.path("tests")) {
        assertThat(test.path("start").asLong()).isBetween(testClass.path("start").asLong(),
            test.path("end").asLong());
        assertThat(test.path("end").asLong()).isLessThanOrEqualTo(testClass.path("end").asLong());
      }
    }
    // A parameterized test's invocations, each named after its method (the rest is JUnit's display name).
    assertThat(text(classes.get("RunReportTest.Orders").path("tests"), "name")).as("tests of Orders")
        .anyMatch(name -> name.startsWith("ordersSeveral(int, InetSocketAddress) [1] "))
        .anyMatch(name -> name.startsWith("ordersSeveral(int, InetSocketAddress) [2] "));
    JsonNode placesOrder = test(classes.get("RunReportTest.Orders"), "placesAnOrder");
    assertThat(text(placesOrder.path("services"), null)).containsExactlyInAnyOrder("shared", "solo");
    assertThat(placesOrder.path("waited").asLong()).as("the first test waits for its services to start")
        .isPositive();
    JsonNode billsBroken = test(classes.get("RunReportTest.Billing"), "billsThroughTheBrokenService");
    assertThat(billsBroken.path("outcome").asText()).isEqualTo("failed");
    assertThat(billsBroken.path("failure").asText()).contains("broken");
    assertThat(text(billsBroken.path("logTails").path("shared"), null))
        .as("what the class's running services said when the test failed")
        .anyMatch(line -> line.contains("Ready to accept connections"));
  }

  private static List<String> phases(String service) {
    return text(services.get(service).path("spans"), "phase");
  }

  private static JsonNode test(JsonNode testClass, String name) {
    for (JsonNode test : testClass.path("tests")) {
      if (test.path("name").asText().startsWith(name)) {
        return test;
      }
    }
    throw new AssertionError("no test " + name + " in " + testClass);
  }

  /** The texts of an array's elements, or of one field of each. */
  private static List<String> text(JsonNode array, String field) {
    var texts = new ArrayList<String>();
    array.forEach(each -> texts.add((field == null ? each : each.path(field)).asText()));
    return texts;
  }

  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  @ServiceTest
  static class Orders {
    @ServiceContainer
    static final ServiceSpec shared = Fixtures.REDIS;
    @ServiceContainer
    static final ServiceSpec solo = Fixtures.httpServer("solo");

    @Test
    void placesAnOrder(@ServiceEndpoint("shared") InetSocketAddress shared,
        @ServiceEndpoint("solo") InetSocketAddress solo) {
      assertThat(Fixtures.ping(shared)).isEqualTo("+PONG");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void ordersSeveral(int count, @ServiceEndpoint("shared") InetSocketAddress shared) {
      assertThat(Fixtures.ping(shared)).isEqualTo("+PONG");
    }
  }

  @ServiceTest
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class Billing {
    @ServiceContainer
    static final ServiceSpec shared = Fixtures.REDIS;
    /** Says what it lacks (and a line a page must show as text, not run), then exits. */
    @ServiceContainer
    static final ServiceSpec broken = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "echo 'starting <script>document.title=1</script>'; sleep 1;"
            + " echo 'config missing: /etc/app.conf' >&2; exit 3");

    @Test
    @Order(1)
    void billsThroughTheSharedService(@ServiceEndpoint("shared") InetSocketAddress shared) {
      assertThat(Fixtures.ping(shared)).isEqualTo("+PONG");
    }

    @Test
    @Order(2)
    void billsThroughTheBrokenService(@ServiceEndpoint("broken") InetSocketAddress broken) {
    }
  }
}
