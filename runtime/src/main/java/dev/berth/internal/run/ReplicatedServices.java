package dev.berth.internal.run;

import dev.berth.BerthException;
import dev.berth.Protocol;
import dev.berth.internal.container.ReplicaHealth;
import dev.berth.internal.container.RunContainers;
import dev.berth.internal.container.RunningService;
import dev.berth.internal.container.ServiceOperations;
import dev.berth.internal.container.ServiceStarter;
import dev.berth.internal.net.VipBalancer;
import dev.berth.internal.spec.Definition;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services of several replicas ({@code withReplicas}) or behind a VIP ({@code withVip}): each replica starts as a
 * service of its own, and this class keeps the group's VIP and DNS records to the healthy ones. Other services pass
 * straight to the run's containers.
 */
final class ReplicatedServices implements ServiceStarter, Closeable {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  private final RunContainers containers;
  /** Replicated services by digest: their replicas, and what closes their VIP and records. */
  private final Map<String, Group> groups = new ConcurrentHashMap<>();

  private record Group(List<RunningService> replicas, Closeable closer) {
  }

  ReplicatedServices(RunContainers containers) {
    this.containers = containers;
  }

  @Override
  public RunningService start(String name, Definition spec, Map<String, String> boundHosts) {
    if (spec.replicas() > 1 || spec.vipName().isPresent()) {
      return startReplicated(name, spec, boundHosts);
    }
    return containers.start(name, spec, boundHosts);
  }

  /** A group's records are the group's own, published as its replicas' health changes; a single service's, once. */
  @Override
  public void announce(RunningService service) {
    if (!groups.containsKey(service.spec().digest())) {
      containers.announce(service);
    }
  }

  @Override
  public void stop(RunningService service) {
    stop(service, containers::stop);
  }

  @Override
  public void stop(RunningService service, Duration timeout) {
    stop(service, each -> containers.stop(each, timeout));
  }

  private void stop(RunningService service, Consumer<RunningService> stopOne) {
    Group group = groups.remove(service.spec().digest());
    if (group == null) {
      stopOne.accept(service);
      return;
    }
    LOG.debug("Stopping service {}", service.describe());
    RunContainers.closeQuietly(group.closer());
    group.replicas().forEach(stopOne);
  }

  /** Closes every group's VIP and records; the run's containers remove the replicas themselves. */
  @Override
  public void close() {
    groups.values().forEach(group -> RunContainers.closeQuietly(group.closer()));
    groups.clear();
  }

