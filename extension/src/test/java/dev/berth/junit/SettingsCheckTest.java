package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * An unknown {@code berth.*} key fails the run before anything starts, whichever way it is set: one test per entry
 * point. Environment and user file need a JVM of their own (this one's environment and user settings are fixed).
 */
class SettingsCheckTest {

  @TempDir
  Path dir;

  @Test
  void aSystemPropertyFailsTheClassAndNothingStarts() {
    var run = new KitRun();
    System.setProperty("berth.startupTimout", "3s");
    try {
      run.run(Typo.class);
    } finally {
      System.clearProperty("berth.startupTimout");
    }

    assertThat(run.classFailure())
        .hasMessageContaining("Unknown Berth setting berth.startupTimout (system property)")
        .hasMessageContaining("did you mean berth.startupTimeout?");
    run.tests().assertStatistics(s -> s.started(0));
    assertThat(run.events("create")).as("no container was created").isEmpty();
    assertThat(run.leftovers()).as("no container or network of the run's session").isEmpty();
  }

  @Test
  void aKeyInJunitPlatformPropertiesIsNamedWithItsSource() throws IOException {
    Files.writeString(dir.resolve("junit-platform.properties"), "berth.gracePeriood=1s\n");
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    var run = new KitRun();
    try (var loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
      thread.setContextClassLoader(loader);   // where JUnit, and Berth's check, look for the file
      run.run(Typo.class);
    } finally {
      thread.setContextClassLoader(before);
    }

    assertThat(run.classFailure())
        .hasMessageContaining("Unknown Berth setting berth.gracePeriood (junit-platform.properties / configuration"
            + " parameter)")
        .hasMessageContaining("did you mean berth.gracePeriod?");
    assertThat(run.events("create")).isEmpty();
  }

  @Test
  void anEnvironmentVariableIsNamedAsWritten() throws Exception {
    String said = inOwnJvm(Map.of("BERTH_STARTUP_TIMOUT", "3s", "CI", "true"), dir);

    assertThat(said).contains("Unknown Berth setting BERTH_STARTUP_TIMOUT (environment variable"
        + " BERTH_STARTUP_TIMOUT)").contains("did you mean BERTH_STARTUP_TIMEOUT, for berth.startupTimeout?");
  }

  @Test
  void aKeyInTheUsersFileIsNamedWithTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve(".berth.properties"), "berth.reuse=30m\nberth.stratAhead=2\n");

    String said = inOwnJvm(Map.of(), dir);

    assertThat(said).contains("Unknown Berth setting berth.stratAhead (user settings file " + file + ")")
        .contains("did you mean berth.startAhead?");
  }

  /** Runs {@link Typo} in a JVM with these variables and home, and returns what it printed. */
  private static String inOwnJvm(Map<String, String> env, Path home) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var builder = new ProcessBuilder(java, "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"),
        SettingsCheckTest.class.getName()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(n -> n.startsWith("BERTH_") || n.equals("CI")
        || n.equals("XDG_CONFIG_HOME"));
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return output;
  }

  /** The other JVM: runs {@link Typo} and prints the class's failure. */
  public static void main(String[] args) {
    var results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Typo.class))
        .configurationParameter("junit.jupiter.conditions.deactivate", "").execute();
    results.containerEvents().failed().stream().findFirst()
        .flatMap(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class))
        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
        .ifPresentOrElse(t -> System.out.println("failed: " + t.getMessage()), () -> System.out.println("ran"));
  }

  @ServiceTest
  static class Typo {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    void uses(@ServiceEndpoint("redis") String hostPort) {
      assertThat(hostPort).isNotEmpty();
    }
  }
}
