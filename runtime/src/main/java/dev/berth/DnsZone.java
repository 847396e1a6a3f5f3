package dev.berth;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The records of a run's zone, {@code <session>.berth.local}: an A record for each name of a ready service and an
 * SRV record {@code _<name>._tcp} per exposed port, which {@link DnsResponder} answers queries from. Services
 * register when they are ready and unregister when they stop; when two services claim one name, the most recent
 * wins. Plain Java: no sockets, and no dnsjava until a query comes.
 */
final class DnsZone {

  /** Records change as services stop, so resolvers must not keep them. */
  static final long TTL = 0;

  /** The zone's absolute name, lowercase, such as {@code kit-1234.berth.local.}. */
  private final String origin;
  /** Registrations by owner, oldest first; every name absolute and lowercase. */
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /**
   * One registration: its A names and their addresses, its SRV names and their targets' ports; and how many times
   * it was registered, since runs that share the zone (one JVM, one session) also share containers and each
   * registers those it uses.
   */
  record Entry(String token, List<String> names, List<InetAddress> addresses, List<String> services,
      List<String> targets, List<Integer> ports, int registrations) {
  }

  /** @param origin the zone's absolute name, as {@link #forSession} gives it */
  DnsZone(String origin) {
    this.origin = origin.toLowerCase(Locale.ROOT);
  }

  /** The zone of a session: {@code <session>.berth.local.}, the session reduced to one lowercase DNS label. */
  static String forSession(String session) {
    String label = session.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
    if (label.length() > 63) {
      label = label.substring(0, 63).replaceAll("-+$", "");
    }
    return (label.isEmpty() ? "session" : label) + ".berth.local.";
  }

  String origin() {
    return origin;
  }

  /**
   * Registers a ready service under {@code owner} (replacing what that owner had; registering the same {@code token}
   * again counts, for {@link #unregister}).
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
    services.stream().map(s -> absolute("_" + s + "._tcp")).filter(Objects::nonNull)
        .filter(n -> !srvNames.contains(n)).forEach(srvNames::add);
    Entry previous = entries.remove(owner);
    int registrations = previous != null && previous.token().equals(token) ? previous.registrations() + 1 : 1;
    entries.put(owner, new Entry(token, List.copyOf(aNames), List.copyOf(addresses), List.copyOf(srvNames),
        List.copyOf(targetNames), List.copyOf(ports), registrations));
  }

  /**
   * Removes the owner's records if they are still those of {@code token} and nobody else registered them too;
   * otherwise takes one registration away.
   */
  synchronized void unregister(String owner, String token) {
    Entry entry = entries.get(owner);
    if (entry != null && entry.token().equals(token)) {
      if (entry.registrations() > 1) {
        entries.put(owner, new Entry(entry.token(), entry.names(), entry.addresses(), entry.services(),
            entry.targets(), entry.ports(), entry.registrations() - 1));
      } else {
        entries.remove(owner);
      }
    }
  }

  synchronized boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Whether an absolute name belongs to the zone, so that {@link DnsResponder} answers it with authority. */
  boolean contains(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.equals(origin) || lower.endsWith("." + origin);
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

  /** The most recent registration holding the name (as an A name, or as an SRV name). */
  synchronized Entry latest(String name, boolean service) {
    Entry found = null;
    for (Entry entry : entries.values()) {
      if ((service ? entry.services() : entry.names()).contains(name)) {
        found = entry;
      }
    }
    return found;
  }
}
