package dev.berth.internal.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every {@code berth.*} key Berth reads, and the check that refuses any other: a mistyped key would otherwise be
 * ignored without a word, and the run would go on with the default.
 */
public final class Keys {

  /** What a user sets: {@link BerthConfig}'s keys, then those read before JUnit's configuration exists. */
  private static final List<String> SETTINGS = List.of(
      "berth.startupTimeout", "berth.gracePeriod", "berth.stopTimeout", "berth.execTimeout", "berth.pullTimeout",
      "berth.clientImage", "berth.session", "berth.readiness", "berth.probeImage", "berth.dockerHost",
      "berth.cacheVolumes.prune", "berth.dns", "berth.imagePull", "berth.hubImagePrefix", "berth.publishAddress",
      "berth.hostAddress", "berth.builds.prune", "berth.startAhead", "berth.reuse", "berth.pingTimeout",
      "berth.engineTimeout", "berth.pullProgressTimeout", "berth.dnsUpstream", "berth.engine", "berth.report",
      "berth.swarm.nodeEngine", "berth.connectAhead", "berth.transport", "berth.watchdog", "berth.up");

  /**
   * What Berth's own build passes to its test JVMs (samples/pom.xml, scripts/): Surefire hands {@code -D} options
   * on to them as system properties, so these must pass the check too.
   */
  private static final List<String> BUILD = List.of(
      "berth.forks.dir", "berth.forks.since", "berth.forks.report", "berth.concurrent.dir", "berth.concurrent.self",
      "berth.concurrent.other", "berth.soak", "berth.measure", "berth.test.excludedGroups");

  private static final Set<String> KNOWN = Collections.unmodifiableSortedSet(Stream.of(SETTINGS, BUILD)
      .flatMap(List::stream).collect(Collectors.toCollection(TreeSet<String>::new)));
  private static final String ENV_PREFIX = "BERTH_";

  private Keys() {
  }

  /** Every key Berth knows, sorted. */
  public static Set<String> known() {
    return KNOWN;
  }

  /** The environment variable that stands for a key: {@code berth.startupTimeout} is {@code BERTH_STARTUP_TIMEOUT}. */
  public static String envName(String key) {
    return key.replace('.', '_').replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /** A {@code berth.*} key, or a {@code BERTH_*} variable, as found, with where it was found. */
  public record Setting(String name, String origin) {

    boolean isVariable() {
      return name.startsWith(ENV_PREFIX);
    }
  }

  /** The settings from outside JUnit: system properties, {@code BERTH_*} variables, the user's files. */
  public static List<Setting> outside() {
    return outside(System.getProperties(), System.getenv(), UserSettings.current());
  }

  static List<Setting> outside(Properties system, Map<String, String> env, UserSettings user) {
    var found = new ArrayList<Setting>();
    system.stringPropertyNames().stream().filter(k -> k.startsWith("berth.")).sorted()
        .forEach(k -> found.add(new Setting(k, "system property")));
    env.keySet().stream().filter(n -> n.startsWith(ENV_PREFIX)).sorted()
        .forEach(n -> found.add(new Setting(n, "environment variable " + n)));
    user.files().forEach((k, file) -> found.add(new Setting(k, "user settings file " + file)));
    return found;
  }

  /**
   * Refuses the run if any setting is unknown.
   *
   * @throws IllegalArgumentException naming each unknown key, where it came from and the nearest known key
   */
  public static void check(Collection<Setting> settings) {
    List<String> problems = settings.stream().filter(s -> !isKnown(s)).map(Keys::problem).distinct().toList();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
  }

  private static boolean isKnown(Setting s) {
    return s.isVariable() ? KNOWN.stream().anyMatch(k -> envName(k).equals(s.name())) : KNOWN.contains(s.name());
  }

  private static String problem(Setting s) {
    String what = "Unknown Berth setting " + s.name() + " (" + s.origin() + "): Berth reads no such key and would"
        + " ignore it; ";
    Optional<String> near = nearest(s.name());
    if (near.isEmpty()) {
      return what + "remove it, or use one of " + String.join(", ", SETTINGS);
    }
    String key = near.get();
    return what + (s.isVariable() ? "did you mean " + envName(key) + ", for " + key + "?" : "did you mean " + key + "?");
  }

  /**
   * The known key nearest to a name (a key, or a {@code BERTH_*} variable matched against the keys' variables), by
   * edit distance ignoring case; empty if none is close enough to be a slip.
   */
  static Optional<String> nearest(String name) {
    boolean variable = name.startsWith(ENV_PREFIX);
    String wanted = name.toLowerCase(Locale.ROOT);
    // A slip is a few letters: about one in four of the part after the prefix, at least one.
    int allowed = Math.max(1, Math.min(4, (name.length() - ENV_PREFIX.length()) / 4));
    return KNOWN.stream()
        .map(k -> Map.entry(k, distance(wanted, (variable ? envName(k) : k).toLowerCase(Locale.ROOT))))
        .filter(e -> e.getValue() <= allowed)
        .min(Comparator.comparingInt(Map.Entry<String, Integer>::getValue).thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey);
  }

  /** Levenshtein distance: insertions, deletions and substitutions. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
