package dev.berth;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's network, shared by its runs (one per JVM): created by the first run that needs it, joined by the
 * others, removed by the last to end. This run's lease on {@code run} in the session directory says the run is
 * alive (and tells the watchdog whose run it is); the {@code network} mutex makes "create or join" and "leave, and
 * remove if last" one step across JVMs. The run's DNS server listens on the network's gateway; the runs of one JVM
 * share it.
 */
final class SessionNetwork {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /**
   * This JVM's DNS servers, by the address they listen on. Runs of one session share its network, so a second run of
   * the session in the JVM (a test that starts a runtime of its own, say) could not bind the gateway's port: it
   * publishes its services on the server that listens there, and the last run to end closes it.
   */
  private static final Map<String, SharedDns> DNS_SERVERS = new HashMap<>();

  /** A DNS server and how many of this JVM's runs publish on it. */
  private static final class SharedDns {
    final DnsServer server;
    int runs;

    SharedDns(DnsServer server) {
      this.server = server;
    }
  }

  private final Supplier<DockerBackend> engine;
  private final String runId;
  private final String session;
  private final Object lock = new Object();
  private volatile SessionDirectory directory;
  private volatile String name;
  /** The run's DNS server, started with the network: null until then, or if it could not bind its port. */
  private volatile DnsServer dns;
  private volatile DockerBackend.DnsSettings dnsSettings;
  private final AtomicBoolean dnsStopped = new AtomicBoolean();

  SessionNetwork(Supplier<DockerBackend> engine, String runId, String session) {
    this.engine = engine;
    this.runId = runId;
    this.session = session;
  }

  /** The session's network name. */
  static String nameOf(String session) {
    return "berth-" + sessionKey(session);
  }

  /** The session's name as it may appear in the names of networks and containers. */
  static String sessionKey(String session) {
    return session.replaceAll("[^a-zA-Z0-9_.-]", "-");
  }

  /**
   * The session's directory of leases and mutexes, which says which runs of the session are alive and which service
   * containers they hold; opened on first use, so that a run that starts nothing leaves no trace.
   */
  SessionDirectory directory() {
    SessionDirectory opened = directory;
    if (opened == null) {
      synchronized (lock) {
        opened = directory;
        if (opened == null) {
          opened = new SessionDirectory(session, runId);
          directory = opened;
        }
      }
    }
    return opened;
  }

  /** The network's name, once this run has created or joined it; creates or joins it on the first call. */
  String join() {
    String net = name;
    if (net == null) {
      synchronized (lock) {
        net = name;
        if (net == null) {
          net = nameOf(session);
          SessionDirectory sessionDirectory = directory();
          // Starting the watchdog (a copy of Berth's classes, a process) need not hold up the first container.
          var watchdog = new Thread(Watchdog::watchThisJvm, "berth-watchdog-start");
          watchdog.setDaemon(true);
          watchdog.start();
          String created = net;
          sessionDirectory.locked("network", () -> {
            sessionDirectory.hold("run", "pid=" + ProcessHandle.current().pid() + "\nsession=" + session
                + "\ndockerHost=" + engine.get().host() + "\n");
            return engine.get().createNetwork(created, Labels.of(runId, session, "network"));
          });
          startDns(net);
          name = net;
        }
      }
    }
    return net;
  }

  /** Whether this run has joined the network (a run that started nothing has not). */
  boolean joined() {
    return name != null;
  }

  /** The host's address on the network: where containers reach the test JVM (its VIPs, relays, DNS). */
  String gateway() {
    return engine.get().gateway(join());
  }

  /** The DNS server and search domain containers are to use, or null if the run serves no DNS. */
  DockerBackend.DnsSettings dnsSettings() {
    return dnsSettings;
  }

  /** The run's DNS zone, if the run serves DNS (see {@link #startDns}). */
  Optional<DnsZone> zone() {
    DnsServer server = dns;
    return server == null ? Optional.empty() : Optional.of(server.zone());
  }

  /**
   * Publishes a ready service in the run's zone: A records for its hostname, global hostnames and name, and SRV
   * records {@code _<name>._tcp} and {@code _<hostname>._tcp} for its ports, until it is withdrawn or its container
   * exits.
   */
  void publish(RunningService service) {
    DnsServer server = dns;
    if (server == null) {
      return;
    }
    ServiceSpec spec = service.spec();
    var names = new ArrayList<String>(spec.globalHostnames());
    names.add(service.name());
    try {
      server.zone().register(spec.digest(), service.containerId(), spec.hostname(), names,
          List.of(service.name(), spec.hostname()), InetAddress.getByName(service.address()), spec.exposedPorts());
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn("Service {} has no DNS records: {}", service.describe(), e.getMessage());
      return;
    }
    service.exit().whenComplete((code, failure) -> withdraw(service));
  }

