package dev.berth.samples.forks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs after the two forks (execution "forks-check"): the engine's own events say how many containers the forks'
 * session created (one redis for both), and that none is left.
 */
class SharedAcrossForksCheck {

  @Test
  void theForksCreatedOneContainerAndLeftNothing() throws Exception {
    String session = System.getProperty("berth.forks.session");
    String since = System.getProperty("berth.forks.since");

    // Filtered here, not by the engine: Podman 4.3 matches events of any of several label filters, not all of them,
    // and names images in full (docker.io/library/redis:7.0).
    List<String> created = eventsUpToNow(since).stream().map(line -> line.split("\\|", -1))
        .filter(f -> f[0].equals("create") && f[1].equals(session) && f[2].equals("service"))
        .map(f -> f[3].replaceFirst("^docker\\.io/library/", "")).toList();
    String left = docker("ps", "-aq", "--filter", "label=dev.berth.session=" + session);

    assertThat(created).as("service containers created by the forks: one redis for both, a web each")
        .containsExactlyInAnyOrder("redis:7.0", "busybox:1.35", "busybox:1.35");
    assertThat(left).as("containers left").isBlank();
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
