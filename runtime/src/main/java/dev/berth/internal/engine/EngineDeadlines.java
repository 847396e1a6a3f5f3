package dev.berth.internal.engine;

import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.transport.UnixSocketTransport;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long each kind of engine call may take, from connecting to its whole answer: the ping a connection begins
 * with is short, ordinary calls get {@code berth.engineTimeout}, a stop gets that plus the wait it asks the engine
 * for. Calls that stream (logs followed, waits, attach, exec output, events) get none: they may rightly be silent
 * for as long as a container runs. Pulls and builds stream too; {@link DockerImages} watches their progress instead.
 *
 * @param ping {@code berth.pingTimeout}, also the time a TCP connection may take
 * @param call {@code berth.engineTimeout}
 * @param pullProgress {@code berth.pullProgressTimeout}
 */
public record EngineDeadlines(Duration ping, Duration call, Duration pullProgress) {

  private static final Set<String> KEYS = Set.of("berth.pingTimeout", "berth.engineTimeout",
      "berth.pullProgressTimeout");
  /** A stop or restart, with the seconds the engine waits for the container to exit before it kills it. */
  private static final Pattern STOP = Pattern.compile("/containers/[^/]+/(?:stop|restart)(?:\\?(?:.*&)?t=(\\d+))?.*");

  /**
   * Written out: a record's own {@code equals} first spins method handles, and this one is called on a fresh JVM's
   * first start (whether the early connection has the run's deadlines).
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof EngineDeadlines that && ping.equals(that.ping) && call.equals(that.call)
        && pullProgress.equals(that.pullProgress);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ping, call, pullProgress);
  }

  /** The deadlines a run's configuration sets. */
  public static EngineDeadlines of(BerthConfig config) {
    return new EngineDeadlines(config.pingTimeout(), config.engineTimeout(), config.pullProgressTimeout());
  }

  /**
   * The deadlines set where JUnit's configuration is not read (a connection made ahead of the run, the keeper, the
   * watchdog): system properties, environment, the user's settings; the defaults otherwise.
   */
  public static EngineDeadlines fromSystem() {
    return of(BerthConfig.from(key -> KEYS.contains(key) ? BerthConfig.fromSystem(key) : Optional.empty()));
  }

  /**
   * A call's deadline and the setting that gives it, for the message; {@code waits} says the engine may rightly be
   * silent for most of it (a stop).
   */
  record Deadline(Duration time, String setting, boolean waits) {
  }

  /**
   * The deadline of a request to {@code path} (with its API version and query, as sent); empty for calls that
   * stream or take over the connection.
   */
  Optional<Deadline> of(String method, String path, boolean takesOver) {
    if (takesOver || UnixSocketTransport.streams(path)) {
      return Optional.empty();
    }
    String route = route(path);
    if (route.equals("/_ping")) {
      return Optional.of(new Deadline(ping, "berth.pingTimeout", false));
    }
    Matcher stop = STOP.matcher(unversioned(path));
    if ("POST".equals(method) && stop.matches()) {
      // The engine answers a stop once the container exited, which it may wait the stop's own time for.
      long seconds = stop.group(1) == null ? 10 : Long.parseLong(stop.group(1));
      return Optional.of(new Deadline(call.plusSeconds(seconds), "berth.engineTimeout plus the stop's " + seconds
          + " s", true));
    }
    return Optional.of(new Deadline(call, "berth.engineTimeout", false));
  }

  /** Whether calls to {@code path} get a deadline for each read: all but streams and stops, which wait longer. */
  boolean readsAreBounded(String method, String path, boolean takesOver) {
    return of(method, path, takesOver).filter(d -> !d.waits()).isPresent();
  }

  /** A call as people write it: {@code POST /containers/create}, without API version and query. */
  static String call(String method, String path) {
    return method + " " + route(path);
  }

  private static String unversioned(String path) {
    return path.replaceFirst("^/v[0-9.]+/", "/");
  }

  private static String route(String path) {
    String unversioned = unversioned(path);
    int query = unversioned.indexOf('?');
    return query < 0 ? unversioned : unversioned.substring(0, query);
  }

  /** A duration for a message: {@code 1.5 s}, {@code 30 s}. */
  static String seconds(Duration d) {
    double s = d.toMillis() / 1000.0;
    return (s == Math.rint(s) ? String.valueOf((long) s) : String.format(Locale.ROOT, "%.1f", s)) + " s";
  }

  /** What to check when the engine does not answer: the same advice for every deadline. */
  static String whatToCheck(String setting) {
    return "Is the engine starting, stuck or overloaded? Does `docker version` answer? If it is only slow, raise "
        + setting;
  }
}
