package dev.berth.internal.engine;

import dev.berth.BerthException;
import dev.berth.ExecResult;
import dev.berth.internal.engine.ContainerRequest.ContainerPort;
import dev.berth.internal.spec.ImageBuild;
import dev.berth.internal.spec.ImageReference;
import java.io.Closeable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What Berth asks of a container engine: images, networks, volumes, containers, execs, files, logs and exits. The
 * lifecycle (the container package) talks to this; {@link DockerBackend} is Docker's, through docker-java, and
 * engine specifics (another engine, or a dialect of Docker's API) belong behind it. It knows nothing of services:
 * it takes and returns the engine's facts.
 */
public interface Engine extends AutoCloseable {

  URI host();

  /**
   * Whether the engine is Podman's Docker-compatible service. Two of its ways differ from Docker's where Berth relies
   * on them: it creates a network's bridge, and so the gateway's address, only when the first container joins; and
   * its own DNS server (aardvark-dns) holds port 53 on every network's gateway.
   */
  boolean podman();

  /**
   * Whether the engine runs as an ordinary user (rootless Docker, rootless Podman): its containers live in a network
   * namespace of that user's, which the JVM cannot enter, while published ports reach the machine's 127.0.0.1.
   */
  boolean rootless();

  /**
   * Whether services run as Docker Swarm services ({@code berth.engine=swarm}) on an overlay network: containers
   * reach the machine of the node they run on through its {@code docker_gwbridge}, whose gateway {@link #gateway}
   * gives, while a JVM on that machine reaches them only through published ports.
   */
  default boolean swarm() {
    return false;
  }

  /**
   * Has the shared mapper learn the requests and responses of every service start, where a thread can afford it
   * ahead of the first start; in the order a first start needs them. The mapper builds one reader at a time (a
   * lock of its own), so the start waits for whatever is being learned: better the type it needs next than the
   * largest one, which it needs last. Once per JVM.
   */
  void learnEngineMessages();

  /** Whether the engine has the image, by reference or id. */
  boolean hasImage(String image);

  /**
   * Pulls the image, with the registry's credentials, within {@code timeout}; {@code evenIfPresent} says the engine
   * may have a copy already (a failure then says that it would be used with {@code berth.imagePull=missing}).
   */
  void pull(ImageReference image, boolean evenIfPresent, Duration timeout, String neededBy);

  /** Builds the image from its Dockerfile and context, tagged and labelled as Berth's, within {@code timeout}. */
  void build(ImageBuild build, Duration timeout, String neededBy);

  /**
   * Removes the images built before from the same Dockerfile, arguments and context directory, but other files
   * ({@code berth.builds.prune}); an image a container uses is left.
   */
  void removeSupersededBuilds(ImageBuild build);

  /** Creates the network, or finds it if another run of the session created it first. */
  default String createNetwork(String name, Map<String, String> labels) {
    return createNetwork(name, labels, true);
  }

  /**
   * Creates the network, or finds it if another run of the session created it first; with {@code engineDns} false,
   * on Podman, without Podman's own DNS server (aardvark-dns), so that Berth's can listen on the gateway. Docker's
   * resolver lives in each container and takes nothing of the network's, so Docker's networks keep it.
   */
  String createNetwork(String name, Map<String, String> labels, boolean engineDns);

  /**
   * The name of the bridge interface the engine made for the network, where the engine says (Podman's own API;
   * Docker's bridges need no one to know it): on rootless Podman it lives in the user's network namespace.
   */
  Optional<String> bridgeInterface(String network);

  /** A container by name, if it exists: whether it runs, and its address on the network and published ports. */
  Optional<ExistingContainer> findContainer(String name, String network, List<ContainerPort> ports);

  /**
   * The host's own address on the network (its bridge's gateway), where containers reach the test machine. The
   * network's IPAM configuration names it, except where the engine left it out (the default bridge of an engine
   * started for the first time shows only its subnet): then an attached container's endpoint says it, or else it is
   * the subnet's first address, which the engine's default address management gives the bridge.
   */
  String gateway(String network);

  /** Creates the named volume with its labels unless it exists; an existing one is used as it is. */
  void ensureVolume(String name, Map<String, String> labels);

  /** Removes the volumes carrying the label that no container uses; returns their names. */
  List<String> removeUnusedVolumes(String label, String value);

  /**
   * Removes the network. Endpoints can outlive their containers for a moment (a removal still in progress, maybe
   * another run's), so a refusal because containers are attached (Docker: "active endpoints"; Podman: "network is
   * being used") disconnects what is left and tries again, for up to about five seconds.
   */
  void removeNetwork(String id);

  /** Takes a container off a network at once, whether it runs or not; one that has left or is gone is fine. */
  void disconnect(String network, String container);

  /**
   * Creates, fills and starts a container on the network, then reads back its address and published ports. If
   * any step fails, the container is removed before the failure propagates.
   */
  StartedContainer createAndStart(ContainerRequest request, String network, DnsSettings dns, String publishOn);

  /**
   * Completes with the container's exit code when it stops (or exceptionally when it is removed first). Cancelling
   * it stops watching: the engine's stream closes.
   */
  CompletableFuture<Integer> exitCode(String id);

  /**
   * Everything a container has printed so far, standard output and standard error interleaved as the engine kept
   * them.
   */
  String output(String id, Duration timeout, String what);

  /**
   * Streams the container's output, line by line, until it stops or the returned handle is closed, starting with
   * the last {@code tail} lines (all when null); {@code end} runs once the stream ends.
   */
  Closeable followLogs(String id, Consumer<String> lines, Runnable end, Integer tail);

  /**
   * Follows the engine's events for {@code network}, from now until the returned handle is closed: each container
   * taken off it (however: {@code docker network disconnect}, its removal) goes to {@code disconnected} by id.
   */
  Closeable watchDisconnects(String network, Consumer<String> disconnected);

  /**
   * Runs a command in a container and waits for it, at most {@code timeout} (named {@code timeoutKey} in the
   * failure). Throws {@link CommandCannotRun} if the engine cannot start the command, {@link ExecTimedOut} if it
   * runs past the time.
   */
  ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where);

  /**
   * As above, abandoned (within a tenth of a second) with {@link ExecAbandoned} once {@code abandonWhen} completes;
   * the command goes on running in the container.
   */
  ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where, CompletableFuture<?> abandonWhen);

  /** Writes a regular file (mode 0644, parent directories made as needed) into a container, replacing one there. */
  void writeFile(String id, String path, byte[] contents, String where);

  byte[] readFile(String id, String path, String where);

  /**
   * Sends the container's stop signal (SIGTERM unless its image says otherwise) and waits up to {@code timeout} for
   * it to exit; after whole seconds the engine kills it, after a timeout of less (or with a fraction of a second) the
   * caller's {@link #remove} does. A stopped or missing container is fine.
   */
  void stop(String id, Duration timeout);

  /** Removes the container with its anonymous volumes, killing it if it still runs. */
  void remove(String id);

  /** Every container carrying all the labels, running or not, with all its labels. */
  List<Listed> containersOf(Map<String, String> labels);

  /** The ids of every container carrying all the labels, running or not. */
  List<String> containersLabelled(Map<String, String> labels);

  /** Closes the connection to the engine. */
  @Override
  void close();

  /** A container found by name; {@code running} tells whether it can be joined or must be replaced. */
  public record ExistingContainer(boolean running, StartedContainer container) {
  }

  /** The DNS server containers forward to, and the search domain that makes short names names in its zone. */
  public record DnsSettings(String server, String search) {
  }

  /** A container found by its labels. */
  public record Listed(String id, Map<String, String> labels) {
  }

  /** An exec whose command the engine could not start at all (not in the image, not executable). */
  public static final class CommandCannotRun extends BerthException {
    private static final long serialVersionUID = 1L;

    CommandCannotRun(String message) {
      super(message);
    }
  }

  /** An exec that ran past the time it was given; the engine goes on running it. */
  public static final class ExecTimedOut extends BerthException {
    private static final long serialVersionUID = 1L;

    ExecTimedOut(String message) {
      super(message);
    }
  }

  /**
   * An engine call that got no whole answer within its deadline: the message names the engine, the call, the time
   * waited and what to check. The engine may still carry the call out.
   */
  public static final class CallTimedOut extends BerthException {
    private static final long serialVersionUID = 1L;

    CallTimedOut(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** An exec given up because what it waited for said so; the engine goes on running it. */
  public static final class ExecAbandoned extends BerthException {
    private static final long serialVersionUID = 1L;

    ExecAbandoned(String message) {
      super(message);
    }
  }

  /** The engine refused a container because another one has its name. */
  public static final class NameTakenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NameTakenException(String name, Throwable cause) {
      super("A container named " + name + " exists already", cause);
    }
  }

  /**
   * A started container: its id, its address on the run's network, its published ports, its image's
   * {@code HEALTHCHECK} as the engine keeps it ({@link Healthcheck#NONE} if the image has none), and, for a swarm
   * task, the address of the node it runs on, where its ports are published.
   */
  public record StartedContainer(String id, String address, Map<Integer, Integer> hostPorts, Healthcheck healthcheck,
      Optional<String> node) {

    public StartedContainer(String id, String address, Map<Integer, Integer> hostPorts, Healthcheck healthcheck) {
      this(id, address, hostPorts, healthcheck, Optional.empty());
    }
  }

  static String cacheVolumeName(String cache) {
    return "berth-cache-" + cache;
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    // A deadline's own message names the call and the setting; what the transport said below it names neither.
    while (!(root instanceof CallTimedOut) && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
    return message.replaceAll("\\s+", " ");
  }
}
