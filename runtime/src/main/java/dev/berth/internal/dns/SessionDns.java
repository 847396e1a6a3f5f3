package dev.berth.internal.dns;

import dev.berth.internal.engine.Engine;
import dev.berth.internal.session.SessionDirectory;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's part in its session's DNS: its records, a {@link DnsZone} published to the session directory on every
 * change, and this JVM's part in serving the session's zone on the network's gateway, port 53. Only one process can
 * listen there, so the JVMs of a session (forks) and the runs within a JVM share one server, which answers from the
 * records of all live runs ({@link SessionRecords}). A JVM that finds the port taken by another of the session
 * points its containers and {@code Discovery} there all the same and stands by: the first such JVM to bind the port
 * once the serving one has ended serves from then on.
 */
public final class SessionDns {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /** The key under which each run publishes its DNS records in the session directory. */
  public static final String RECORDS = SessionDirectory.DNS_RECORDS;
  /** How often a JVM standing by tries to take port 53 over: a failed bind costs microseconds. */
  private static final long STANDBY_RETRY_MILLIS = 25;
  /** This JVM's part in the DNS of each session it runs in, by the gateway the session's zone is served on. */
  private static final Map<String, Part> PARTS = new HashMap<>();

  /** This JVM's part in one session's DNS: serving, or standing by; and how many of its runs take part. */
  private static final class Part {
    final String origin;
    final InetAddress gateway;
    final DnsRecords records;
    final List<InetSocketAddress> upstream;
    /** Null while another JVM serves. Guarded by {@code PARTS}, as is {@code runs}. */
    DnsServer server;
    int runs;

    Part(String origin, InetAddress gateway, DnsRecords records, List<InetSocketAddress> upstream) {
      this.origin = origin;
      this.gateway = gateway;
      this.records = records;
      this.upstream = upstream;
    }

    /** Tries to take port 53 over until it does or this JVM's runs have all left; runs on a thread of its own. */
    void standBy(String session) {
      while (true) {
        try {
          Thread.sleep(STANDBY_RETRY_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
        synchronized (PARTS) {
          if (runs == 0) {
            return;
          }
          try {
            server = DnsServer.start(records, gateway, DnsServer.PORT, upstream);
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

  private final SessionDirectory directory;
  private final Part part;
  private final DnsZone zone;
  private final Engine.DnsSettings settings;
  private final DiscoveryServers.Server discovery;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private SessionDns(SessionDirectory directory, Part part) {
    this.directory = directory;
    this.part = part;
    this.zone = new DnsZone(part.origin, this::publishRecords);
    String search = part.origin.substring(0, part.origin.length() - 1);
    this.settings = new Engine.DnsSettings(part.gateway.getHostAddress(), search);
    this.discovery = new DiscoveryServers.Server(new InetSocketAddress(part.gateway, DnsServer.PORT), part.origin);
  }

  /**
   * Takes part in the session's DNS on the gateway: serves it, or joins the server of another run of this JVM, or
   * stands by while another JVM of the session serves it. Where the port cannot be bound otherwise (not root, or
   * taken by something else), the run goes on without DNS, and says so: bound aliases in /etc/hosts still work.
   */
  public static Optional<SessionDns> start(String session, String gateway, SessionDirectory directory,
      List<InetSocketAddress> upstream) {
    String origin = DnsZone.forSession(session);
    Part part;
    try {
      synchronized (PARTS) {
        part = PARTS.get(gateway);
        if (part == null || !part.origin.equals(origin)) {
          part = new Part(origin, InetAddress.getByName(gateway), new SessionRecords(origin, directory), upstream);
          try {
            part.server = DnsServer.start(part.records, part.gateway, DnsServer.PORT, part.upstream);
          } catch (BindException e) {
            if (!String.valueOf(e.getMessage()).contains("in use") || !directory.heldByOthers(SessionDirectory.RUN)) {
              throw e;
            }
            standBy(part, session);
          }
          PARTS.put(gateway, part);
        }
        part.runs++;
      }
    } catch (IOException e) {
      LOG.warn("Berth runs without DNS discovery: cannot listen on {}:{} ({}). Port 53 needs root (or"
          + " CAP_NET_BIND_SERVICE) and must be free; /etc/hosts aliases of bound services still work", gateway,
          DnsServer.PORT, e.getMessage());
      return Optional.empty();
    }
    var dns = new SessionDns(directory, part);
    DiscoveryServers.activate(dns.discovery);
    LOG.debug("DNS for zone {} on {}:{}", dns.settings.search(), gateway, DnsServer.PORT);
    return Optional.of(dns);
  }

  private static void standBy(Part part, String session) {
    LOG.info("Another JVM of session {} serves its DNS on {}:{}: this JVM's services are published there, and this"
        + " JVM takes the port over if that one ends first", session, part.gateway.getHostAddress(), DnsServer.PORT);
    var standby = new Thread(() -> part.standBy(session), "berth-dns-standby");
    standby.setDaemon(true);
    standby.start();
  }

  /** The DNS server and search domain the run's containers are to use. */
  public Engine.DnsSettings settings() {
    return settings;
  }

  /** The run's records. */
  public DnsZone zone() {
    return zone;
  }

  /**
   * Publishes a ready service: A records for its hostname, global hostnames and name, and SRV records {@code
   * _<name>._tcp} and {@code _<hostname>._tcp} for its TCP ports ({@code ._udp} for its UDP ports), and {@code
   * _<portName>._<name>._tcp} for each named port alone, until it is withdrawn or its container exits.
   */
  public void publish(DnsEntry service) {
    var names = new ArrayList<String>(service.globalHostnames());
    names.add(service.name());
    List<String> services = List.of(service.name(), service.hostname());
    try {
      zone.register(service.owner(), service.token(), service.hostname(), names, services,
          InetAddress.getByName(service.address()), service.tcpPorts());
      if (!service.udpPorts().isEmpty()) {
        zone.registerUdp(service.owner(), service.token(), service.hostname(), services, service.udpPorts());
      }
      service.portNames().forEach((port, portName) -> zone.registerNamedPort(service.owner(), service.token(),
          List.of(service.hostname()), services, portName, service.udpPorts().contains(port), port));
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn("Service {} has no DNS records: {}", service.described(), e.getMessage());
      return;
    }
    service.exit().whenComplete((code, failure) -> withdraw(service));
  }

  /** Takes a service's records out. */
  public void withdraw(DnsEntry service) {
    zone.unregister(service.owner(), service.token());
  }

  /**
   * Takes the run's records out of the session's zone, and ends this JVM's part in serving it (serving, or standing
   * by) unless another of its runs still takes part: the first step of a run's end.
   */
  public void stop() {
    if (stopped.getAndSet(true)) {
      return;
    }
    DiscoveryServers.deactivate(discovery);
    zone.close();
    directory.release(RECORDS);
    DnsServer server;
    synchronized (PARTS) {
      if (--part.runs > 0) {
        return;
      }
      PARTS.remove(part.gateway.getHostAddress(), part);
      server = part.server;
    }
    if (server != null) {
      server.close();
    }
  }

  /** Writes the run's records for the session's server; a failure leaves the last ones written, and says so. */
  private void publishRecords(String text) {
    try {
      directory.publish(RECORDS, text);
    } catch (UncheckedIOException e) {
      LOG.warn("Cannot write this run's DNS records to {}: {}. The session's DNS server answers from what was written"
          + " before", directory.dir(), e.getMessage());
    }
  }
}
