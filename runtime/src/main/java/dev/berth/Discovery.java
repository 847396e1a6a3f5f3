package dev.berth;

import dev.berth.internal.dns.DiscoveryServers.Server;
import dev.berth.internal.dns.DiscoveryServers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Service discovery from the test JVM: asks the DNS server of the current Berth run's session, as containers do, and
 * sees what they see: the services of every run of the session, in this JVM or another (Surefire's forks). Short
 * names ({@code "redis"}) are names in the session's zone. The current run is the most recent one of this JVM that
 * takes part in DNS; when it closes, the one before it is current again.
 *
 * <pre>{@code
 * List<InetAddress> redis = Discovery.lookup("redis");           // the container's address on the session's network
 * List<InetSocketAddress> ports = Discovery.srv("redis");        // _redis._tcp: one address per exposed port
 * }</pre>
 *
 * <p>The addresses are on the session's network, which the test JVM reaches only on the engine's own machine.
 */
public final class Discovery {

  private static final int UNANSWERED_ATTEMPTS = 10;
  private static final long UNANSWERED_PAUSE_MILLIS = 100;

  private Discovery() {
  }

  /**
   * The addresses of a name (A records): a service's name, hostname or global hostname.
   *
   * @return the addresses, empty if the name does not exist in the zone
   * @throws IllegalStateException if no Berth run of this JVM takes part in DNS, or its server does not answer
   */
  public static List<InetAddress> lookup(String name) {
    Server server = current();
    Message answer = query(server, absolute(server, name), Type.A);
    var addresses = new ArrayList<InetAddress>();
    for (Record record : answer.getSection(Section.ANSWER)) {
      if (record instanceof ARecord a) {
        addresses.add(a.getAddress());
      }
    }
    return addresses;
  }

  /**
   * The ports of a service (SRV records {@code _<name>._tcp}), each with its target's address.
   *
   * @param name a service's name or hostname, or a full SRV name such as {@code _redis._tcp}
   * @return one address per exposed port, empty if the service is not running
   * @throws IllegalStateException if no Berth run of this JVM takes part in DNS, or its server does not answer
   */
  public static List<InetSocketAddress> srv(String name) {
    Server server = current();
    String service = name.startsWith("_") ? name : "_" + name + "._tcp";
    Message answer = query(server, absolute(server, service), Type.SRV);
    var addresses = new ArrayList<InetSocketAddress>();
    for (Record record : answer.getSection(Section.ANSWER)) {
      if (record instanceof SRVRecord srv) {
        List<InetAddress> targets = lookup(srv.getTarget().toString());
        for (InetAddress target : targets) {
          try {
            addresses.add(new InetSocketAddress(InetAddress.getByAddress(srv.getTarget().toString(true),
                target.getAddress()), srv.getPort()));
          } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return addresses;
  }

  /** The zone of the current run, such as {@code build-1234-abc.berth.local.}. */
  public static String zone() {
    return current().origin();
  }

  private static Server current() {
    return DiscoveryServers.current().orElseThrow(() -> new IllegalStateException("No Berth run of this JVM takes part in DNS: discovery works while a run has"
          + " started a service and port 53 on its network's gateway could be bound, by this JVM or another of its"
          + " session (see the warning on the dev.berth logger if it could not), unless berth.dns=false"));
  }

  private static Name absolute(Server server, String name) {
    String zone = server.origin();
    String lower = name.toLowerCase(Locale.ROOT);
    try {
      if (lower.endsWith(".")) {
        return Name.fromString(lower);
      }
      if (lower.endsWith(zone.substring(0, zone.length() - 1))) {
        return Name.fromString(lower + ".");
      }
      return Name.fromString(lower, Name.fromString(zone));
    } catch (TextParseException e) {
      throw new IllegalArgumentException("'" + name + "' is not a valid DNS name: " + e.getMessage(), e);
    }
  }

  /**
   * Asks the session's server; one that does not answer is asked again for about a second, the time another JVM of
   * the session needs to take the server over when the JVM that served it ends (it tries every 25 ms).
   */
  private static Message query(Server server, Name name, int type) {
    IOException last = null;
    for (int attempt = 0; attempt < UNANSWERED_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        pause();
      }
      try {
        var resolver = new SimpleResolver(server.address());
        resolver.setTimeout(Duration.ofSeconds(2));
        Message answer = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
        int rcode = answer.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
          throw new IllegalStateException("The Berth DNS server at " + server.address() + " answered "
              + Rcode.string(rcode) + " for " + name);
        }
        return answer;
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IllegalStateException("The Berth DNS server at " + server.address() + " did not answer for " + name
        + " in " + UNANSWERED_ATTEMPTS + " tries over about a second (" + (last.getMessage() == null
            ? last.getClass().getSimpleName() : last.getMessage()) + "); the JVM that served it may have ended with no"
        + " other JVM of the session left to take over", last);
  }

  private static void pause() {
    try {
      Thread.sleep(UNANSWERED_PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Berth DNS server", e);
    }
  }
}
