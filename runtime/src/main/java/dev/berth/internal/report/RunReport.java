package dev.berth.internal.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The run report: {@code report.json} and {@code report.html} (the same data, drawn; self-contained) in one
 * directory. Every JVM of a build (Surefire's forks) writes its run beside the others, under a lock, and the report
 * shows them all: a run's own data stays in {@code runs/<run>.json}, and each run that ends writes the report anew
 * from the runs of its build that ran beside it. Runs of other builds go, and so do runs of the same build that
 * ended before this one began (an IDE's re-runs share a parent process, as a build's forks do: a re-run shows
 * itself) and earlier runs of the same JVM (a JVM has one run, but for tests of Berth itself).
 */
public final class RunReport {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The file lock keeps other JVMs out; this, other runs of this JVM (a second lock would throw). */
  private static final Object IN_THIS_JVM = new Object();

  private RunReport() {
  }

  /** What was written, for the run's last log line. */
  public record Written(Path html, int runs, int services, int classes, int failures) {
  }

  /**
   * Writes this run into the report in {@code directory}.
   *
   * @param build the build this run belongs to: runs of other builds are dropped from the report
   */
  public static Written write(Path directory, RunTimeline timeline, String runId, String session, String build)
      throws IOException {
    Path runs = directory.resolve("runs");
    Files.createDirectories(runs);
    ObjectNode run = timeline.toJson(runId, session, RunTimeline.now());
    synchronized (IN_THIS_JVM) {
      return writeLocked(directory, runs, run, runId, build);
    }
  }

  private static Written writeLocked(Path directory, Path runs, ObjectNode run, String runId, String build)
      throws IOException {
    try (FileChannel lock = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); var held = lock.lock()) {
      // Put together as text: this run is serialized once, and only the other runs' files are read back (a fresh
      // JVM's Jackson is slow to warm up: the report's write was 23-89 ms at the end of the bench's suite).
      String ownJson = JSON.writeValueAsString(run);
      writeAtomically(runs.resolve(runId + ".json"), "{\"build\":" + JSON.writeValueAsString(build) + ",\"run\":"
          + ownJson + "}");
      List<String> shown = runsOfBuild(runs, runId, ownJson, run.get("start").asLong(), build);
      String report = "{\"berth\":" + JSON.writeValueAsString(version()) + ",\"build\":"
          + JSON.writeValueAsString(build) + ",\"written\":" + RunTimeline.now() + ",\"runs\":["
          + String.join(",", shown) + "]}";
      writeAtomically(directory.resolve("report.json"), report);
      Path html = directory.resolve("report.html");
      writeAtomically(html, ReportPage.html(report));
      return new Written(html, shown.size(), run.get("services").size(), run.get("classes").size(),
          failures(run));
    }
  }

  /**
   * This run and the runs of other JVMs of {@code build} that ended after {@code since}, by start, as JSON; every
   * other run's file is removed.
   */
  private static List<String> runsOfBuild(Path runs, String runId, String ownRun, long since, String build)
      throws IOException {
    record Shown(long start, String json) {
    }
    var shown = new ArrayList<Shown>();
    shown.add(new Shown(since, ownRun));
    Path ownFile = runs.resolve(runId + ".json");
    try (DirectoryStream<Path> files = Files.newDirectoryStream(runs, "*.json")) {
      for (Path file : files) {
        if (file.equals(ownFile)) {
          continue;
        }
        if (Files.getLastModifiedTime(file).toMillis() < since) {
          // Written at its run's end, so that run ended before this one began: gone unread (a fresh JVM's parse
          // of it was 10-20 ms of every re-run's end).
          Files.deleteIfExists(file);
          continue;
        }
        JsonNode each;
        try {
          each = JSON.readTree(file.toFile());
        } catch (IOException e) {
          Files.deleteIfExists(file); // cut short by a killed JVM: nothing to show
          continue;
        }
        JsonNode run = each.path("run");
        // An earlier run of this JVM is over: a JVM's report shows its last run (and its build's other forks).
        boolean earlierInThisJvm = run.path("pid").asLong() == ProcessHandle.current().pid();
        if (build.equals(each.path("build").asText()) && run.path("end").asLong() >= since && !earlierInThisJvm) {
          shown.add(new Shown(run.path("start").asLong(), JSON.writeValueAsString(run)));
        } else {
          Files.deleteIfExists(file);
        }
      }
    }
    shown.sort(Comparator.comparingLong(Shown::start));
    return shown.stream().map(Shown::json).toList();
  }

  private static int failures(JsonNode run) {
    int failures = 0;
    for (JsonNode service : run.path("services")) {
      failures += service.path("failure").isObject() ? 1 : 0;
    }
    for (JsonNode testClass : run.path("classes")) {
      for (JsonNode test : testClass.path("tests")) {
        failures += "failed".equals(test.path("outcome").asText()) ? 1 : 0;
      }
    }
    return failures;
  }

  /** Readers (a browser refreshing, another fork) see the old file or the new, never half of one. */
  private static void writeAtomically(Path file, String text) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.writeString(partial, text, StandardCharsets.UTF_8);
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String version() {
    String version = RunReport.class.getPackage().getImplementationVersion();
    return version == null ? "development" : version;
  }
}
