package dev.berth.samples.forks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
    String until = String.valueOf(System.currentTimeMillis() / 1000 + 1);

    // Filtered here, not by the engine: Podman 4.3 matches events of any of several label filters, not all of them,
    // and names images in full (docker.io/library/redis:7.0).
    List<String> created = docker("events", "--since", since, "--until", until, "--filter", "type=container",
        "--format", "{{.Action}} {{index .Actor.Attributes \"dev.berth.session\"}}"
            + " {{index .Actor.Attributes \"dev.berth.role\"}} {{.Actor.Attributes.image}}")
        .lines().map(line -> line.split(" "))
        .filter(f -> f.length == 4 && f[0].equals("create") && f[1].equals(session) && f[2].equals("service"))
        .map(f -> f[3].replaceFirst("^docker\\.io/library/", "")).toList();
    String left = docker("ps", "-aq", "--filter", "label=dev.berth.session=" + session);

    assertThat(created).as("service containers created by the forks: one redis for both, a web each")
        .containsExactlyInAnyOrder("redis:7.0", "busybox:1.35", "busybox:1.35");
    assertThat(left).as("containers left").isBlank();
  }

  private static String docker(String... args) throws Exception {
    var command = new java.util.ArrayList<String>();
    command.add("docker");
    command.addAll(java.util.List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(out).isZero();
    return out;
  }
}
