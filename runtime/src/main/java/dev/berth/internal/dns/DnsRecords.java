package dev.berth.internal.dns;

import java.util.List;
import java.util.Locale;

/**
 * What a DNS server answers from: the registrations of a zone, as one run holds them ({@link DnsZone}) or as all
 * live runs of a session published them ({@link SessionRecords}).
 */
interface DnsRecords {

  /** The zone's absolute name, lowercase, such as {@code kit-1234.berth.local.}. */
  String origin();

  /** The registrations as they stand, oldest first: one consistent view for one answer. */
  List<DnsZone.Entry> entries();

  /** Whether an absolute name belongs to the zone, so that it is answered with authority. */
  default boolean contains(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.equals(origin()) || lower.endsWith("." + origin());
  }

  /**
   * The most recent registration holding an absolute name (as an A name, or as an SRV name), or null: when two
   * services claim one name, the one registered last wins.
   */
  static DnsZone.Entry latest(List<DnsZone.Entry> entries, String name, boolean service) {
    DnsZone.Entry found = null;
    for (DnsZone.Entry entry : entries) {
      if ((service ? entry.services() : entry.names()).contains(name)
          && (found == null || entry.registered() >= found.registered())) {
        found = entry;
      }
    }
    return found;
  }
}
