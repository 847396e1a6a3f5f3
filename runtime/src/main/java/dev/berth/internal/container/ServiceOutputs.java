package dev.berth.internal.container;

import dev.berth.BerthException;
import dev.berth.internal.engine.Engine;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output and exits of the run's service containers: followed from when each starts until the engine ends the
 * stream, and waited for before and after a removal, so that a short-lived service's last lines are not lost.
 */
final class ServiceOutputs {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  private static final Duration ATTACH_WAIT = Duration.ofSeconds(2);
  /**
   * How long the end of a run, or a stop, waits for a container's output to arrive in full. The engine sends the
   * output that came before a log stream attached in one piece, and a container removed (or stopped) meanwhile has
   * the stream end with that piece: whatever the container printed after it is lost. So its removal waits until
   * the stream has been quiet for {@link #OUTPUT_QUIET}: such a piece comes at the engine's full speed, a service's
   * own lines seldom that close together. A service that prints without pause delays its removal by at most
   * {@link #OUTPUT_BACKLOG}. After the removal, the engine still sends what it had not; the run waits for that too
   * before it hangs up.
   */
  static final Duration OUTPUT_DRAIN = Duration.ofSeconds(5);
  static final Duration OUTPUT_BACKLOG = Duration.ofSeconds(2);
  private static final Duration OUTPUT_QUIET = Duration.ofMillis(20);
  /** How long a stopped container's log stream is given to end before its output is read again. */
  private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(1);

  private final Supplier<Engine> engine;
  /**
   * Streams being attached (see {@link #attach}): the end of the run waits for them before it removes containers,
   * since a stream asked for after its container is gone gets nothing, and a short-lived service's output is lost.
   */
  private final Set<CompletableFuture<Void>> attaching = ConcurrentHashMap.newKeySet();
  /** The output of the run's service containers, by container id, followed until the engine ends it. */
  private final Map<String, LogTail> following = new ConcurrentHashMap<>();
  /** The engine's streams of each of the run's service containers: its exit and its output. */
  private final Map<String, Watch> watching = new ConcurrentHashMap<>();

  private record Watch(CompletableFuture<Integer> exit, Closeable output) {
    void close() {
      exit.cancel(false);
      RunContainers.closeQuietly(output);
    }
  }

  ServiceOutputs(Supplier<Engine> engine) {
    this.engine = engine;
  }

  /**
   * Follows a container's exit and output, on a thread of its own: readiness polling need not wait for docker-java
   * to set up two streams (about 80 ms in a fresh JVM, a few ms later on). A container that exits meanwhile is
   * noticed once the wait is attached; its output is read from its start (or its last lines, if it ran before).
   */
  void attach(String id, CompletableFuture<Integer> exit, LogTail logs, LateStream logStream, Integer tail) {
    var attached = new CompletableFuture<Void>();
    attaching.add(attached);
    var thread = new Thread(() -> {
      try {
        CompletableFuture<Integer> watch = engine.get().exitCode(id);
        watching.put(id, new Watch(watch, logStream));
        watch.whenComplete((code, failure) -> {
          if (watch.isCancelled()) {
            return;
          }
          if (failure != null) {
            exit.completeExceptionally(failure);
          } else {
            exit.complete(code);
          }
        });
        following.put(id, logs);
        logStream.attached(engine.get().followLogs(id, logs, logs::end, tail));
      } catch (RuntimeException e) {
        LOG.debug("following container {} failed", id, e);
        exit.completeExceptionally(e);
        logs.end();
      } finally {
        attaching.remove(attached);
        attached.complete(null);
      }
    }, "berth-attach");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Before a container's removal: waits, until the deadline at most, for its output stream to be quiet. An interrupt
   * (the end of the run cuts a stop short) is not swallowed here: the stop gives the container back for the end of
   * the run to remove, as it does when interrupted anywhere else.
   */
  void awaitQuiet(String containerId, long deadline) {
    LogTail logs = following.get(containerId);
    if (logs != null && !logs.awaitQuiet(OUTPUT_QUIET, deadline) && Thread.currentThread().isInterrupted()) {
      throw new BerthException("Interrupted while waiting for the output of container " + containerId
          + " before removing it");
    }
  }

  /**
   * After a container's stop, before its removal, on Podman: its log stream ends at the container's exit before all
   * of the output arrived (a burst of 200,000 lines lost its last 2,000 to 5,000), so the output is read once more,
   * while the container is still there, and what the stream missed is added.
   */
  void catchUp(Engine backend, String containerId) {
    LogTail logs = following.get(containerId);
    if (logs == null || !backend.podman()) {
      return;
    }
    logs.awaitEnd(CATCH_UP_WAIT.toNanos());
    try {
      logs.catchUp(backend.output(containerId, OUTPUT_DRAIN, "container " + containerId).lines().toList());
    } catch (RuntimeException e) {
      LOG.debug("the output of container {} could not be read again", containerId, e);
    }
  }

  /** After their removal: waits, until the deadline at most, for these containers' output to arrive in full. */
  void awaitOutputs(Set<String> removedIds, long deadline) {
    for (String id : removedIds) {
      LogTail logs = following.get(id);
      if (logs != null && !logs.awaitEnd(Math.max(0, deadline - System.nanoTime()))) {
        LOG.debug("the output of removed container {} did not end within {} ms", id, OUTPUT_DRAIN.toMillis());
      }
    }
  }

  /** Waits, a bounded time, for the streams still being attached; normally they were attached long ago. */
  void awaitAttachments() {
    try {
      CompletableFuture.allOf(attaching.toArray(CompletableFuture[]::new))
          .get(ATTACH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("streams of the run's containers were not attached within {} ms", ATTACH_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops watching a container the run leaves up for later runs. The JVM's exit waits 300 ms for threads that read
   * a socket, such as the engine's streams of a container that keeps running; their end is now.
   */
  void letGo(String containerId) {
    Watch watch = watching.remove(containerId);
    if (watch != null) {
      watch.close();
    }
    following.remove(containerId);
  }

  /** Stops keeping a removed container's output. */
  void forget(String containerId) {
    following.remove(containerId);
    watching.remove(containerId);
  }

  /**
   * Stops keeping any output: the run has ended. What the run leaves running (for later runs, or for other runs of
   * the session) is no longer watched.
   */
  void forgetAll() {
    following.clear();
    List.copyOf(watching.keySet()).forEach(this::letGo);
  }

  /** A log stream attached in the background: closed before it is attached, it is closed once it is. */
  static final class LateStream implements Closeable {
    private Closeable stream;
    private boolean closed;

    synchronized void attached(Closeable attached) {
      if (closed) {
        RunContainers.closeQuietly(attached);
      } else {
        stream = attached;
      }
    }

    @Override
    public synchronized void close() throws IOException {
      closed = true;
      if (stream != null) {
        stream.close();
      }
    }
  }

}
