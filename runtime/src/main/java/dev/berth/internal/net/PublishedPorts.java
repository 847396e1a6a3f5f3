package dev.berth.internal.net;

import dev.berth.BerthException;
import dev.berth.internal.config.BerthConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the engine publishes services' ports ({@code berth.publishAddress}, 127.0.0.1 unless the user asks
 * otherwise) and where this JVM connects to them ({@code berth.hostAddress}, else worked out from the
 * {@link EngineLocation}). A JVM that is not on the engine's machine (in a container, or elsewhere) cannot reach
 * that machine's 127.0.0.1: rather than publish more widely than asked, Berth then refuses the host address, saying
 * which key to set.
 */
public final class PublishedPorts {

  private static final String LOOPBACK = "127.0.0.1";

  private final String bindAddress;
  private final boolean local;
  private final Optional<String> connectTo;
  private final String whyNot;

  private PublishedPorts(String bindAddress, boolean local, Optional<String> connectTo, String whyNot) {
    this.bindAddress = bindAddress;
    this.local = local;
    this.connectTo = connectTo;
    this.whyNot = whyNot;
  }

  /** Ports published on this machine's 127.0.0.1 and reached there: a local engine's defaults, and host services. */
  public static PublishedPorts loopback() {
    return new PublishedPorts(LOOPBACK, true, Optional.of(LOOPBACK), null);
  }

  /**
   * Ports a swarm publishes on the node at {@code node} (every address of it: Swarm binds no single one), reached
   * there.
   */
  public static PublishedPorts at(String node) {
    return new PublishedPorts("0.0.0.0", false, Optional.of(node), null);
  }

  public static PublishedPorts of(BerthConfig config, EngineLocation engine) {
    String bind = config.publishAddress();
    boolean local = engine.publishesOnThisMachine();
    if (config.hostAddress().isPresent()) {
      return new PublishedPorts(bind, local, config.hostAddress(), null);
    }
    InetAddress address = BerthConfig.ipAddress(bind).orElseThrow(); // BerthConfig accepts nothing else
    boolean wildcard = address.isAnyLocalAddress();
    boolean loopback = address.isLoopbackAddress();
    if (local) {
      return new PublishedPorts(bind, true, Optional.of(wildcard || loopback ? LOOPBACK : bind), null);
    }
    if (!wildcard && !loopback) {
      return new PublishedPorts(bind, false, Optional.of(bind), null);
    }
    if (wildcard && engine.machineAddress().isPresent()) {
      return new PublishedPorts(bind, false, engine.machineAddress(), null);
    }
    String whyNot = loopback
        ? "is published on " + bind + " of the engine's machine, which this JVM cannot reach: " + engine.how()
            + ". Publish ports where this JVM reaches them: berth.publishAddress=0.0.0.0 (every interface of the"
            + " engine's machine; Berth then connects to " + engine.machineAddress().orElse("its address") + ")"
            + engine.machineAddress().filter(a -> engine.kind() == EngineLocation.Kind.CONTAINER_HOST).map(a -> ", or"
                + " berth.publishAddress=" + a + " (the host's address on this container's network: only"
                + " containers of that network reach it)").orElse("")
            + "; or, if this JVM reaches the engine's " + bind + " another way (a tunnel, or a container on the"
            + " host's network), say where with berth.hostAddress"
        : "is published on all interfaces of the engine's machine, but Berth cannot tell where this JVM reaches"
            + " that machine: " + engine.how() + ". Say where with berth.hostAddress";
    return new PublishedPorts(bind, false, Optional.empty(), whyNot);
  }

  /** Whether this JVM reaches the published ports at its own loopback address, where it can publish ports too. */
  public boolean reachedAtLoopback() {
    return connectTo.filter(LOOPBACK::equals).isPresent();
  }

  /** The address the engine binds published ports to. */
  public String bindAddress() {
    return bindAddress;
  }

  /** Whether the engine publishes on this JVM's machine, so that a fixed host port can be checked here first. */
  public boolean onThisMachine() {
    return local;
  }

  /**
   * Where this JVM connects to a port published as {@code publishedPort}.
   *
   * @param what the port, as messages name it: {@code port 6379 of service 'cache' (redis:7.0, 3f2a1b9c0d4e)}
   * @throws BerthException if this JVM cannot reach the address the port is published on
   */
  public InetSocketAddress address(int publishedPort, Supplier<String> what) {
    if (connectTo.isEmpty()) {
      throw new BerthException(capitalised(what.get()) + " " + whyNot);
    }
    return new InetSocketAddress(connectTo.get(), publishedPort);
  }

  private static String capitalised(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  @Override
  public String toString() {
    return "published on " + bindAddress + ", reached at " + connectTo.orElse("(unreachable)");
  }
}
