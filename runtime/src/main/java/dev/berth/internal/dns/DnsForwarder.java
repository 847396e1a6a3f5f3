package dev.berth.internal.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

/**
 * Names outside the zone, for the session's server: asked of the test machine's resolvers (or those
 * {@code berth.dnsUpstream} names), so that containers resolve the outside world. A resolver that drops a query
 * must not hold the lookup for its timeout: real networks drop a few in a hundred, and a 2 s stall in 2% of lookups
 * is a flaky test nobody can explain. So, as resolvers that serve real traffic do:
 *
 * <ol>
 *   <li>answers, and negative answers, are kept for their TTL (at most {@link #MAX_KEEP}): a name asked again is
 *       answered at once;
 *   <li>a query not answered within a short delay is sent again, to the next resolver, and again, until one answers
 *       or {@link #GIVE_UP} has passed; the first answer wins. The delay follows the resolvers' round trips (three
 *       times the smoothed round trip, {@link #MIN_RESEND} to {@link #MAX_RESEND}), twice, then doubles each time:
 *       a resolver that drops 5% of queries leaves one lookup in 160,000 unanswered after the fourth try;
 *   <li>a truncated answer is asked again over TCP (dnsjava's resolver does so).
 * </ol>
 */
final class DnsForwarder {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  static final Duration GIVE_UP = Duration.ofSeconds(3);
  static final long MIN_RESEND = TimeUnit.MILLISECONDS.toNanos(20);
  static final long MAX_RESEND = TimeUnit.MILLISECONDS.toNanos(400);
  static final Duration MAX_KEEP = Duration.ofMinutes(5);
  /** How long a negative answer without an SOA, or a failure to get any, is kept. */
  private static final Duration KEEP_NEGATIVE = Duration.ofSeconds(5);
  private static final int MAX_ENTRIES = 10_000;

  private final List<SimpleResolver> resolvers;
  private final Map<Question, Kept> kept = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  /** The smoothed round trip of answered queries, in nanoseconds (RFC 6298's estimator, without the variance). */
  private volatile long smoothedRoundTrip = TimeUnit.MILLISECONDS.toNanos(10);

  /** Forwards to {@code upstream}; the machine's resolvers (/etc/resolv.conf) when it is empty. */
  DnsForwarder(List<InetSocketAddress> upstream) {
    List<InetSocketAddress> servers = upstream.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : upstream;
    this.resolvers = servers.stream().map(address -> {
      var resolver = new SimpleResolver(address);
      resolver.setTimeout(GIVE_UP);
      return resolver;
    }).toList();
  }

  /** What a name, type and class are asked as. */
  private record Question(String name, int type, int dclass) {
    static Question of(Record question) {
      return new Question(question.getName().toString().toLowerCase(Locale.ROOT), question.getType(),
          question.getDClass());
    }
  }

  private record Kept(Message answer, long until) {
  }

  /** The answer to a query about a name outside the zone; SERVFAIL if no resolver answers in time. */
  Message forward(Message query) {
    Record question = query.getQuestion();
    Question key = Question.of(question);
    long now = System.nanoTime();
    Kept known = kept.get(key);
    if (known != null && known.until - now > 0) {
      return withId(known.answer, query);
    }
    Message answer = ask(query);
    if (answer == null) {
      return failure(query);
    }
    keep(key, answer, now);
    return withId(answer, query);
  }

  /**
   * Sends the query, and again to the next resolver each time the delay passes unanswered, the delay doubling each
   * time; the first answer, or null when none came within {@link #GIVE_UP}. A resolver that fails at once (nothing
   * listens) is simply not heard from: the next attempt goes to another.
   */
  private Message ask(Message query) {
    if (resolvers.isEmpty()) {
      return null;
    }
    var first = new CompletableFuture<Message>();
    long deadline = System.nanoTime() + GIVE_UP.toNanos();
    long delay = resend();
    int tries = 0;
    while (true) {
      SimpleResolver resolver = resolvers.get(Math.floorMod(next.getAndIncrement(), resolvers.size()));
      long sentAt = System.nanoTime();
      resolver.sendAsync(query.clone()).whenComplete((answer, error) -> {
        if (answer != null && first.complete(answer)) {
          learnRoundTrip(System.nanoTime() - sentAt);
        }
      });
      long wait = Math.min(delay, deadline - System.nanoTime());
      if (wait <= 0) {
        return first.getNow(null);
      }
      try {
        return first.get(wait, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        tries++;
        if (tries >= 2) {
          delay = Math.min(MAX_RESEND, 2 * delay);
        }
      } catch (ExecutionException e) {
        return null; // never completed exceptionally
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  private long resend() {
    return Math.max(MIN_RESEND, Math.min(MAX_RESEND, 3 * smoothedRoundTrip));
  }

  private void learnRoundTrip(long nanos) {
    long smoothed = smoothedRoundTrip;
    smoothedRoundTrip = smoothed + (nanos - smoothed) / 8;
  }

  /** Keeps an answer for its lowest TTL (a negative one for its SOA's minimum), at most {@link #MAX_KEEP}. */
  private void keep(Question key, Message answer, long now) {
    int rcode = answer.getHeader().getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN || answer.getHeader().getFlag(Flags.TC)) {
      return;
    }
    long seconds = MAX_KEEP.toSeconds();
    List<Record> answers = answer.getSection(Section.ANSWER);
    if (answers.isEmpty()) {
      seconds = KEEP_NEGATIVE.toSeconds();
      for (Record record : answer.getSection(Section.AUTHORITY)) {
        if (record instanceof SOARecord soa) {
          seconds = Math.min(MAX_KEEP.toSeconds(), Math.min(soa.getTTL(), soa.getMinimum()));
        }
      }
    } else {
      for (Record record : answers) {
        seconds = Math.min(seconds, record.getTTL());
      }
    }
    if (seconds <= 0) {
      return;
    }
    if (kept.size() >= MAX_ENTRIES) {
      kept.entrySet().removeIf(e -> e.getValue().until - now <= 0);
      if (kept.size() >= MAX_ENTRIES) {
        kept.clear();
      }
    }
    kept.put(key, new Kept(answer, now + TimeUnit.SECONDS.toNanos(seconds)));
  }

  private static Message withId(Message answer, Message query) {
    Message copy = answer.clone();
    copy.getHeader().setID(query.getHeader().getID());
    return copy;
  }

  private static Message failure(Message query) {
    Message failed = new Message(query.getHeader().getID());
    failed.getHeader().setFlag(Flags.QR);
    failed.getHeader().setRcode(Rcode.SERVFAIL);
    failed.addRecord(query.getQuestion(), Section.QUESTION);
    return failed;
  }
}
