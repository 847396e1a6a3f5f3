package dev.berth.internal.dns;

import static java.util.stream.Collectors.joining;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The records of a run in its session's zone, {@code <session>.berth.local}: an A record for each name of a ready
 * service and an SRV record {@code _<name>._tcp} per exposed TCP port ({@code _<name>._udp} per UDP port). Services
 * register when they are ready and
 * unregister when they stop; every change is handed, as text, to whoever publishes the run's records to the other
 * JVMs of the session (see {@link SessionRecords}, which the session's DNS server answers from). Plain Java: no
 * sockets, and no dnsjava until a query comes.
 */
public final class DnsZone implements DnsRecords {

  /** Records change as services stop, so resolvers must not keep them. */
  static final long TTL = 0;

  /** The zone's absolute name, lowercase, such as {@code kit-1234.berth.local.}. */
  private final String origin;
  /** Registrations by owner, oldest first; every name absolute and lowercase. */
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  /** Receives the zone's text form after every change. */
  private final Consumer<String> published;
  private boolean closed;

  /**
   * One registration: its owner (a service's digest) and token (which container or group), when it was made (the
   * most recent wins a name two services claim, across runs too), its A names and their addresses, its SRV names
   * and their targets' ports.
   */
  record Entry(String owner, String token, long registered, List<String> names, List<InetAddress> addresses,
      List<String> services, List<String> targets, List<Integer> ports) {
  }

  /** @param origin the zone's absolute name, as {@link #forSession} gives it */
  DnsZone(String origin) {
    this(origin, text -> { });
  }

  /**
   * @param published called with {@link #toText()} after every change, while no other change can come between: the
   *     last call has the zone as it stands
   */
  DnsZone(String origin, Consumer<String> published) {
    this.origin = origin.toLowerCase(Locale.ROOT);
    this.published = published;
  }

  /** The zone of a session: {@code <session>.berth.local.}, the session reduced to one lowercase DNS label. */
  public static String forSession(String session) {
    String label = session.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
    if (label.length() > 63) {
      label = label.substring(0, 63).replaceAll("-+$", "");
    }
    return (label.isEmpty() ? "session" : label) + ".berth.local.";
  }

  @Override
  public String origin() {
    return origin;
  }

  /**
   * Registers a ready service under {@code owner}, replacing what that owner had.
   *
   * @param token tells this registration from a later one of the same owner, for {@link #unregister}
   * @param hostname its hostname on the network, the target of its SRV records
   * @param names further names with an A record (global hostnames, the service's name); invalid ones are skipped
   * @param services the names of its SRV records, {@code _<service>._tcp}
   */
  public void register(String owner, String token, String hostname, List<String> names, List<String> services,
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
  public void register(String owner, String token, List<String> names, List<InetAddress> addresses,
      List<String> services, List<String> targets, List<Integer> ports) {
    register(owner, token, names, addresses, services, "_tcp", targets, ports);
  }

  /**
   * Registers the UDP ports of a service registered under {@code owner}: SRV records {@code _<service>._udp}, under
   * a part of that owner ({@link #part}) so that the service's TCP records stay as they are.
   */
  void registerUdp(String owner, String token, String hostname, List<String> services, List<Integer> ports) {
    register(part(owner, "udp"), token, List.of(), List.of(), services, "_udp", List.of(hostname), ports);
  }

  /**
   * Registers a named port of a service registered under {@code owner}: SRV records {@code
   * _<portName>._<service>._tcp} ({@code ._udp}) of that port alone on each of {@code targets}, under a part of that
   * owner, so that the service's other records stay as they are.
   */
  public void registerNamedPort(String owner, String token, List<String> targets, List<String> services,
      String portName, boolean udp, int port) {
    register(part(owner, "port-" + portName), token, List.of(), List.of(),
        services.stream().map(service -> portName + "._" + service).toList(), udp ? "_udp" : "_tcp", targets,
        List.of(port));
  }

  private synchronized void register(String owner, String token, List<String> names, List<InetAddress> addresses,
      List<String> services, String transport, List<String> targets, List<Integer> ports) {
    var targetNames = new ArrayList<String>();
    for (String target : targets) {
      String name = absolute(target);
      if (name == null) {
        throw new IllegalArgumentException("Hostname '" + target + "' is not a valid DNS name");
      }
      targetNames.add(name);
    }
    var aNames = new ArrayList<String>();
    names.stream().map(this::absolute).filter(Objects::nonNull).filter(n -> !aNames.contains(n)).forEach(aNames::add);
    var srvNames = new ArrayList<String>();
    services.stream().map(s -> absolute("_" + s + "." + transport)).filter(Objects::nonNull)
        .filter(n -> !srvNames.contains(n)).forEach(srvNames::add);
    if (closed) {
      return;
    }
    entries.remove(owner);
    entries.put(owner, new Entry(owner, token, System.currentTimeMillis(), List.copyOf(aNames),
        List.copyOf(addresses), List.copyOf(srvNames), List.copyOf(targetNames), List.copyOf(ports)));
    published.accept(toText());
  }

  /**
   * Removes the records of {@code owner} and of its parts (UDP ports, named ports) that are still those of {@code
   * token} (not of a later registration).
   */
  public synchronized void unregister(String owner, String token) {
    if (closed) {
      return;
    }
    boolean removed = entries.values().removeIf(entry -> entry.token().equals(token)
        && (entry.owner().equals(owner) || entry.owner().startsWith(part(owner, ""))));
    if (removed) {
      published.accept(toText());
    }
  }

  /** The owner of some of the records of a service registered under {@code owner}; they go with it. */
  private static String part(String owner, String part) {
    return owner + "/" + part;
  }

  @Override
  public synchronized List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /**
   * Ends the zone: what comes after (a container's exit noticed late, say) changes and publishes nothing, so the run
   * can withdraw its published records for good.
   */
  synchronized void close() {
    closed = true;
  }

  synchronized boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * A name in the zone, absolute; null if it is none: empty, dotted (only SRV names, {@code _x._tcp}, have dots),
   * longer than DNS allows, or with other characters than letters, digits, '-' and '_'.
   */
  private String absolute(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.isEmpty() || lower.contains(".") && !lower.startsWith("_")) {
      return null;
    }
    for (String label : lower.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || !label.chars().allMatch(DnsZone::isNameCharacter)) {
        return null;
      }
    }
    String absolute = lower + "." + origin;
    return absolute.length() + 1 > 255 ? null : absolute; // 255 octets on the wire
  }

  private static boolean isNameCharacter(int c) {
    return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
  }

  /**
   * The registrations as text, one line each: owner, token, time registered, then the names, addresses, SRV names,
   * targets and ports, each list comma-separated; fields by tabs. None of them can hold a tab or a comma: names are
   * DNS names, owners digests, tokens container ids.
   */
  synchronized String toText() {
    var text = new StringBuilder();
    for (Entry entry : entries.values()) {
      text.append(entry.owner()).append('\t').append(entry.token()).append('\t').append(entry.registered())
          .append('\t').append(String.join(",", entry.names()))
          .append('\t').append(entry.addresses().stream().map(InetAddress::getHostAddress).collect(joining(",")))
          .append('\t').append(String.join(",", entry.services()))
          .append('\t').append(String.join(",", entry.targets()))
          .append('\t').append(entry.ports().stream().map(String::valueOf).collect(joining(","))).append('\n');
    }
    return text.toString();
  }

  /** The registrations {@link #toText()} wrote. */
  static List<Entry> parse(String text) {
    var parsed = new ArrayList<Entry>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] fields = line.split("\t", -1);
      if (fields.length != 8) {
        throw new IllegalArgumentException("Not a line of DNS records: " + line);
      }
      parsed.add(new Entry(fields[0], fields[1], Long.parseLong(fields[2]), list(fields[3]),
          list(fields[4]).stream().map(DnsZone::address).toList(), list(fields[5]), list(fields[6]),
          list(fields[7]).stream().map(Integer::valueOf).toList()));
    }
    return parsed;
  }

  private static List<String> list(String field) {
    return field.isEmpty() ? List.of() : List.of(field.split(","));
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("Not an IP address: " + literal, e);
    }
  }
}
