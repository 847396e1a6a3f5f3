package dev.berth.internal.container;

import dev.berth.BerthException;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.session.SessionDirectory;
import dev.berth.internal.session.SessionNetwork;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.Definition.CacheSharing;
import dev.berth.internal.spec.Labels;
import dev.berth.internal.spec.SpecEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The cache volumes of a run's containers, by how they are shared ({@link CacheSharing}):
 * <ol>
 *   <li><b>Name.</b> A shared or locked cache is the machine's volume {@code berth-cache-<name>}; a private one is
 *       the session's, {@code berth-cache-<session>-<name>}, labelled with the session.
 *   <li><b>Create.</b> A volume that does not exist is created with its labels before the container that mounts it.
 *   <li><b>Lock.</b> Before a container that mounts a locked cache is created, this JVM takes the cache's lock: a
 *       file lock in Berth's directory, which every JVM on the machine sees and the kernel releases when a JVM dies
 *       (even by kill -9), and a semaphore for the JVM's own threads. The start waits for it, at most the startup
 *       timeout; the lock goes when the run lets go of the container.
 *   <li><b>Remove.</b> When a session's last run ends, the session's private volumes go
 *       ({@link SessionNetwork#removePrivateVolumes}).
 * </ol>
 */
final class CacheVolumes {

  private static final Map<Path, Semaphore> JVM_LOCKS = new ConcurrentHashMap<>();
  private static final long POLL_MILLIS = 100;

  private final Supplier<Engine> engine;
  private final String session;
  private final String runId;
  /** The locks taken for each of the run's service containers, by definition digest. */
  private final Map<String, List<Held>> held = new ConcurrentHashMap<>();

  CacheVolumes(Supplier<Engine> engine, String session, String runId) {
    this.engine = engine;
    this.session = session;
    this.runId = runId;
  }

  /** The engine's volume for each of the spec's cache mounts, by mount path. */
  Map<String, String> volumes(Definition spec) {
    var volumes = new TreeMap<String, String>();
    spec.cacheVolumes().forEach((path, cache) -> volumes.put(path, volumeName(cache, spec.cacheSharing(path))));
    return volumes;
  }

  private String volumeName(String cache, CacheSharing sharing) {
    return Engine.cacheVolumeName(sharing == CacheSharing.PRIVATE
        ? SessionNetwork.sessionKey(session) + "-" + cache : cache);
  }

  /** Whether the spec mounts a locked cache. */
  boolean locks(Definition spec) {
    return spec.cacheVolumes().keySet().stream().anyMatch(path -> spec.cacheSharing(path) == CacheSharing.LOCKED);
  }

  /** Creates the spec's volumes that do not exist yet. */
  void ensure(Definition spec) {
    spec.cacheVolumes().forEach((path, cache) -> {
      var labels = new LinkedHashMap<String, String>();
      labels.put(Labels.BERTH, SpecEncoding.VERSION);
      labels.put(Labels.CACHE, "true");
      labels.put(Labels.CACHE_NAME, cache);
      if (spec.cacheSharing(path) == CacheSharing.PRIVATE) {
        labels.put(Labels.SESSION, session);
      }
      engine.get().ensureVolume(volumeName(cache, spec.cacheSharing(path)), labels);
    });
  }

  /**
   * Takes the locks of the spec's locked caches for its container, waiting for each until {@code timeout} has
   * passed; fails naming the cache and its holder then.
   */
  void lock(Definition spec, String what, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    var taken = new ArrayList<Held>();
    try {
      for (var mount : spec.cacheVolumes().entrySet()) {
        if (spec.cacheSharing(mount.getKey()) == CacheSharing.LOCKED) {
          taken.add(take(mount.getValue(), what, timeout, deadline));
        }
      }
    } catch (RuntimeException e) {
      taken.forEach(Held::release);
      throw e;
    }
    if (!taken.isEmpty()) {
      held.merge(spec.digest(), taken, (a, b) -> {
        var both = new ArrayList<>(a);
        both.addAll(b);
        return both;
      });
    }
  }

  /** Lets go of the locks taken for the definition's container: the run no longer uses it. */
  void unlock(String digest) {
    List<Held> locks = held.remove(digest);
    if (locks != null) {
      locks.forEach(Held::release);
    }
  }

  /** Lets go of every lock the run holds: the run has ended. */
  void unlockAll() {
    List.copyOf(held.keySet()).forEach(this::unlock);
  }

  private Held take(String cache, String what, Duration timeout, long deadline) {
    Path path = SessionDirectory.base().resolve("cache-" + cache + ".lock");
    Semaphore jvm = JVM_LOCKS.computeIfAbsent(path, p -> new Semaphore(1));
    try {
      if (!jvm.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw busy(cache, what, timeout, holder(path));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while " + what + " waited for its locked cache volume '" + cache + "'");
    }
    try {
      Files.createDirectories(path.getParent());
      FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        while (true) {
          FileLock lock = channel.tryLock();
          if (lock != null) {
            Files.writeString(holderFile(path), "run " + runId + " of session " + session + " (JVM "
                + ProcessHandle.current().pid() + "), for " + what);
            return new Held(jvm, channel, lock);
          }
          if (System.nanoTime() >= deadline) {
            throw busy(cache, what, timeout, holder(path));
          }
          Thread.sleep(POLL_MILLIS);
        }
      } catch (InterruptedException e) {
        channel.close();
        Thread.currentThread().interrupt();
        throw new BerthException("Interrupted while " + what + " waited for its locked cache volume '" + cache + "'");
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      jvm.release();
      throw new UncheckedIOException("Cannot lock the cache volume '" + cache + "' at " + path, e);
    } catch (RuntimeException e) {
      jvm.release();
      throw e;
    }
  }

  private static BerthException busy(String cache, String what, Duration timeout, String holder) {
    return new BerthException("The locked cache volume '" + cache + "' of " + what + " is still in use after "
        + timeout.toMillis() + " ms, by " + holder + ". A locked cache (withLockedCacheVolume) takes one user at a"
        + " time: let the other run end first, give this service a longer startup timeout, or mount the cache"
        + " with withCacheVolume (shared) or withPrivateCacheVolume (one per session)");
  }

  private static Path holderFile(Path lock) {
    return lock.resolveSibling(lock.getFileName() + ".holder");
  }

  private static String holder(Path lock) {
    try {
      return Files.readString(holderFile(lock), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "another JVM on this machine";
    }
  }

  /** A lock taken: the JVM's semaphore and the machine's file lock. */
  private record Held(Semaphore jvm, FileChannel channel, FileLock lock) {
    void release() {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        // Closing the channel releases the lock whatever happened; nothing is left to undo.
      } finally {
        jvm.release();
      }
    }
  }
}
