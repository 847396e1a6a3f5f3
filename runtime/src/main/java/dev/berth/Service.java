package dev.berth;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A handle on a service of the run. Handles are lazy: the container starts when something needs it running
 * ({@link #start()} or {@link #hostAddress(int)}), and every handle of an equal definition shares one container.
 */
public interface Service {

  /**
   * The service's deterministic hostname on the run's network: its global hostname if it has one, else
   * {@code berth-<digest>} (see {@link ServiceSpec#hostname()}).
   */
  String hostname();

  /** {@code hostname:port} of the first exposed port, for other containers of the run. */
  String endpoint();

  /** {@code hostname:port} for other containers of the run; the port must be exposed. */
  String endpoint(int port);

  /** {@code scheme://hostname:port} for other containers of the run; the port must be exposed. */
  String endpoint(int port, String scheme);

  /**
   * The port's published address for the test JVM (on 127.0.0.1 unless {@code berth.publishAddress} and
   * {@code berth.hostAddress} say otherwise); starts the service if needed.
   */
  InetSocketAddress hostAddress(int port);

  /**
   * How this JVM connects to the service: its published address, and for a database or Redis the JDBC URL or Redis
   * URI, user and password its environment sets up; starts the service if needed.
   *
   * @throws IllegalStateException if the service exposes no port
   */
  ConnectionInfo connection();

  /**
   * How other containers of the run connect to the service: as {@link #connection()}, by hostname and container
   * port.
   */
  ConnectionInfo connectionFromContainers();

  /** Starts the service if it is not running and waits until every exposed port is ready. */
  void start();

  /**
   * Stops the service now: SIGTERM, then a kill after {@code berth.stopTimeout}; returns once the container is
   * gone. The rule: a service can be stopped only when nothing else holds it. This handle's own hold is released
   * first; if other test classes or clients still hold the service, it keeps running and this throws
   * {@link IllegalStateException} saying how many. A later need (or {@link #start()}) starts a new container.
   */
  void stop();

  /**
   * As {@link #stop()}, killing the service once {@code timeout} has passed after its stop signal rather than after
   * {@code berth.stopTimeout}: for a service that ignores SIGTERM, or a test that needs it gone soon.
   * {@link Duration#ZERO} kills it at once, as {@link #kill()} does.
   *
   * @throws IllegalArgumentException if the timeout is negative
   */
  void stop(Duration timeout);

  /**
   * As {@link #stop()}, but kills the service at once (SIGKILL, no stop signal first): for a test of what others do
   * when it dies, or a service not worth waiting for.
   */
  void kill();

  /**
   * What the service's container has printed so far, standard output and standard error interleaved as the engine
   * kept them; starts the service if needed. For a test that checks what a service did, such as a request it logged.
   * Its output also goes, line by line, to the SLF4J logger {@code berth.service.<name>}.
   *
   * @throws IllegalStateException for a replicated service (each replica has its own container) or a service of the
   *     test machine (no container)
   */
  String output();

  /**
   * Runs a command in the service's own container and waits for it, at most {@code berth.execTimeout}; starts the
   * service if needed. For setting a service up or looking into it with its own tools: {@code db.exec("psql", "-U",
   * "postgres", "-c", "CREATE TABLE ...")}. Equal definitions share one container in a run, so what a command changes,
   * every test using the service sees: keep to what they do not depend on, or give the spec an instance id.
   *
   * @throws IllegalStateException for a replicated service or a service of the test machine (see {@link #output()})
   * @throws BerthException if the command cannot be started (the image lacks it) or runs past the timeout
   */
  ExecResult exec(String... command);

  /**
   * Reads a file from the service's own container as UTF-8 (a file the service wrote, say); starts the service if
   * needed.
   *
   * @throws IllegalStateException for a replicated service or a service of the test machine (see {@link #output()})
   * @throws BerthException if there is no such file
   */
  String readFile(String path);

  /**
   * Reads a file from the service's own container as it is (a dump, an archive, a binary the service wrote); as
   * {@link #readFile(String)} otherwise.
   */
  byte[] readBytes(String path);

  /** The digest of the service's definition. */
  String digest();

  /** Whether the service's container is running and was found healthy. */
  boolean isRunning();
}
