package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.BerthException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own that connects to the engine as a run does, with nothing but its environment to go by: prints
 * {@code engine <host>}, or {@code failed: <message>} and exits with 3.
 */
public final class EngineContextProbe {

  private EngineContextProbe() {
  }

  public static void main(String[] args) {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      System.out.println("engine " + backend.host());
    } catch (BerthException e) {
      System.out.println("failed: " + e.getMessage());
      System.exit(3);
    }
  }

  /** How a probe ended: its exit code and its own line. */
  record Result(int exitCode, String output) {
  }

  /** Runs the probe with the test JVM's environment less the engine's settings, plus {@code env}. */
  static Result runIn(Map<String, String> env) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        EngineContextProbe.class.getName()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("DOCKER_") || k.startsWith("BERTH_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the probe ends").isTrue();
    // Its log lines go to stdout too: the probe's own line is the one that says how it went.
    String result = output.lines().filter(l -> l.startsWith("engine ") || l.startsWith("failed: ")).findFirst()
        .orElse(output);
    return new Result(process.exitValue(), result);
  }
}
