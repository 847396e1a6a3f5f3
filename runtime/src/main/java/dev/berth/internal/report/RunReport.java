package dev.berth.internal.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
      ObjectNode own = JSON.createObjectNode();
      own.put("build", build);
      own.set("run", run);
      writeAtomically(runs.resolve(runId + ".json"), JSON.writeValueAsString(own));
      List<JsonNode> shown = runsOfBuild(runs, runId, build, run.get("start").asLong());
      ObjectNode report = JSON.createObjectNode();
      report.put("berth", version());
      report.put("build", build);
      report.put("written", RunTimeline.now());
      ArrayNode all = report.putArray("runs");
      shown.forEach(all::add);
      String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
      writeAtomically(directory.resolve("report.json"), json);
      Path html = directory.resolve("report.html");
      writeAtomically(html, ReportPage.html(JSON.writeValueAsString(report)));
      return new Written(html, shown.size(), run.get("services").size(), run.get("classes").size(),
          failures(run));
    }
  }

  /**
   * This run and the runs of other JVMs of {@code build} that ended after {@code since}, by start; every other run's
   * file is removed.
   */
  private static List<JsonNode> runsOfBuild(Path runs, String runId, String build, long since) throws IOException {
    var shown = new ArrayList<JsonNode>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(runs, "*.json")) {
      for (Path file : files) {
        JsonNode each;
        try {
          each = JSON.readTree(file.toFile());
        } catch (IOException e) {
          Files.deleteIfExists(file); // cut short by a killed JVM: nothing to show
          continue;
        }
        JsonNode run = each.path("run");
        boolean own = run.path("run").asText().equals(runId);
        // An earlier run of this JVM is over: a JVM's report shows its last run (and its build's other forks).
        boolean earlierInThisJvm = !own && run.path("pid").asLong() == ProcessHandle.current().pid();
        if (own || build.equals(each.path("build").asText()) && run.path("end").asLong() >= since
            && !earlierInThisJvm) {
          shown.add(run);
        } else {
          Files.deleteIfExists(file);
        }
      }
    }
    shown.sort(Comparator.comparingLong(run -> run.path("start").asLong()));
    return shown;
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
