package dev.berth.internal.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A developer's own settings, for every project on the machine: {@code berth.*} keys in
 * {@code $XDG_CONFIG_HOME/berth/berth.properties} and {@code ~/.berth.properties} (the first where both set a key).
 * They come after the build's own configuration and the environment, so a build still decides what it says. A run
 * with {@code CI=true} in its environment ignores them: a CI machine runs as the build says, whoever's home it is.
 */
public final class UserSettings {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  private static final String FILE = "berth.properties";
  private static volatile UserSettings current;

  private final Properties values = new Properties();
  /** The file each key was read from, so that a check can say where an unknown key is. */
  private final Map<String, Path> files = new TreeMap<>();

  private UserSettings() {
  }

  /** This JVM's: read once, from its environment and {@code user.home}. */
  public static UserSettings current() {
    UserSettings settings = current;
    if (settings == null) {
      settings = read(System.getenv(), Path.of(System.getProperty("user.home")));
      current = settings;
    }
    return settings;
  }

  /** The settings the files under {@code home} (and {@code XDG_CONFIG_HOME} in {@code env}) give. */
  static UserSettings read(Map<String, String> env, Path home) {
    var settings = new UserSettings();
    var files = new ArrayList<Path>();
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      files.add(Path.of(xdg, "berth", FILE));
    }
    files.add(home.resolve("." + FILE));
    List<Path> present = files.stream().filter(Files::isRegularFile).toList();
    if (present.isEmpty()) {
      return settings;
    }
    if ("true".equalsIgnoreCase(env.getOrDefault("CI", "").strip())) {
      LOG.info("CI=true: Berth ignores your own settings in {}", present);
      return settings;
    }
    // The first file's keys win: read the last first, and let each earlier one overwrite.
    for (int i = present.size() - 1; i >= 0; i--) {
      Path file = present.get(i);
      var read = new Properties();
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        read.load(in);
      } catch (IOException | IllegalArgumentException e) {
        LOG.warn("Berth cannot read your settings in {} ({}); it goes on without them", file, e.getMessage());
        continue;
      }
      read.stringPropertyNames().stream().filter(key -> key.startsWith("berth."))
          .forEach(key -> {
            settings.values.setProperty(key, read.getProperty(key).strip());
            settings.files.put(key, file);
          });
    }
    if (!settings.values.isEmpty()) {
      LOG.info("Berth uses your own settings in {}: {}", present, new TreeSet<>(settings.values.stringPropertyNames()));
    }
    return settings;
  }

  /** The keys the user's files set, each with the file it came from. */
  public Map<String, Path> files() {
    return Collections.unmodifiableMap(files);
  }

  /** A key's value, if the user's files set it (and the run is not in CI). */
  public Optional<String> get(String key) {
    return Optional.ofNullable(values.getProperty(key));
  }
}
