package dev.berth.internal.net;

import dev.berth.internal.config.BerthConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Where the engine and its containers are, seen from this JVM. The test is the run's network: if its gateway is an
 * address of this JVM's own interfaces, the JVM shares the engine's network (a local Linux engine, also one running
 * in the same container or pod as the JVM) and reaches everything directly. Otherwise it cannot connect to
 * containers' addresses, and where it reaches published ports depends on how it reaches the engine: on its own
 * 127.0.0.1 for an engine in a VM or namespace of this machine (Docker Desktop, Colima, rootless Docker); through
 * its default gateway for the host's engine, whose socket is mounted into the container the JVM runs in (CI jobs,
 * dev containers); at the engine's host for an engine over TCP elsewhere ({@code tcp://docker:2375} of a
 * {@code docker:dind} service).
 *
 * @param kind which of these it is
 * @param machineAddress where this JVM reaches the engine's machine, when that is neither this JVM's network nor its
 *     127.0.0.1, and known
 * @param how what showed it, for messages: {@code the engine is at tcp://docker:2375}
 */
public record EngineLocation(Kind kind, Optional<String> machineAddress, String how) {

  /**
   * The engine's network is this JVM's; this JVM is on a node of the swarm (containers reach it, it reaches their
   * published ports only); published ports are on this machine; on another machine.
   */
  enum Kind { SAME_NETWORK, SWARM_NODE, SAME_MACHINE, CONTAINER_HOST, OTHER_MACHINE }

  static final EngineLocation SAME_NETWORK = new EngineLocation(Kind.SAME_NETWORK, Optional.empty(),
      "the JVM shares the engine's network");
  /** The files a container engine puts into every container it runs (Docker; Podman). */
  private static final List<Path> CONTAINER_MARKERS = List.of(Path.of("/.dockerenv"), Path.of("/run/.containerenv"));
  private static final Path ROUTES = Path.of("/proc/net/route");

  /** Works it out for the engine at {@code engine}, whose network has the gateway {@code gateway}. */
  public static EngineLocation of(URI engine, String gateway) {
    return of(engine, gateway, () -> false);
  }

  /**
   * Works it out for the engine at {@code engine}, whose network has the gateway {@code gateway}, asking
   * {@code rootless} (only when it matters) whether the engine runs as an ordinary user. A rootless engine on a
   * socket runs on this JVM's machine, even where that machine is itself a container: its containers are in a
   * network namespace of that user's, and published ports are forwarded to this machine's 127.0.0.1.
   */
  public static EngineLocation of(URI engine, String gateway, BooleanSupplier rootless) {
    return of(engine, gateway, rootless, false);
  }

  /**
   * As above, for services of a swarm when {@code swarm}: then {@code gateway} is the node's own bridge
   * ({@code docker_gwbridge}), and a JVM that has that address runs on the node and is reached by its containers,
   * while their overlay network is apart from it.
   */
  public static EngineLocation of(URI engine, String gateway, BooleanSupplier rootless, boolean swarm) {
    if (isOwnAddress(gateway)) {
      return swarm ? new EngineLocation(Kind.SWARM_NODE, Optional.empty(), "this JVM runs on the swarm node at "
          + engine + ": containers reach it at " + gateway + " (the node's docker_gwbridge), while their overlay"
          + " network is apart from it") : SAME_NETWORK;
    }
    String scheme = String.valueOf(engine.getScheme()).toLowerCase(Locale.ROOT);
    if (scheme.equals("unix") && rootless.getAsBoolean()) {
      return new EngineLocation(Kind.SAME_MACHINE, Optional.empty(), "the engine at " + engine + " is rootless:"
          + " its containers run in a network namespace of its user's, and published ports are forwarded to this"
          + " machine's 127.0.0.1");
    }
    Optional<Path> marker = CONTAINER_MARKERS.stream().filter(Files::exists).findFirst();
    Optional<String> defaultGateway = Optional.empty();
    if (marker.isPresent()) {
      try {
        defaultGateway = defaultGateway(Files.readString(ROUTES));
      } catch (IOException e) {
        defaultGateway = Optional.empty();
      }
    }
    return apart(engine, gateway, marker, defaultGateway);
  }

  /** The decision for a JVM that does not share the engine's network, whose gateway is {@code gateway}. */
  static EngineLocation apart(URI engine, String gateway, Optional<Path> containerMarker,
      Optional<String> defaultGateway) {
    String scheme = String.valueOf(engine.getScheme()).toLowerCase(Locale.ROOT);
    String notRouted = "the run's network (gateway " + gateway + ") is not one of this JVM's";
    if (scheme.equals("unix") || scheme.equals("npipe")) {
      if (containerMarker.isPresent()) {
        return new EngineLocation(Kind.CONTAINER_HOST, defaultGateway, "this JVM runs in a container ("
            + containerMarker.get() + " exists) and reaches the engine of its host through " + engine
            + defaultGateway.map(g -> ", so it reaches the engine's machine through its default gateway, " + g)
                .orElse(""));
      }
      return new EngineLocation(Kind.SAME_MACHINE, Optional.empty(), notRouted + ": the engine's containers run"
          + " in a VM or namespace of their own (Docker Desktop, Colima, rootless Docker)");
    }
    String host = engine.getHost();
    if (host == null || isLoopback(host)) {
      return new EngineLocation(Kind.SAME_MACHINE, Optional.empty(), notRouted + ": the engine at " + engine
          + " runs its containers apart from this JVM");
    }
    return new EngineLocation(Kind.OTHER_MACHINE, Optional.of(host), "the engine is at " + engine);
  }

  /** Whether this JVM can connect to containers' addresses, and the engine's machine to this JVM's. */
  public boolean sharesNetwork() {
    return kind == Kind.SAME_NETWORK;
  }

  /**
   * Whether containers reach this JVM at the run's gateway (its DNS server, relays of host services), though it may
   * not reach them: so on a swarm node.
   */
  public boolean reachedFromContainers() {
    return kind == Kind.SAME_NETWORK || kind == Kind.SWARM_NODE;
  }

  /** Whether ports the engine publishes on 127.0.0.1 are on this JVM's 127.0.0.1. */
  boolean publishesOnThisMachine() {
    return kind == Kind.SAME_NETWORK || kind == Kind.SWARM_NODE || kind == Kind.SAME_MACHINE;
  }

  private static boolean isOwnAddress(String address) {
    try {
      return NetworkInterface.getByInetAddress(InetAddress.getByName(address)) != null;
    } catch (UnknownHostException | SocketException e) {
      return false;
    }
  }

  /** {@code localhost} or a loopback address; never looked up, a name of another machine must not wait for DNS. */
  private static boolean isLoopback(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return bare.equalsIgnoreCase("localhost")
        || BerthConfig.ipAddress(bare).map(InetAddress::isLoopbackAddress).orElse(false);
  }

  /**
   * The default route's gateway in the kernel's table ({@code /proc/net/route}: addresses in hexadecimal, least
   * significant byte first), as {@code 172.17.0.1}.
   */
  static Optional<String> defaultGateway(String routes) {
    return routes.lines().skip(1).map(line -> line.trim().split("\\s+"))
        .filter(f -> f.length > 2 && f[1].equals("00000000") && !f[2].equals("00000000"))
        .map(f -> {
          long g = Long.parseLong(f[2], 16);
          return (g & 0xff) + "." + (g >> 8 & 0xff) + "." + (g >> 16 & 0xff) + "." + (g >> 24 & 0xff);
        })
        .findFirst();
  }
}
