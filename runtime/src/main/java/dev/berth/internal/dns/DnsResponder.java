package dev.berth.internal.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
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
 * The DNS side of the session's server: answers queries about its {@link DnsRecords} with authority, and forwards the
 * others to the test machine's own resolvers. All of the server's use of dnsjava is here, so that a fresh JVM
 * loads dnsjava (about 100 ms of CPU) only when the first query comes, not while its first containers start.
 */
final class DnsResponder {

  private final DnsRecords records;
  private final DnsForwarder forwarder;

  DnsResponder(DnsRecords records) {
    this(records, List.of());
  }

  /** Answers from {@code records}, and asks {@code upstream} (empty: the machine's resolvers) about other names. */
  DnsResponder(DnsRecords records, List<InetSocketAddress> upstream) {
    this.records = records;
    this.forwarder = new DnsForwarder(upstream);
  }

  /** The reply to one query's bytes, or null when they are not a query at all. */
  byte[] respond(byte[] bytes, int maxLength) {
    Message query;
    try {
      query = new Message(bytes);
    } catch (IOException e) {
      return null;
    }
    if (query.getHeader().getFlag(Flags.QR)) {
      return null;
    }
    Record question = query.getQuestion();
    Message response;
    if (question == null || records.contains(question.getName().toString())) {
      response = answer(query);
    } else if (searchListFirstTry(question.getName().toString())) {
      response = isShortSrvName(question) ? shortSrvAnswer(query) : reply(query, Rcode.NXDOMAIN);
    } else {
      response = forwarder.forward(query);
    }
    return response.toWire(maxLength);
  }

  /**
   * Whether a name outside the zone is a short name of the zone asked as it is: the engine gives containers
   * {@code ndots:0}, so {@code redis} is asked as {@code redis.} before {@code redis.<zone>}. No resolver knows it
   * (a top-level domain called redis); asking one would cost the lookup a round trip, or its timeout when the
   * query is dropped.
   */
  private boolean searchListFirstTry(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals(".")) {
      return false;
    }
    String inZone = lower + records.origin();
    List<DnsZone.Entry> entries = records.entries();
    return DnsRecords.latest(entries, inZone, false) != null || DnsRecords.latest(entries, inZone, true) != null;
  }

  /**
   * Whether a query is for a short SRV name such as {@code _redis._tcp.} or, for a named port, {@code
   * _admin._web._tcp.}: underscore labels at the root, which no other zone can hold. Many clients ask SRV names
   * without the search domain (busybox's nslookup, Java's DNS provider), so they are answered here as {@code
   * _redis._tcp.<zone>} is.
   */
  static boolean isShortSrvName(Record question) {
    Name name = question.getName();
    int labels = name.labels(); // with the root's
    if (question.getType() != Type.SRV && question.getType() != Type.ANY || labels < 3 || labels > 4) {
      return false;
    }
    for (int i = 0; i < labels - 2; i++) {
      if (!name.getLabelString(i).startsWith("_")) {
        return false;
      }
    }
    return name.getLabelString(labels - 2).matches("(?i)_(tcp|udp)");
  }

  /** The answer for {@code _<name>._<proto>.<zone>}, its records named as the query asked. */
  private Message shortSrvAnswer(Message query) {
    Record question = query.getQuestion();
    Name asked = question.getName();
    Name inZone = name(asked.toString().toLowerCase(Locale.ROOT) + records.origin());
    Message full = answer(Message.newQuery(Record.newRecord(inZone, question.getType(), question.getDClass())));
    Message response = reply(query, full.getRcode());
    for (Record record : full.getSection(Section.ANSWER)) {
      if (record instanceof SRVRecord srv) {
        response.addRecord(new SRVRecord(asked, srv.getDClass(), srv.getTTL(), srv.getPriority(), srv.getWeight(),
            srv.getPort(), srv.getTarget()), Section.ANSWER);
      }
    }
    full.getSection(Section.ADDITIONAL).forEach(r -> response.addRecord(r, Section.ADDITIONAL));
    return response;
  }

  /**
   * A reply to a query about a name outside the zone, without authority, with {@code rcode} and nothing in it yet
   * (NXDOMAIN: a short name of the zone, which nobody else knows either).
   */
  private static Message reply(Message query, int rcode) {
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    if (query.getHeader().getFlag(Flags.RD)) {
      response.getHeader().setFlag(Flags.RD);
      response.getHeader().setFlag(Flags.RA);
    }
    response.getHeader().setRcode(rcode);
    response.addRecord(query.getQuestion(), Section.QUESTION);
    return response;
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
    String text = name.toString();
    if (!records.contains(text) || question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) {
      response.getHeader().setRcode(Rcode.REFUSED);
      return response;
    }
    response.getHeader().setFlag(Flags.AA);
    int type = question.getType();
    boolean exists = text.equals(records.origin());
    if (exists && (type == Type.SOA || type == Type.ANY)) {
      response.addRecord(soa(), Section.ANSWER);
    }
    List<DnsZone.Entry> entries = records.entries();
    DnsZone.Entry byName = DnsRecords.latest(entries, text, false);
    if (byName != null) {
      exists = true;
      if (type == Type.A || type == Type.ANY) {
        for (InetAddress address : byName.addresses()) {
          response.addRecord(new ARecord(name, DClass.IN, DnsZone.TTL, address), Section.ANSWER);
        }
      }
    }
    DnsZone.Entry byService = DnsRecords.latest(entries, text, true);
    if (byService != null) {
      exists = true;
      if (type == Type.SRV || type == Type.ANY) {
        for (String target : byService.targets()) {
          Name targetName = name(target);
          for (int port : byService.ports()) {
            response.addRecord(new SRVRecord(name, DClass.IN, DnsZone.TTL, 0, 1, port, targetName), Section.ANSWER);
          }
          DnsZone.Entry host = DnsRecords.latest(entries, target, false);
          if (host != null) {
            for (InetAddress address : host.addresses()) {
              response.addRecord(new ARecord(targetName, DClass.IN, DnsZone.TTL, address), Section.ADDITIONAL);
            }
          }
        }
      }
    }
    if (!exists) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
    }
    if (response.getSection(Section.ANSWER).isEmpty()) {
      response.addRecord(soa(), Section.AUTHORITY);
    }
    return response;
  }

  /** The zone's SOA record, in empty answers: a negative answer may be kept no longer than its TTL (none). */
  private SOARecord soa() {
    String origin = records.origin();
    return new SOARecord(name(origin), DClass.IN, DnsZone.TTL, name("ns." + origin), name("hostmaster." + origin), 1,
        60, 60, 60, DnsZone.TTL);
  }

  /** A name this zone made, as dnsjava's. */
  private static Name name(String absolute) {
    try {
      return Name.fromString(absolute);
    } catch (TextParseException e) {
      throw new IllegalStateException("'" + absolute + "' should be a DNS name", e);
    }
  }
}
