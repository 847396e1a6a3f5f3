package dev.berth.internal.container;

import dev.berth.BerthException;
import dev.berth.internal.dns.RunDns;
import dev.berth.internal.net.HostRelay;
import dev.berth.internal.net.PublishedPorts;
import dev.berth.internal.session.SessionNetwork;
import dev.berth.internal.spec.Definition;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services of the test machine ({@code ServiceSpec.host}): relayed onto the run's network and named in its DNS from
 * their start until their stop. They have no container.
 */
final class HostServices {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  private final SessionNetwork network;
  private final Placement placement;
  private final RunDns dns;

  HostServices(SessionNetwork network, Placement placement, RunDns dns) {
    this.network = network;
    this.placement = placement;
    this.dns = dns;
  }

  /**
   * A service of the test machine: checks that it listens, then relays the host's address on the run's network, at
   * each port it is offered on, to its port on the test machine, and publishes its hostname and name in the
   * session's DNS, as for a container. If an offered port that is its own port is taken on the gateway address, the
   * service most likely listens on every interface already and containers reach it there directly.
   */
  RunningService start(String name, Definition spec) {
    URI address = spec.hostTarget().orElseThrow();
    String what = "Host service '" + name + "' (" + address + ")";
    placement.requireReachedFromContainers(what + " cannot be relayed to the run's containers: Berth relays it from"
        + " the engine machine's address on the run's network", "Run the service in a container (@ServiceContainer)");
    Map<Integer, Integer> ports = spec.relays();
    if (ports.isEmpty()) {
      throw new BerthException(what + " has no port: give it in the address (tcp://host:port), or offer ports with"
          + " withRelayedPort(port, hostPort)");
    }
    String gateway = network.gateway();
    var relays = new ArrayList<Closeable>();
    try {
      for (Map.Entry<Integer, Integer> port : ports.entrySet()) {
        relays.add(relay(name, address.getHost(), port.getKey(), port.getValue(), gateway));
      }
    } catch (RuntimeException e) {
      relays.forEach(RunContainers::closeQuietly);
      throw e;
    }
    LOG.info("{} is reachable from the run's containers at {} (ports {} to the test machine's {})", what, gateway,
        ports.keySet(), ports.values());
    var running = new RunningService(name, spec, null, gateway, ports, PublishedPorts.loopback(),
        new LogTail("berth.service." + name), new CompletableFuture<>(),
        () -> relays.forEach(RunContainers::closeQuietly),
        ServiceOperations.none(RunningService.describe(name, spec), "it is a service of the test machine"));
    dns.publish(running.dnsEntry());
    return running;
  }

  /** Relays {@code gateway:port} to {@code host:hostPort}, which must accept connections. */
  private Closeable relay(String name, String host, int port, int hostPort, String gateway) {
    String what = "Host service '" + name + "' (tcp://" + host + ":" + hostPort + ")";
    var target = new InetSocketAddress(host, hostPort);
    try (var probe = new Socket()) {
      probe.connect(target, 2000);
    } catch (IOException e) {
      throw new BerthException(what + " is not listening: " + e.getMessage() + ". Start it before the first test"
          + " that binds it, or fix the address", e);
    }
    try {
      return HostRelay.start(name, InetAddress.getByName(gateway), port, target);
    } catch (IOException e) {
      if (port != hostPort || !PortProbe.direct().accepts(gateway, port)) {
        throw new BerthException(what + " cannot be relayed to the run's containers: port " + port
            + " on the host's network address " + gateway + " is taken (" + e.getMessage() + ")", e);
      }
      LOG.debug("{} already answers on {}:{}; no relay needed", what, gateway, port);
      return () -> { };
    }
  }


  /** Ends the relays and takes the service's records out of the session's zone. */
  void stop(RunningService service) {
    RunContainers.closeQuietly(service.logStream());
    dns.withdraw(service.dnsEntry());
  }
}
