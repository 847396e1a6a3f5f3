package dev.berth;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The records of a run's zone, {@code <session>.berth.local}: an A record for each name of a ready service and an
 * SRV record {@code _<name>._tcp} per exposed port, and the answers to queries about them. Services register when
 * they are ready and unregister when they stop; when two services claim one name, the most recent wins. Pure: no
 * sockets, so the answers can be tested without an engine.
 */
final class DnsZone {

  /** Records change as services stop, so resolvers must not keep them. */
  static final long TTL = 0;

  private final Name origin;
  private final SOARecord soa;
  /** Registrations by owner, oldest first. */
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private record Entry(String token, List<Name> names, List<InetAddress> addresses, List<Name> services,
      List<Name> targets, List<Integer> ports) {
  }

  DnsZone(Name origin) {
    this.origin = origin;
    try {
      this.soa = new SOARecord(origin, DClass.IN, TTL, Name.fromString("ns", origin),
          Name.fromString("hostmaster", origin), 1, 60, 60, 60, TTL);
    } catch (TextParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The zone of a session: {@code <session>.berth.local}, the session reduced to one lowercase DNS label. */
  static Name forSession(String session) {
    try {
      return Name.fromString(originOf(session));
    } catch (TextParseException e) {
      throw new IllegalArgumentException("Session '" + session + "' gives no valid DNS zone", e);
    }
  }

  /** The zone's absolute name as text, {@code <label>.berth.local.}: known without loading dnsjava. */
  static String originOf(String session) {
    String label = session.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
    if (label.length() > 63) {
      label = label.substring(0, 63).replaceAll("-+$", "");
    }
    return (label.isEmpty() ? "session" : label) + ".berth.local.";
  }

  Name origin() {
    return origin;
  }

  /**
   * Registers a ready service under {@code owner} (replacing what that owner had).
   *
   * @param token tells this registration from a later one of the same owner, for {@link #unregister}
   * @param hostname its hostname on the network, the target of its SRV records
   * @param names further names with an A record (global hostnames, the service's name); invalid ones are skipped
   * @param services the names of its SRV records, {@code _<service>._tcp}
   */
  void register(String owner, String token, String hostname, List<String> names, List<String> services,
      InetAddress address, List<Integer> ports) {
    var all = new ArrayList<String>();
    all.add(hostname);
    all.addAll(names);
    register(owner, token, all, List.of(address), services, List.of(hostname), ports);
  }

  /**
   * Registers a group (replicas): {@code names} resolve to {@code addresses}, and each SRV name lists every port
   * of every target hostname (whose own A records are registered apart).
   */
  synchronized void register(String owner, String token, List<String> names, List<InetAddress> addresses,
      List<String> services, List<String> targets, List<Integer> ports) {
    var targetNames = new ArrayList<Name>();
    for (String target : targets) {
      Name name = relative(target);
      if (name == null) {
        throw new IllegalArgumentException("Hostname '" + target + "' is not a valid DNS name");
      }
      targetNames.add(name);
    }
    var aNames = new ArrayList<Name>();
    names.stream().map(this::relative).filter(Objects::nonNull).filter(n -> !aNames.contains(n)).forEach(aNames::add);
    var srvNames = new ArrayList<Name>();
    services.stream().map(s -> relative("_" + s + "._tcp")).filter(Objects::nonNull)
        .filter(n -> !srvNames.contains(n)).forEach(srvNames::add);
    entries.remove(owner);
    entries.put(owner, new Entry(token, List.copyOf(aNames), List.copyOf(addresses), List.copyOf(srvNames),
        List.copyOf(targetNames), List.copyOf(ports)));
  }

  /** Removes the owner's records if they are still those of {@code token}. */
  synchronized void unregister(String owner, String token) {
    Entry entry = entries.get(owner);
    if (entry != null && entry.token().equals(token)) {
      entries.remove(owner);
    }
  }

  synchronized boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Whether a name belongs to the zone, so that {@link #answer} answers it with authority. */
  boolean contains(Name name) {
    return name.subdomain(origin);
  }

  /** A name relative to the zone, or null if it is not a valid DNS name (a service named "my_db" has none). */
  private Name relative(String name) {
    String label = name.toLowerCase(Locale.ROOT);
    if (label.isEmpty() || label.contains(".") && !label.startsWith("_")) {
      return null;
    }
    try {
      return Name.concatenate(Name.fromString(label), origin);
    } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
      return null;
    }
  }

  /**
   * The authoritative answer to a query about the zone: the records of the name and type, an empty answer if
   * the name exists with other types, NXDOMAIN if it does not exist. Queries about other names get REFUSED.
   */
  Message answer(Message query) {
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    if (query.getHeader().getFlag(Flags.RD)) {
      response.getHeader().setFlag(Flags.RD);
    }
    Record question = query.getQuestion();
    if (question == null) {
      response.getHeader().setRcode(Rcode.FORMERR);
      return response;
    }
    response.addRecord(question, Section.QUESTION);
    Name name = question.getName().canonicalize();
    if (!contains(name) || question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) {
      response.getHeader().setRcode(Rcode.REFUSED);
      return response;
    }
    response.getHeader().setFlag(Flags.AA);
    int type = question.getType();
    boolean exists = name.equals(origin);
    if (exists && (type == Type.SOA || type == Type.ANY)) {
      response.addRecord(soa, Section.ANSWER);
    }
    synchronized (this) {
      Entry byName = latest(name, false);
      if (byName != null) {
        exists = true;
        if (type == Type.A || type == Type.ANY) {
          for (InetAddress address : byName.addresses()) {
            response.addRecord(new ARecord(name, DClass.IN, TTL, address), Section.ANSWER);
          }
        }
      }
      Entry byService = latest(name, true);
      if (byService != null) {
        exists = true;
        if (type == Type.SRV || type == Type.ANY) {
          for (Name target : byService.targets()) {
            for (int port : byService.ports()) {
              response.addRecord(new SRVRecord(name, DClass.IN, TTL, 0, 1, port, target), Section.ANSWER);
            }
            Entry host = latest(target, false);
            if (host != null) {
              for (InetAddress address : host.addresses()) {
                response.addRecord(new ARecord(target, DClass.IN, TTL, address), Section.ADDITIONAL);
              }
            }
          }
        }
      }
    }
    if (!exists) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
    }
    if (response.getSection(Section.ANSWER).isEmpty()) {
      response.addRecord(soa, Section.AUTHORITY);
    }
    return response;
  }

  /** The most recent registration holding the name (as an A name, or as an SRV name). */
  private Entry latest(Name name, boolean service) {
    Entry found = null;
    for (Entry entry : entries.values()) {
      if ((service ? entry.services() : entry.names()).contains(name)) {
        found = entry;
      }
    }
    return found;
  }
}
