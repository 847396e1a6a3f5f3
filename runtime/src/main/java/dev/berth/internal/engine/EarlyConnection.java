package dev.berth.internal.engine;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to the engine made ahead of the first run that needs one ({@link ServiceRuntime#connectAhead}):
 * in a fresh JVM, connecting costs about 0.4 s, mostly loading docker-java, and a test tool can hide that behind
 * work it does anyway. Made once; the first run that asks for the same engine takes it. The thread then has the
 * JVM learn the engine's messages ({@link DockerBackend#learnEngineMessages}).
 */
public final class EarlyConnection {

  /** The JVM's one early connection. */
  public static final EarlyConnection JVM = new EarlyConnection();

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  private boolean begun;
  private Optional<String> host = Optional.empty();
  private EngineDeadlines deadlines;
  private CompletableFuture<DockerBackend> pending;

  /**
   * Starts connecting in the background to the engine {@code dockerHost} names (absent: the usual lookup), with the
   * deadlines set outside JUnit's configuration; {@code attaching}: the run will most likely attach to services left
   * warm ({@link DockerBackend#learnEngineMessages(boolean)}).
   */
  public void begin(Optional<String> dockerHost, boolean attaching) {
    EngineDeadlines outside = EngineDeadlines.fromSystem();
    var connecting = new CompletableFuture<DockerBackend>();
    synchronized (this) {
      if (begun) {
        return;
      }
      begun = true;
      host = dockerHost;
      deadlines = outside;
      pending = connecting;
    }
    var thread = new Thread(() -> {
      try {
        DockerBackend backend = DockerBackend.connect(dockerHost, outside);
        connecting.complete(backend);
        backend.learnEngineMessages(attaching);
      } catch (RuntimeException | LinkageError e) {
        connecting.completeExceptionally(e);
      }
    }, "berth-connect-ahead");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The early connection, if it is to the engine {@code dockerHost} names, with the same deadlines, and nobody took
   * it yet; waits for it if it is still being made (at most the ping's deadline, as connecting does). When it failed,
   * or is to another engine, the caller connects itself (and reports what went wrong).
   */
  public Optional<DockerBackend> take(Optional<String> dockerHost, EngineDeadlines wanted) {
    CompletableFuture<DockerBackend> connecting;
    boolean sameEngine;
    synchronized (this) {
      connecting = pending;
      pending = null;
      sameEngine = dockerHost.equals(host) && wanted.equals(deadlines);
    }
    if (connecting == null) {
      return Optional.empty();
    }
    if (!sameEngine) {
      connecting.thenAccept(DockerBackend::close);
      return Optional.empty();
    }
    try {
      return Optional.of(connecting.join());
    } catch (CompletionException e) {
      LOG.debug("connecting ahead failed; connecting again", e.getCause());
      return Optional.empty();
    }
  }
}