  /**
   * Starts each replica as a service of its own ({@code <name>-<index>}), then tracks their health: the service's
   * DNS records (and its VIP, if it has one) hold the healthy replicas only. The service's address is the VIP's
   * (the host's address on the network) or, without a VIP, the first replica's. Its published ports are the first
   * replica's, but for the VIP's: the test JVM reaches those at a port of its own loopback that balances as the VIP.
   */
  private RunningService startReplicated(String name, Definition spec, Map<String, String> boundHosts) {
    String what = "service " + RunningService.describe(name, spec);
    if (!spec.hostPorts().isEmpty() || !spec.globalHostnames().isEmpty()) {
      throw new BerthException("The " + spec.replicas() + " replicas of " + what + " cannot share fixed host ports"
          + " (withHostPort) or global hostnames (withHostname): each would claim them. Reach them through a VIP"
          + " (withVip) or their SRV records instead");
    }
    if (spec.vipName().isPresent() && !spec.tcpPorts().contains(spec.vipTargetPort())) {
      throw new BerthException("The VIP '" + spec.vipName().get() + "' of " + what + " passes its connections to TCP"
          + " port " + spec.vipTargetPort() + ", which the service does not expose as one; exposed TCP ports: "
          + spec.tcpPorts() + ". Expose it (withExposedPort), or name an exposed port as the VIP's container port"
          + " (withVip(name, vipPort, containerPort))");
    }
    if (spec.tcpPorts().isEmpty()) {
      throw new BerthException("The replicas of " + what + " expose no TCP port, so they cannot be told healthy;"
          + " expose one with withExposedPort");
    }
    boolean swarm = containers.onSwarm();
    if (swarm && spec.vipName().isPresent() && spec.vipPort() != spec.vipTargetPort()) {
      throw new BerthException("The VIP '" + spec.vipName().get() + "' of " + what + " takes port " + spec.vipPort()
          + " to the replicas' port " + spec.vipTargetPort() + ", but on Docker Swarm a VIP is a name the swarm's DNS"
          + " answers with every replica, which moves no port: give the VIP the replicas' port"
          + " (withVip(name, " + spec.vipTargetPort() + "))");
    }
    if (!swarm) {
      containers.requireSharedNetwork("The " + spec.replicas() + " replicas of " + what + " cannot run here: Berth"
          + " checks their health and serves their VIP from the engine machine's address on the run's network",
          "Run one instance (no withReplicas)");
    }
    var replicas = new ArrayList<RunningService>();
    // Without a VIP the engine answers the group's hostname with every replica, in turn, even while the test JVM is
    // paused; with one, the hostname is the VIP's, which only the test JVM serves. On a swarm, the VIP's name too is
    // the engine's: its DNS answers it with every replica whose task runs.
    var groupNames = new ArrayList<String>();
    if (swarm || spec.vipName().isEmpty()) {
      groupNames.add(spec.digestHostname());
    }
    if (swarm) {
      spec.vipName().ifPresent(groupNames::add);
    }
    try {
      for (int i = 0; i < spec.replicas(); i++) {
        replicas.add(containers.startReplica(name + "-" + i, spec.replica(i), boundHosts, groupNames));
      }
    } catch (RuntimeException e) {
      replicas.forEach(containers::discard);
      throw e;
    }
    String gateway = containers.gateway();
    int port = spec.vipName().isPresent() ? spec.vipTargetPort() : spec.tcpPorts().get(0);
    int vipPort = spec.vipPort();
    // On a swarm this JVM reaches each replica at its own published port, not at its address on the overlay.
    var members = replicas.stream().map(r -> new VipBalancer.Replica(r.spec().digestHostname(), swarm
        ? r.published().address(r.hostPorts().get(port), () -> "port " + port + " of replica " + r.describe())
        : new InetSocketAddress(r.address(), port), r.exit())).toList();
    var onNetwork = new HashMap<String, InetAddress>();
    replicas.forEach(r -> onNetwork.put(r.spec().digestHostname(), address(r.address())));
    String token = "group-" + replicas.get(0).containerId();
    Consumer<List<VipBalancer.Replica>> publish = healthy -> register(name, spec, token,
        healthy.stream().map(VipBalancer.Replica::hostname).toList(), onNetwork, swarm ? null : gateway);
    VipBalancer balancer;
    try {
      InetAddress vipAddress = spec.vipName().isPresent() && !swarm ? InetAddress.getByName(gateway) : null;
      balancer = VipBalancer.start(name, vipAddress, vipPort, members,
          ReplicaHealth.of(spec, port, VipBalancer.DEADLINE_MILLIS), publish);
    } catch (IOException e) {
      replicas.forEach(containers::discard);
      throw new BerthException("The VIP '" + spec.vipName().orElse("") + "' of " + what + " cannot listen on "
          + gateway + ":" + vipPort + " (" + e.getMessage() + "); another VIP or host service of the run may use"
          + " that port", e);
    }
    RunningService first = replicas.get(0);
    Map<Integer, Integer> hostPorts = first.hostPorts();
    if (spec.vipName().isPresent() && first.published().reachedAtLoopback()) {
      // The test JVM's connections to the VIP's port are balanced as the containers' are.
      try {
        int published = balancer.publishOn(InetAddress.getLoopbackAddress());
        hostPorts = new HashMap<>(hostPorts);
        hostPorts.put(port, published);
        hostPorts.put(vipPort, published);
      } catch (IOException e) {
        balancer.close();
        replicas.forEach(containers::discard);
        throw new BerthException("The VIP '" + spec.vipName().get() + "' of " + what + " cannot listen on this"
            + " machine's loopback address (" + e.getMessage() + ")", e);
      }
    }
    publish.accept(balancer.healthyReplicas());
    Closeable closer = () -> {
      balancer.close();
      containers.zone().ifPresent(zone -> zone.unregister(spec.digest(), token));
    };
    groups.put(spec.digest(), new Group(List.copyOf(replicas), closer));
    var exits = replicas.stream().map(RunningService::exit).toArray(CompletableFuture[]::new);
    CompletableFuture<Integer> exit = CompletableFuture.allOf(exits).handle((v, failure) -> 0);
    LOG.info("Service {} runs {} replicas{}", RunningService.describe(name, spec), replicas.size(),
        spec.vipName().map(v -> swarm ? " behind VIP " + v + ", a name Swarm's DNS answers with every replica in"
            + " turn (DNS round robin, no IPVS needed)" : " behind VIP " + v + " at " + gateway + ":" + vipPort
            + (vipPort == port ? "" : " (to their port " + port + ")")).orElse(""));
    return new RunningService(name, spec, null, spec.vipName().isPresent() && !swarm ? gateway : first.address(),
        Map.copyOf(hostPorts), first.published(), first.logs(), exit, closer,
        ServiceOperations.none(RunningService.describe(name, spec), "it runs " + spec.replicas()
            + " replicas, each a service of its own (" + name + "-0, " + name + "-1, ...)"));
  }

  /**
   * The records of a replicated service: its names (and VIP name), and SRV records of its healthy replicas (by
   * hostname; {@code onNetwork} has their addresses). The names are the VIP's address, {@code vipAddress}, where
   * Berth serves the VIP; else every healthy replica's.
   */
  private void register(String name, Definition spec, String token, List<String> healthy,
      Map<String, InetAddress> onNetwork, String vipAddress) {
    containers.zone().ifPresent(zone -> {
      var names = new ArrayList<String>(List.of(name, spec.digestHostname()));
      spec.vipName().ifPresent(names::add);
      var addresses = spec.vipName().isPresent() && vipAddress != null ? List.of(address(vipAddress))
          : healthy.stream().map(onNetwork::get).toList();
      List<String> services = List.of(name, spec.digestHostname());
      List<String> targets = healthy;
      zone.register(spec.digest(), token, names, addresses, services, targets, spec.tcpPorts());
      spec.portNames().forEach((port, portName) -> zone.registerNamedPort(spec.digest(), token, targets, services,
          portName, spec.protocol(port) == Protocol.UDP, port));
    });
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new BerthException("'" + literal + "' is no IP address", e);
    }
  }
}
