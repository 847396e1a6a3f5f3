package dev.berth.samples.forks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs after the two forks (execution "forks-check"): the engine's own events say how many containers the forks'
 * session created (one redis for both), and that nothing is left; the run report shows both forks' runs.
 */
class SharedAcrossForksCheck {

  @Test
  void theForksSharedTheBuildsSessionAndLeftNothing() throws Exception {
    String session = forksSession();
    String since = System.getProperty("berth.forks.since");

    // Filtered here, not by the engine: Podman 4.3 matches events of any of several label filters, not all of them,
    // and names images in full (docker.io/library/redis:7.0).
    List<String> created = eventsUpToNow(since).stream().map(line -> line.split("\\|", -1))
        .filter(f -> f[0].equals("create") && f[1].equals(session) && f[2].equals("service"))
        .map(f -> f[3].replaceFirst("^docker\\.io/library/", "")).toList();

    assertThat(created).as("service containers created by the forks: one redis for both, a web each")
        .containsExactlyInAnyOrder("redis:7.0", "busybox:1.35", "busybox:1.35");
    assertThat(docker("ps", "-aq", "--filter", "label=dev.berth.session=" + session)).as("containers left")
        .isBlank();
    assertThat(docker("network", "ls", "-q", "--filter", "label=dev.berth.session=" + session))
        .as("networks left").isBlank();
  }

  /** The forks ran at once: the last to end wrote the report with both runs, each with its class and services. */
  @Test
  void theRunReportShowsBothForks() throws Exception {
    JsonNode runs = report().path("runs");

    assertThat(runs).as("runs in the forks' report").hasSize(2);
    var classes = new ArrayList<String>();
    for (JsonNode run : runs) {
      run.path("classes").forEach(testClass -> classes.add(testClass.path("display").asText()));
      var services = new ArrayList<String>();
      run.path("services").forEach(service -> services.add(service.path("name").asText()));
      assertThat(services).as("services of run %s", run.path("run").asText()).contains("redis");
    }
    assertThat(classes).containsExactlyInAnyOrder("ForkOneTest", "ForkTwoTest");
  }

  /**
   * The session the forks shared, named by Berth (no BERTH_SESSION in their environment): the build's, the same for
   * both, though Surefire starts each fork through a shell of its own.
   */
  private static String forksSession() throws Exception {
    var sessions = new ArrayList<String>();
    report().path("runs").forEach(run -> sessions.add(run.path("session").asText()));
    assertThat(sessions).as("the forks' sessions").hasSize(2).allMatch(s -> s.startsWith("build-"));
    assertThat(sessions.get(1)).as("the second fork's session").isEqualTo(sessions.get(0));
    return sessions.get(0);
  }

  private static JsonNode report() throws Exception {
    Path report = Path.of(System.getProperty("berth.forks.report"), "report.json");
    return new ObjectMapper().readTree(report.toFile());
  }

  /**
   * The container events since {@code since}, up to a marker container this check creates and removes. Not by
   * {@code --until}: Podman 4.3 answers nothing when that time passes before it has read its events file (1 MB).
   */
  private static List<String> eventsUpToNow(String since) throws Exception {
    String marker = "berth-forks-check-" + ProcessHandle.current().pid();
    Process events = new ProcessBuilder("docker", "events", "--since", since, "--filter", "type=container",
        "--format", "{{.Action}}|{{index .Actor.Attributes \"dev.berth.session\"}}"
            + "|{{index .Actor.Attributes \"dev.berth.role\"}}|{{.Actor.Attributes.image}}|{{.Actor.Attributes.name}}")
        .redirectErrorStream(true).start();
    try {
      CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> readUntil(events, marker));
      docker("create", "--name", marker, "--label", "dev.berth.role=check", "busybox:1.35", "true");
      docker("rm", marker);
      return lines.get(60, TimeUnit.SECONDS);
    } finally {
      events.destroy();
    }
  }

  private static List<String> readUntil(Process events, String marker) {
    List<String> lines = new ArrayList<>();
    try (var reader = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.endsWith("|" + marker)) {
          return lines;
        }
        lines.add(line);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    throw new AssertionError("the engine's events ended before the marker container's: " + lines);
  }

  private static String docker(String... args) throws Exception {
    var command = new ArrayList<String>();
    command.add("docker");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(out).isZero();
    return out;
  }
}
