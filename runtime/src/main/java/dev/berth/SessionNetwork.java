package dev.berth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * remove if last" one step across JVMs. The session's DNS server listens on the network's gateway, in whichever JVM
 * bound its port; every run publishes its records there (see {@link SessionRecords}).
 */
final class SessionNetwork {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /** The key under which each run publishes its DNS records in the session directory. */
  static final String RECORDS = "dns";
  /** How often a JVM standing by for the session's DNS tries to take port 53 over. */
  private static final long STANDBY_RETRY_MILLIS = 25;
  /**
   * The session DNS of this JVM, by the gateway it is served on. Only one process can listen on the gateway's port
   * 53, so the JVMs of a session (forks) and the runs within a JVM share one server: every run publishes its records
   * to the session directory, and the server answers from those of all live runs. The JVMs that could not bind
   * stand by, and the first of them to bind once the serving JVM is gone serves from then on.
   */
  private static final Map<String, SharedDns> DNS_SERVERS = new HashMap<>();

  /** The session's DNS as this JVM takes part in it: serving, or standing by; and how many of its runs use it. */
  private static final class SharedDns {
    final String origin;
    final InetAddress gateway;
    final DnsRecords records;
    /** Null while another JVM serves. Guarded by {@code DNS_SERVERS}, as is {@code runs}. */
    DnsServer server;
    int runs;

    SharedDns(String origin, InetAddress gateway, DnsRecords records) {
      this.origin = origin;
      this.gateway = gateway;
      this.records = records;
    }

