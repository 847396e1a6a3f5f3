package dev.berth.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check of settings' names, source by source, and the hint it gives for a slip. */
class KeysTest {

  @TempDir
  Path home;

  private final UserSettings noUserFiles = UserSettings.read(Map.of(), Path.of("/nonexistent-home"));

  @Test
  void aSlipGetsTheNearestKey() {
    assertThat(Keys.nearest("berth.startupTimout")).contains("berth.startupTimeout");
    assertThat(Keys.nearest("berth.graceperiod")).as("case is no slip").contains("berth.gracePeriod");
    assertThat(Keys.nearest("berth.cacheVolume.prune")).contains("berth.cacheVolumes.prune");
    assertThat(Keys.nearest("BERTH_STARTUP_TIMOUT")).as("a variable, by the keys' variables")
        .contains("berth.startupTimeout");
    assertThat(Keys.nearest("berth.colour")).as("nothing close").isEmpty();
    assertThat(Keys.nearest("BERTH_HOME")).isEmpty();
    assertThat(Keys.distance("kitten", "sitting")).isEqualTo(3);
  }

  @Test
  void aSystemPropertyIsNamedWithTheHint() {
    var system = new Properties();
    system.setProperty("berth.startupTimout", "3s");
    system.setProperty("berth.gracePeriod", "1s");
    system.setProperty("java.home", "/jdk");

    assertThatThrownBy(() -> Keys.check(Keys.outside(system, Map.of(), noUserFiles)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown Berth setting berth.startupTimout (system property): Berth reads no such key and would"
            + " ignore it; did you mean berth.startupTimeout?");
  }

  @Test
  void aVariableIsNamedAsItIsWrittenAndMappedToItsKey() {
    var env = Map.of("BERTH_STARTUP_TIMOUT", "3s", "BERTH_SESSION", "ci-1", "PATH", "/bin");

    assertThatThrownBy(() -> Keys.check(Keys.outside(new Properties(), env, noUserFiles)))
        .hasMessageContaining("Unknown Berth setting BERTH_STARTUP_TIMOUT (environment variable BERTH_STARTUP_TIMOUT)")
        .hasMessageContaining("did you mean BERTH_STARTUP_TIMEOUT, for berth.startupTimeout?")
        .hasMessageNotContaining("BERTH_SESSION");
  }

  @Test
  void theProjectsOwnVariablesAndPropertiesAreKnown() {
    var env = Map.of("BERTH_SESSION", "s", "BERTH_REUSE", "10m", "BERTH_START_AHEAD", "0",
        "BERTH_CACHE_VOLUMES_PRUNE", "true", "BERTH_PUBLISH_ADDRESS", "0.0.0.0", "BERTH_CONNECT_AHEAD", "false",
        "BERTH_TRANSPORT", "apache", "BERTH_WATCHDOG", "false", "BERTH_REPORT", "target/x");
    var system = new Properties();
    for (String key : List.of("berth.forks.dir", "berth.forks.report", "berth.forks.since", "berth.concurrent.dir",
        "berth.concurrent.self", "berth.concurrent.other", "berth.soak", "berth.measure", "berth.up",
        "berth.test.excludedGroups")) {
      system.setProperty(key, "x");
    }

    Keys.check(Keys.outside(system, env, noUserFiles));
  }

  @Test
  void everyKeyBerthConfigReadsIsKnown() {
    var asked = new java.util.TreeSet<String>();
    BerthConfig.from(key -> {
      asked.add(key);
      return java.util.Optional.empty();
    });

    assertThat(Keys.known()).containsAll(asked);
    assertThat(Keys.envName("berth.cacheVolumes.prune")).isEqualTo("BERTH_CACHE_VOLUMES_PRUNE");
  }

  @Test
  void aKeyInTheUsersFileIsNamedWithTheFile() throws IOException {
    Path file = Files.writeString(home.resolve(".berth.properties"), "berth.reuse=30m\nberth.reuses=30m\n");

    var user = UserSettings.read(Map.of(), home);

    assertThatThrownBy(() -> Keys.check(Keys.outside(new Properties(), Map.of(), user)))
        .hasMessage("Unknown Berth setting berth.reuses (user settings file " + file + "): Berth reads no such key"
            + " and would ignore it; did you mean berth.reuse?");
  }

  @Test
  void withNothingCloseTheKnownSettingsAreListed() {
    var system = new Properties();
    system.setProperty("berth.colour", "blue");

    assertThatThrownBy(() -> Keys.check(Keys.outside(system, Map.of(), noUserFiles)))
        .hasMessageContaining("berth.colour (system property)")
        .hasMessageContaining("remove it, or use one of berth.startupTimeout, berth.gracePeriod")
        .hasMessageNotContaining("did you mean")
        .hasMessageNotContaining("berth.forks.dir");
  }
}
