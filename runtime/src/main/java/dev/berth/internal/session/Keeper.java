package dev.berth.internal.session;

import dev.berth.internal.engine.DockerBackend;
import dev.berth.internal.engine.Engine;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a session leaves up for later runs ({@code berth.reuse}) once it has been idle past its time, even if
 * no run comes again: a process of its own, started by the run that leaves a service up, outliving the build, with
 * no image. One per session at a time (it holds the session's keeper lock). Read it as its life:
 *
 * <ol>
 *   <li>Look at the session's idle markers ({@link WarmServices}); none left: remove the network if no run holds
 *       the session, and end.
 *   <li>For each marker past its time, under its definition's mutex: if it is still idle (no run attached since,
 *       which deletes the marker under the same mutex, and no live run holds it), remove its containers and the
 *       marker. A run attaching at the same moment either finds the container (and deletes the marker first) or
 *       finds none and starts a fresh one: never half a removal.
 *   <li>Sleep until the next marker's time (at most 30 s), and look again.
 * </ol>
 */
final class Keeper {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  private static final long MIN_SLEEP_MILLIS = 200;
  private static final long MAX_SLEEP_MILLIS = 30_000;
  /** How soon a service past its time that a run still holds is looked at again. */
  private static final long HELD_RECHECK_MILLIS = 1_000;
  /** The file whose lock the session's keeper holds while it runs. */
  private static final String LOCK_FILE = "keeper.lock";

  private Keeper() {
  }

  public static void main(String[] args) throws Exception {
    String session = args[0];
    String copy = args[1];
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        SessionDirectory.deleteTree(SessionDirectory.base().resolve(copy))));
    var directory = new SessionDirectory(session, "keeper-" + ProcessHandle.current().pid());
    Files.createDirectories(directory.dir());
    Path lockFile = directory.dir().resolve(LOCK_FILE);
    boolean kept;
    do {
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.tryLock()) {
        if (lock == null) {
          Files.deleteIfExists(SessionDirectory.base().resolve(copy + ".log"));
          return; // another keeper keeps this session
        }
        keep(directory, session);
      }
      // A run may have left a service up just before the lock went: then keep on (its own keeper found the lock
      // taken and ended).
      kept = WarmServices.any(directory.dir());
    } while (kept);
    Files.deleteIfExists(SessionDirectory.base().resolve(copy + ".log"));
  }

  /**
   * Whether a keeper keeps the session now: it holds the keeper lock. One about to end looks for idle services once
   * more after it lets the lock go, so a service marked idle before this is asked is kept either way; and if this
   * check takes the lock for its moment, a keeper starting then ends, but the caller, seeing none, starts one.
   */
  static boolean keeping(Path sessionDir) {
    Path lockFile = sessionDir.resolve(LOCK_FILE);
    if (!Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      return lock == null;
    } catch (OverlappingFileLockException e) {
      return true; // this JVM keeps it
    } catch (IOException e) {
      return false;
    }
  }

  static void keep(SessionDirectory directory, String session) throws InterruptedException {
    Engine engine = null;
    try {
      while (true) {
        List<WarmServices.Idle> idle = WarmServices.idle(directory.dir());
        if (idle.isEmpty()) {
          if (engine != null) {
            removeNetworkIfUnused(engine, directory, session);
          }
          return;
        }
        long now = System.currentTimeMillis();
        long sleep = MAX_SLEEP_MILLIS;
        for (WarmServices.Idle service : idle) {
          if (!service.expired(now)) {
            sleep = Math.min(sleep, service.millisLeft(now));
            continue;
          }
          if (engine == null) {
            engine = DockerBackend.connect(service.dockerHost(), service.engine());
          }
          if (!remove(engine, directory, session, service)) {
            sleep = Math.min(sleep, HELD_RECHECK_MILLIS); // a run holds it: it marks it idle again, or attached
          }
        }
        if (WarmServices.idle(directory.dir()).size() < idle.size()) {
          continue; // some went, or were attached: look again now (the network goes with the last)
        }
        Thread.sleep(Math.max(MIN_SLEEP_MILLIS, sleep));
      }
    } finally {
      if (engine != null) {
        engine.close();
      }
    }
  }

  /** Removes an idle service past its time, unless a run attached or holds it; returns whether it went. */
  private static boolean remove(Engine engine, SessionDirectory directory, String session,
      WarmServices.Idle service) {
    try {
      boolean removed = WarmServices.removeIdle(engine, directory, session, service.digest(),
          idle -> idle.expired(System.currentTimeMillis()));
      if (removed) {
        LOG.info("Removed service {} of session {}: idle for {} s, berth.reuse", service.digest().substring(0, 12),
            session, service.ttl().toSeconds());
      }
      return removed;
    } catch (RuntimeException e) {
      LOG.warn("Cannot remove the idle service {} of session {} yet: {}", service.digest().substring(0, 12), session,
          e.getMessage());
      return false;
    }
  }

  private static void removeNetworkIfUnused(Engine engine, SessionDirectory directory, String session) {
    try {
      if (WarmServices.removeNetworkIfUnused(engine, directory, session)) {
        LOG.info("Removed the network of session {}: no service is left up", session);
      }
    } catch (RuntimeException e) {
      LOG.warn("Cannot remove the network of session {}: {}", session, e.getMessage());
    }
  }
}
