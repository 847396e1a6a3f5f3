package dev.berth.internal.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's record as the report has it: phases in order, how services end, and runs of one build together. */
class RunTimelineTest {

  private final RunTimeline timeline = new RunTimeline();

  @Test
  void phasesFollowOneAnotherAndTheSamePhaseAgainOnlySaysMore() {
    timeline.service("d1", "redis", "redis:7.0", "berth-d1");
    timeline.enter("d1", Phase.WAITING, "");
    timeline.enter("d1", Phase.IMAGE, "");
    timeline.describe("d1", Phase.IMAGE, "pulled redis:7.0");
    timeline.describe("d1", Phase.CREATE, "not the open phase: ignored");
    timeline.enter("d1", Phase.READY, "");
    timeline.enter("d1", Phase.READY, "in use");
    timeline.endOfRun();

    JsonNode service = json().path("services").get(0);
    assertThat(texts(service.path("spans"), "phase")).containsExactly("waiting", "image", "ready");
    assertThat(texts(service.path("spans"), "detail")).containsExactly("", "pulled redis:7.0", "in use");
    assertThat(service.path("outcome").asText()).isEqualTo("stopped");
  }

  @Test
  void aFailureOrDeathIsHowTheServiceEndedEvenWhenTheRunEndsLater() {
    timeline.service("f", "broken", "busybox:1.35", "berth-f");
    timeline.enter("f", Phase.READINESS, "");
    timeline.fail("f", "Service 'broken' did not start: exited\n  more", List.of("config missing"));
    timeline.service("x", "flaky", "busybox:1.35", "berth-x");
    timeline.enter("x", Phase.READY, "");
    timeline.mark("x", "died", "exited with code 1");
    timeline.end("x", "died");
    timeline.end("f", "stopped");
    timeline.endOfRun();

    JsonNode run = json();
    JsonNode broken = run.path("services").get(0);
    assertThat(broken.path("outcome").asText()).isEqualTo("failed");
    assertThat(broken.path("failure").path("logTail").get(0).asText()).isEqualTo("config missing");
    assertThat(texts(broken.path("marks"), "detail")).containsExactly("Service 'broken' did not start: exited");
    assertThat(run.path("services").get(1).path("outcome").asText()).isEqualTo("died");
  }

  @Test
  void aServiceStartedAgainAfterItDiedGoesOnInItsRow() {
    timeline.service("d", "flaky", "busybox:1.35", "berth-d");
    timeline.enter("d", Phase.READY, "");
    timeline.mark("d", "died", "exited with code 137");
    timeline.end("d", "died");
    timeline.service("d", "flaky", "busybox:1.35", "berth-d");
    timeline.enter("d", Phase.WAITING, "");
    timeline.enter("d", Phase.READY, "");
    timeline.endOfRun();

    JsonNode service = json().path("services").get(0);
    assertThat(json().path("services")).hasSize(1);
    assertThat(texts(service.path("spans"), "phase")).containsExactly("ready", "waiting", "ready");
    assertThat(texts(service.path("marks"), "kind")).containsExactly("died");
    assertThat(service.path("outcome").asText()).isEqualTo("stopped");
  }

  @Test
  void stepsForAServiceNeverNamedAreDropped() {
    timeline.enter("unknown", Phase.READY, "");
    timeline.used("unknown", "SomeTest");
    timeline.fail("unknown", "failed", List.of());

    assertThat(json().path("services")).isEmpty();
  }

  @Test
  void aBuildsRunsShareOneReportAndOtherBuildsRunsGo(@TempDir Path dir) throws Exception {
    long later = RunTimeline.now() + 10_000;
    writeRunFile(dir, "other", "build-2", 1, later);
    writeRunFile(dir, "fork1", "build-1", 1, later);
    writeRunFile(dir, "earlier-here", "build-1", ProcessHandle.current().pid(), later);
    writeRunFile(dir, "re-run-before", "build-1", 2, RunTimeline.now());
    // Its file older than this run: written at its end, however late its content says that was.
    writeRunFile(dir, "file-before", "build-1", 3, later);
    Files.setLastModifiedTime(dir.resolve("runs/file-before.json"), FileTime.fromMillis(RunTimeline.now() - 1000));
    Thread.sleep(5);
    var fork2 = new RunTimeline();
    fork2.service("d1", "redis", "redis:7.0", "berth-d1");
    fork2.enter("d1", Phase.READY, "");

    RunReport.Written written = RunReport.write(dir, fork2, "fork2", "s", "build-1");

    JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertThat(report.path("build").asText()).isEqualTo("build-1");
    assertThat(texts(report.path("runs"), "run")).containsExactly("fork1", "fork2");
    assertThat(written.runs()).isEqualTo(2);
    assertThat(written.services()).isEqualTo(1);
    try (var files = Files.list(dir.resolve("runs"))) {
      assertThat(files.map(file -> file.getFileName().toString())).containsExactlyInAnyOrder("fork1.json",
          "fork2.json");
    }
    assertThat(Files.readString(dir.resolve("report.html"))).contains("fork2").doesNotContain("\"other\"");
  }

  @Test
  void runsOfOneJvmEndingTogetherEachWriteTheReport(@TempDir Path dir) throws Exception {
    var threads = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      var writes = new ArrayList<java.util.concurrent.Future<RunReport.Written>>();
      for (int i = 0; i < 8; i++) {
        String runId = "run" + i;
        writes.add(threads.submit(() -> RunReport.write(dir, new RunTimeline(), runId, "s", "build-1")));
      }
      for (var write : writes) {
        assertThat(write.get().html()).exists();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** The file a run of another JVM ({@code pid}) left, as it writes it at its end, {@code end}. */
  private static void writeRunFile(Path dir, String runId, String build, long pid, long end) throws Exception {
    var json = new ObjectMapper();
    var run = new RunTimeline().toJson(runId, "s", end);
    run.put("pid", pid);
    var file = json.createObjectNode();
    file.put("build", build);
    file.set("run", run);
    Files.createDirectories(dir.resolve("runs"));
    Path written = Files.writeString(dir.resolve("runs").resolve(runId + ".json"), json.writeValueAsString(file));
    Files.setLastModifiedTime(written, FileTime.fromMillis(end)); // as if written at its end
  }

  private JsonNode json() {
    return timeline.toJson("r1", "s1", RunTimeline.now());
  }

  private static List<String> texts(JsonNode array, String field) {
    var texts = new ArrayList<String>();
    array.forEach(each -> texts.add(each.path(field).asText()));
    return texts;
  }
}
