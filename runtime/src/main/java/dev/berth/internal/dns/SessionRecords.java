package dev.berth.internal.dns;

import dev.berth.internal.session.SessionDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's zone as its DNS server answers it: the records of every live run of the session, whichever JVM it
 * runs in. Each run publishes its {@link DnsZone} to the session directory on every change; only one JVM of the
 * session can listen on the network's gateway, port 53, and it answers from all of them, read again for every
 * query: about 45 microseconds for 4 runs of 5 services each here, and never a stale answer (a cache would need to
 * learn of other JVMs' changes, and a file's time stamp moves in coarse steps). A run that dies without a word
 * drops out with its lease.
 */
final class SessionRecords implements DnsRecords {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  private final String origin;
  private final SessionDirectory directory;

  SessionRecords(String origin, SessionDirectory directory) {
    this.origin = origin;
    this.directory = directory;
  }

  @Override
  public String origin() {
    return origin;
  }

  @Override
  public List<DnsZone.Entry> entries() {
    var entries = new ArrayList<DnsZone.Entry>();
    for (Map.Entry<String, String> run : directory.published(SessionDns.RECORDS).entrySet()) {
      try {
        entries.addAll(DnsZone.parse(run.getValue()));
      } catch (IllegalArgumentException e) {
        LOG.warn("Ignoring the DNS records of run {} in {}: {}", run.getKey(), directory.dir(), e.getMessage());
      }
    }
    return entries;
  }
}
