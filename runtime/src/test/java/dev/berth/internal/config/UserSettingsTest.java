package dev.berth.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserSettingsTest {

  @TempDir
  Path home;

  @Test
  void keysInTheHomeFileAreRead() throws IOException {
    Files.writeString(home.resolve(".berth.properties"), "berth.gracePeriod = 42s\nother.key=1\n");

    UserSettings settings = UserSettings.read(Map.of(), home);

    assertThat(settings.get("berth.gracePeriod")).contains("42s");
    assertThat(settings.get("other.key")).as("only Berth's keys").isEmpty();
    assertThat(settings.get("berth.stopTimeout")).isEmpty();
  }

  @Test
  void theXdgFileComesFirst() throws IOException {
    Path xdg = Files.createDirectories(home.resolve("config/berth"));
    Files.writeString(xdg.resolve("berth.properties"), "berth.gracePeriod=1s\n");
    Files.writeString(home.resolve(".berth.properties"), "berth.gracePeriod=42s\nberth.stopTimeout=3s\n");

    UserSettings settings = UserSettings.read(Map.of("XDG_CONFIG_HOME", home.resolve("config").toString()), home);

    assertThat(settings.get("berth.gracePeriod")).contains("1s");
    assertThat(settings.get("berth.stopTimeout")).contains("3s");
  }

  @Test
  void aRunInCiIgnoresThem() throws IOException {
    Files.writeString(home.resolve(".berth.properties"), "berth.gracePeriod=42s\n");

    assertThat(UserSettings.read(Map.of("CI", "true"), home).get("berth.gracePeriod")).isEmpty();
    assertThat(UserSettings.read(Map.of("CI", "false"), home).get("berth.gracePeriod")).contains("42s");
  }

  @Test
  void noFileNoSettings() {
    assertThat(UserSettings.read(Map.of(), home).get("berth.gracePeriod")).isEmpty();
  }

  @Test
  void theyComeAfterTheBuildsOwnConfiguration() throws IOException {
    Files.writeString(home.resolve(".berth.properties"), "berth.gracePeriod=42s\nberth.stopTimeout=3s\n");
    UserSettings user = UserSettings.read(Map.of(), home);
    Map<String, String> build = Map.of("berth.gracePeriod", "5s");

    BerthConfig config = BerthConfig.from(key -> java.util.Optional.ofNullable(build.get(key)).or(() -> user.get(key)));

    assertThat(config.gracePeriod()).hasSeconds(5);
    assertThat(config.stopTimeout()).hasSeconds(3);
  }
}