  /** Takes a service's records out of the run's zone. */
  void withdraw(RunningService service) {
    DnsServer server = dns;
    if (server != null && service.containerId() != null) {
      server.zone().unregister(service.spec().digest(), service.containerId());
    }
  }

  /**
   * Whether this run is the session's last alive: then its containers leave the network before they are removed, so
   * that the engine removes the network while it still removes them, rather than after.
   */
  boolean lastRun() {
    return !directory().heldByOthers("run");
  }

  /** Takes a container off the network, so that the network can go before the container's removal ends. */
  void disconnect(DockerBackend backend, String containerId) {
    backend.disconnect(name, containerId);
  }

  /** Stops the run's DNS server unless another run of this JVM publishes on it too: the first step of a run's end. */
  void stopDns() {
    DnsServer server = dns;
    if (server == null || dnsStopped.getAndSet(true)) {
      return;
    }
    Discovery.deactivate(server);
    synchronized (DNS_SERVERS) {
      String address = dnsSettings.server();
      SharedDns shared = DNS_SERVERS.get(address);
      if (shared != null && shared.server == server) {
        if (--shared.runs > 0) {
          return; // another run of this JVM still publishes here; this run's records go as its containers do
        }
        DNS_SERVERS.remove(address);
      }
    }
    server.close();
  }

  /**
   * Gives up the run's lease on the session, and removes the network if no other run holds one. Called once the
   * run's containers have left the network. A run can also end while its warm-up creates the network: the end of the
   * run interrupts it after the run's lease was taken, and perhaps after the engine made the network; then the lease
   * goes here too, and the network with it if no other run of the session holds one.
   */
  void leave(DockerBackend backend) {
    SessionDirectory sessionDirectory = directory;
    if (sessionDirectory == null || !sessionDirectory.holds("run")) {
      return;
    }
    sessionDirectory.locked("network", () -> {
      try {
        if (!sessionDirectory.heldByOthers("run")) {
          backend.removeNetwork(nameOf(session));
        }
      } finally {
        sessionDirectory.release("run");
      }
      return null;
    });
  }

  /**
   * Starts the run's DNS server on the network's gateway, port 53, or joins the one another run of this JVM started
   * there. Where that port cannot be bound (not root, or another JVM of the session serves it), the run goes on
   * without DNS: bound aliases in /etc/hosts still work.
   */
  private void startDns(String net) {
    String gateway = engine.get().gateway(net);
    String zone = DnsZone.forSession(session);
    DnsServer server;
    try {
      synchronized (DNS_SERVERS) {
        SharedDns shared = DNS_SERVERS.get(gateway);
        if (shared == null || !shared.server.zone().origin().equals(zone)) {
          shared = new SharedDns(DnsServer.start(new DnsZone(zone), InetAddress.getByName(gateway), DnsServer.PORT));
          DNS_SERVERS.put(gateway, shared);
        }
        shared.runs++;
        server = shared.server;
      }
    } catch (IOException e) {
      withoutDns(gateway, e);
      return;
    }
    String origin = server.zone().origin();
    String search = origin.substring(0, origin.length() - 1);
    dnsSettings = new DockerBackend.DnsSettings(gateway, search);
    Discovery.activate(server);
    dns = server;
    LOG.debug("DNS for zone {} on {}:{}", search, gateway, DnsServer.PORT);
  }

  private void withoutDns(String gateway, IOException e) {
    if (directory().heldByOthers("run")) {
      LOG.info("Port {} on {} is taken, most likely by another JVM of session {}, which then serves the session's"
          + " DNS: this JVM's services get no records there, and Discovery has no server in this JVM; /etc/hosts"
          + " aliases of bound services work as ever ({})", DnsServer.PORT, gateway, session, e.getMessage());
    } else {
      LOG.warn("Berth runs without DNS discovery: cannot listen on {}:{} ({}). Port 53 needs root (or"
          + " CAP_NET_BIND_SERVICE) and must be free; /etc/hosts aliases of bound services still work", gateway,
          DnsServer.PORT, e.getMessage());
    }
  }
}
