package dev.berth.internal.session;

import dev.berth.internal.engine.DockerBackend;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.spec.Labels;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The services a session keeps up after its runs ({@code berth.reuse}), as files in its directory: one marker per
 * idle definition, saying since when no run holds it, for how long it may stay so, and on which engine. Written by
 * the last run to let go of a service, deleted by the next run that attaches to it, read by the {@link Keeper};
 * each under the definition's mutex.
 */
public final class WarmServices {

  private static final String PREFIX = "idle-";

  /** An idle definition: its digest, since when (epoch ms), for how long, and its engine. */
  public record Idle(String digest, long sinceMillis, Duration ttl, String dockerHost, String engine) {
    boolean expired(long nowMillis) {
      return nowMillis >= sinceMillis + ttl.toMillis();
    }

    long millisLeft(long nowMillis) {
      return Math.max(0, sinceMillis + ttl.toMillis() - nowMillis);
    }
  }

  private WarmServices() {
  }

  /** The last run let go of the definition's container and leaves it up for {@code ttl}. Under its mutex. */
  public static void markIdle(SessionDirectory directory, String digest, Duration ttl, Engine engine) {
    Path marker = marker(directory.dir(), digest);
    try {
      Files.createDirectories(marker.getParent());
      Path written = marker.resolveSibling(marker.getFileName() + ".new");
      Files.writeString(written, "since=" + System.currentTimeMillis() + "\nttl=" + ttl.toMillis() + "\ndockerHost="
          + engine.host() + "\nengine=" + DockerBackend.kindOf(engine) + "\n");
      Files.move(written, marker, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot note the idle service " + digest + " in " + marker, e);
    }
  }

  /** A run attaches to the definition's container: it is no longer idle. Under its mutex. */
  public static boolean attached(SessionDirectory directory, String digest) {
    try {
      return Files.deleteIfExists(marker(directory.dir(), digest));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Starts the session's keeper, unless one runs already: it removes what stays idle past its time. Asked first:
   * a keeper started only to find the lock taken cost every warm run's end a copy of Berth's classes and a JVM's
   * start (about 0.4 s of CPU), beside the developer's next run.
   */
  public static void startKeeper(String session) {
    if (!Keeper.keeping(SessionDirectory.of(session))) {
      Watchdog.startKeeper(session);
    }
  }

  /**
   * What the session keeps up, a line each: the service's name, digest, and how long it stays idle before it goes.
   */
  public static List<String> list(Engine engine, String session) {
    var lines = new ArrayList<String>();
    Path dir = new SessionDirectory(session, "list").dir();
    long now = System.currentTimeMillis();
    for (Engine.Listed container : engine.containersOf(Map.of(Labels.SESSION, session, Labels.ROLE, "service"))) {
      String digest = container.labels().getOrDefault(Labels.DIGEST, "");
      String when = idle(dir, digest).map(i -> "idle, goes in " + i.millisLeft(now) / 1000 + " s")
          .orElse("in use by a run");
      lines.add(container.labels().getOrDefault(Labels.SERVICE, "?") + " " + digest.substring(0,
          Math.min(12, digest.length())) + " " + when);
    }
    return lines;
  }

  /**
   * Removes what the session keeps up and no live run holds, and the network if no run is left; returns how many
   * services went. What a run holds stays: that run removes it, or leaves it up again, when it ends.
   */
  public static int down(Engine engine, String session) {
    var directory = new SessionDirectory(session, "down-" + ProcessHandle.current().pid());
    int removed = 0;
    for (Idle service : idle(directory.dir())) {
      removed += removeIdle(engine, directory, session, service.digest(), idle -> true) ? 1 : 0;
    }
    removeNetworkIfUnused(engine, directory, session);
    return removed;
  }

  /**
   * Removes an idle definition's containers and its marker, under its mutex, if it is still idle, {@code due} says
   * so, and no live run holds it; returns whether it went. A run attaching takes the same mutex.
   */
  static boolean removeIdle(Engine engine, SessionDirectory directory, String session, String digest,
      Predicate<Idle> due) {
    return directory.locked(digest, () -> {
      Optional<Idle> still = idle(directory.dir(), digest);
      if (still.isEmpty() || !due.test(still.get()) || directory.heldByOthers(digest)) {
        return false; // attached (or left again) meanwhile, or a live run holds it
      }
      engine.containersLabelled(Map.of(Labels.DIGEST, digest, Labels.SESSION, session)).forEach(engine::remove);
      forget(directory.dir(), digest);
      return true;
    });
  }

  /** Removes the session's network if no run holds the session and nothing is kept up on it; returns whether. */
  static boolean removeNetworkIfUnused(Engine engine, SessionDirectory directory, String session) {
    return directory.locked("network", () -> {
      if (directory.heldByOthers(SessionDirectory.RUN) || any(directory.dir())) {
        return false;
      }
      engine.removeNetwork(SessionNetwork.nameOf(session));
      SessionNetwork.removePrivateVolumes(engine, session);
      return true;
    });
  }

  /** Whether an earlier run left the definition's container up, idle (read without its mutex: it may change). */
  public static boolean idle(SessionDirectory directory, String digest) {
    return idle(directory.dir(), digest).isPresent();
  }

  /** Whether the session keeps any service up. */
  public static boolean any(Path sessionDir) {
    return !idle(sessionDir).isEmpty();
  }

  /** The session's idle definitions. */
  public static List<Idle> idle(Path sessionDir) {
    var found = new ArrayList<Idle>();
    if (!Files.isDirectory(sessionDir)) {
      return found;
    }
    try (DirectoryStream<Path> markers = Files.newDirectoryStream(sessionDir, PREFIX + "*")) {
      for (Path marker : markers) {
        if (!marker.getFileName().toString().endsWith(".new")) {
          read(marker).ifPresent(found::add);
        }
      }
    } catch (IOException e) {
      // a directory going away: nothing idle
    }
    return found;
  }

  /** The marker of one definition, if it is (still) idle. */
  static Optional<Idle> idle(Path sessionDir, String digest) {
    return read(marker(sessionDir, digest));
  }

  private static Optional<Idle> read(Path marker) {
    String content = SessionDirectory.readQuietly(marker);
    if (content.isEmpty()) {
      return Optional.empty();
    }
    try {
      String digest = marker.getFileName().toString().substring(PREFIX.length());
      return Optional.of(new Idle(digest, Long.parseLong(field(content, "since")),
          Duration.ofMillis(Long.parseLong(field(content, "ttl"))), field(content, "dockerHost"), field(content, "engine")));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static void forget(Path sessionDir, String digest) {
    try {
      Files.deleteIfExists(marker(sessionDir, digest));
    } catch (IOException e) {
      // gone already
    }
  }

  private static Path marker(Path sessionDir, String digest) {
    return sessionDir.resolve(PREFIX + digest);
  }

  private static String field(String content, String key) {
    return content.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
        .findFirst().orElseThrow();
  }
}