    /** Tries to take port 53 over until it does or this JVM's runs have all left; runs on a thread of its own. */
    void standBy(String session) {
      while (true) {
        try {
          Thread.sleep(STANDBY_RETRY_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
        synchronized (DNS_SERVERS) {
          if (runs == 0) {
            return;
          }
          try {
            server = DnsServer.start(records, gateway, DnsServer.PORT);
          } catch (IOException e) {
            continue; // still served by another JVM, or on its way down
          }
        }
        LOG.info("This JVM now serves the DNS of session {} on {}:{}: the JVM that served it has ended", session,
            gateway.getHostAddress(), DnsServer.PORT);
        return;
      }
    }
  }

  private final Supplier<DockerBackend> engine;
  private final String runId;
  private final String session;
  private final Object lock = new Object();
  private volatile SessionDirectory directory;
  private volatile String name;
  /** The run's records, made with the network: null until then, or if the session has no DNS. */
  private volatile DnsZone zone;
  private volatile SharedDns sharedDns;
  private volatile Discovery.Server discovery;
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
          // Starting the watchdog (a copy of Berth's classes, a process) need not hold up the first container, nor
          // need tidying up after ended builds.
          var watchdog = new Thread(() -> {
            Watchdog.watchThisJvm();
            SessionDirectory.removeEndedSessions(SessionDirectory.base());
          }, "berth-watchdog-start");
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

  /** The run's records in the session's zone, if the session has DNS (see {@link #startDns}). */
  Optional<DnsZone> zone() {
    return Optional.ofNullable(zone);
  }

  /**
   * Publishes a ready service in the run's zone: A records for its hostname, global hostnames and name, and SRV
   * records {@code _<name>._tcp} and {@code _<hostname>._tcp} for its ports, until it is withdrawn or its container
   * exits.
   */
  void publish(RunningService service) {
    DnsZone records = zone;
    if (records == null) {
      return;
    }
    ServiceSpec spec = service.spec();
    var names = new ArrayList<String>(spec.globalHostnames());
    names.add(service.name());
    try {
      records.register(spec.digest(), service.containerId(), spec.hostname(), names,
          List.of(service.name(), spec.hostname()), InetAddress.getByName(service.address()), spec.exposedPorts());
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn("Service {} has no DNS records: {}", service.describe(), e.getMessage());
      return;
    }
    service.exit().whenComplete((code, failure) -> withdraw(service));
  }

  /** Takes a service's records out of the run's zone. */
  void withdraw(RunningService service) {
    DnsZone records = zone;
    if (records != null && service.containerId() != null) {
      records.unregister(service.spec().digest(), service.containerId());
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

  /**
   * Takes the run's records out of the session's zone, and stops this JVM's part in the session's DNS (serving, or
   * standing by) unless another of its runs still takes part: the first step of a run's end.
   */
  void stopDns() {
    DnsZone records = zone;
    if (records == null || dnsStopped.getAndSet(true)) {
      return;
    }
    Discovery.deactivate(discovery);
    records.close();
    directory().release(RECORDS);
    DnsServer server;
    synchronized (DNS_SERVERS) {
      SharedDns shared = sharedDns;
      if (--shared.runs > 0) {
        return;
      }
      DNS_SERVERS.remove(shared.gateway.getHostAddress(), shared);
      server = shared.server;
    }
    if (server != null) {
      server.close();
    }
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
   * Takes part in the session's DNS on the network's gateway, port 53: serves it, or joins the server of another run
   * of this JVM, or stands by while another JVM of the session serves it. Where the port cannot be bound otherwise
   * (not root, or taken by something else), the run goes on without DNS: bound aliases in /etc/hosts still work.
   */
  private void startDns(String net) {
    String gateway = engine.get().gateway(net);
    String origin = DnsZone.forSession(session);
    SessionDirectory sessionDirectory = directory();
    SharedDns shared;
    try {
      synchronized (DNS_SERVERS) {
        shared = DNS_SERVERS.get(gateway);
        if (shared == null || !shared.origin.equals(origin)) {
          shared = new SharedDns(origin, InetAddress.getByName(gateway), new SessionRecords(origin, sessionDirectory));
          try {
            shared.server = DnsServer.start(shared.records, shared.gateway, DnsServer.PORT);
          } catch (BindException e) {
            if (!inUseByTheSession(e, sessionDirectory)) {
              throw e;
            }
            standBy(shared, gateway);
          }
          DNS_SERVERS.put(gateway, shared);
        }
        shared.runs++;
      }
    } catch (IOException e) {
      LOG.warn("Berth runs without DNS discovery: cannot listen on {}:{} ({}). Port 53 needs root (or"
          + " CAP_NET_BIND_SERVICE) and must be free; /etc/hosts aliases of bound services still work", gateway,
          DnsServer.PORT, e.getMessage());
      return;
    }
    sharedDns = shared;
    zone = new DnsZone(origin, text -> publishRecords(sessionDirectory, text));
    String search = origin.substring(0, origin.length() - 1);
    dnsSettings = new DockerBackend.DnsSettings(gateway, search);
    discovery = new Discovery.Server(new InetSocketAddress(shared.gateway, DnsServer.PORT), origin);
    Discovery.activate(discovery);
    LOG.debug("DNS for zone {} on {}:{}", search, gateway, DnsServer.PORT);
  }

  /** Writes the run's records for the session's server; a failure leaves the last ones written, and says so. */
  private void publishRecords(SessionDirectory sessionDirectory, String text) {
    try {
      sessionDirectory.publish(RECORDS, text);
    } catch (UncheckedIOException e) {
      LOG.warn("Cannot write this run's DNS records to {}: {}. The session's DNS server answers from what was written"
          + " before", sessionDirectory.dir(), e.getMessage());
    }
  }

  /** Whether port 53 is taken, and another run of the session is alive (in another JVM) to have taken it. */
  private static boolean inUseByTheSession(BindException e, SessionDirectory sessionDirectory) {
    return String.valueOf(e.getMessage()).contains("in use") && sessionDirectory.heldByOthers("run");
  }

  private void standBy(SharedDns shared, String gateway) {
    LOG.info("Another JVM of session {} serves its DNS on {}:{}: this JVM's services are published there, and this"
        + " JVM takes the port over if that one ends first", session, gateway, DnsServer.PORT);
    var standby = new Thread(() -> shared.standBy(session), "berth-dns-standby");
    standby.setDaemon(true);
    standby.start();
  }
}
