package dev.berth.samples.forks;

import static org.assertj.core.api.Assertions.assertThat;

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

    String created = docker("events", "--since", since, "--until", until, "--filter", "type=container",
        "--filter", "event=create", "--filter", "label=dev.berth.session=" + session,
        "--filter", "label=dev.berth.role=service", "--format", "{{.Actor.Attributes.image}}");
    String left = docker("ps", "-aq", "--filter", "label=dev.berth.session=" + session);

    assertThat(created.lines()).as("service containers created by the forks: one redis for both, a web each")
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
