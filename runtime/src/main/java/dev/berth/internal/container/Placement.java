package dev.berth.internal.container;

import dev.berth.BerthException;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.net.EngineLocation;
import dev.berth.internal.net.GatewayBridge;
import dev.berth.internal.net.PublishedPorts;
import dev.berth.internal.session.SessionNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where this JVM stands relative to the engine's network, worked out once the run's network exists: whether it
 * reaches containers directly (readiness, relays, DNS need that), and where published ports are reached.
 */
final class Placement {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  private final Supplier<Engine> engine;
  private final BerthConfig config;
  private final SessionNetwork network;
  /** Attaches an idle container of the run to the network (Podman makes the network's bridge only then). */
  private final Runnable attachAnchor;
  private volatile EngineLocation engineLocation;
  private volatile PublishedPorts publishedPorts;

  Placement(Supplier<Engine> engine, BerthConfig config, SessionNetwork network, Runnable attachAnchor) {
    this.engine = engine;
    this.config = config;
    this.network = network;
    this.attachAnchor = attachAnchor;
  }

  /** Where the engine and its containers are, seen from this JVM; worked out once the run's network exists. */
  EngineLocation engineLocation() {
    EngineLocation location = engineLocation;
    if (location == null) {
      synchronized (this) {
        location = engineLocation;
        if (location == null) {
          location = locate();
          engineLocation = location;
          if (!location.sharesNetwork()) {
            LOG.info("This JVM does not share the engine's network: {}. Readiness is checked by a probe container"
                + " unless berth.readiness says otherwise", location.how());
          }
        }
      }
    }
    return location;
  }

  private EngineLocation locate() {
    EngineLocation location = EngineLocation.of(engine.get().host(), network.gateway(), engine.get()::rootless,
        engine.get().swarm());
    if (!location.sharesNetwork() && engine.get().podman()) {
      // Podman gives the gateway's address to a bridge it makes only when the first container joins the network:
      // until then a JVM beside the engine looks apart from it. An idle container of the run makes the bridge and
      // keeps it up; a JVM that is really apart (a container, a VM) still finds the address not its own.
      attachAnchor.run();
      location = EngineLocation.of(engine.get().host(), network.gateway(), engine.get()::rootless);
    }
    if (location.sharesNetwork()) {
      GatewayBridge.pinAddress(network.gateway());
    } else if (engine.get().podman() && engine.get().rootless() && "unix".equals(engine.get().host().getScheme())) {
      engine.get().bridgeInterface(network.join()).ifPresent(GatewayBridge::pinAddressInRootlessNamespace);
    }
    return location;
  }

  PublishedPorts publishedPorts() {
    PublishedPorts ports = publishedPorts;
    if (ports == null) {
      ports = PublishedPorts.of(config, engineLocation());
      publishedPorts = ports;
    }
    return ports;
  }

  /**
   * Fails where this JVM does not share the engine's network, for what needs it (host services, replicas): says
   * {@code problem}, why, and {@code instead}, or to run the tests beside an engine whose network they share.
   */
  void requireSharedNetwork(String problem, String instead) {
    if (!engineLocation().sharesNetwork()) {
      throw new BerthException(problem + ", and " + engineLocation().how() + ". " + instead
          + ", or the tests on the machine of an engine whose containers share its network (a rootful Docker Engine"
          + " or Podman on Linux)");
    }
  }

  /**
   * Fails where the run's containers cannot reach this JVM at the network's gateway, for what needs that (host
   * services): says {@code problem}, why, and {@code instead}.
   */
  void requireReachedFromContainers(String problem, String instead) {
    if (!engineLocation().reachedFromContainers()) {
      requireSharedNetwork(problem, instead);
    }
  }

  /** The session's DNS server listens on the network's gateway, an address of the engine's machine. */
  boolean dnsWanted() {
    if (!config.dns()) {
      return false;
    }
    if (engine.get().podman()) {
      return dnsWantedOnPodman();
    }
    if (!engineLocation().reachedFromContainers()) {
      LOG.info("Berth runs without DNS discovery: its server listens on the engine machine's address on the run's"
          + " network, and {}. /etc/hosts aliases of bound services still work", engineLocation().how());
      return false;
    }
    return true;
  }

  private boolean dnsWantedOnPodman() {
    Optional<String> kept = whyPodmansDnsStays(engine.get());
    if (kept.isPresent()) {
      LOG.info("Berth runs without its DNS server: Podman's own (aardvark-dns) serves the run's network, since {}."
          + " Containers resolve services' hostnames and global hostnames through Podman's, and bound aliases"
          + " through /etc/hosts; SRV records, the session's zone, VIP and host-service names and"
          + " dev.berth.Discovery are not served", kept.get());
      return false;
    }
    if (!engineLocation().sharesNetwork()) {
      LOG.warn("Berth turned Podman's DNS server off on the run's network to serve the network's names itself, but"
          + " {}: containers resolve only bound aliases (/etc/hosts). Set berth.dns=false to keep Podman's",
          engineLocation().how());
      return false;
    }
    return true;
  }

  /**
   * Whether Berth's DNS server serves the run's network on Podman, in place of Podman's own (the network is then
   * made without it, which would hold port 53 on the gateway), so that the run has its whole zone as on Docker: SRV
   * records, the session's names, VIP and host-service names, {@code Discovery}. Podman's serves none of these.
   */
  static boolean servesDnsOnPodman(BerthConfig config, Engine engine) {
    return config.dns() && engine.podman() && whyPodmansDnsStays(engine).isEmpty();
  }

  /** Why Berth's server cannot listen on the gateway of a Podman network, if it cannot. */
  private static Optional<String> whyPodmansDnsStays(Engine engine) {
    if (engine.rootless()) {
      return Optional.of("the engine is rootless (its networks are apart from this JVM's)");
    }
    if (!"unix".equals(engine.host().getScheme())) {
      return Optional.of("the engine is reached over " + engine.host().getScheme() + ", from another machine");
    }
    if (!runsAsRoot()) {
      return Optional.of("this JVM may not listen on port 53 (it does not run as root)");
    }
    return Optional.empty();
  }

  /** Whether this process's effective user is root; false where that cannot be read (not Linux). */
  private static boolean runsAsRoot() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(line -> line.startsWith("Uid:"))
          .map(line -> line.split("\\s+")).anyMatch(fields -> fields.length > 2 && fields[2].equals("0"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

}
