package dev.berth.internal.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the run did, as it did it: each service's phases and marks, keyed by the definition's digest, and each test
 * class with its tests. The run's layers record into it as they go (a map lookup and a short lock a step); the
 * report is made from it once, when the run ends ({@link RunReport}). A step for a digest it was never told of is
 * dropped: the report leaves out what it cannot name.
 */
public final class RunTimeline {

  /**
   * A test as it ran: when, how it ended, how long it waited for its services, and which; for a failed test, the
   * last lines of the services its class held then.
   */
  public record TestRan(String name, long start, long end, String outcome, long waitedMillis, List<String> services,
      String failure, Map<String, List<String>> logTails) {

    public TestRan(String name, long start, long end, String outcome, long waitedMillis, List<String> services,
        String failure) {
      this(name, start, end, outcome, waitedMillis, services, failure, Map.of());
    }
  }

  /** A test class as it ran, with its tests. */
  public record ClassRan(String name, String display, long start, long end, String outcome, List<TestRan> tests) {
  }

  private final long start = now();
  private final Map<String, ServiceTimeline> services = new ConcurrentHashMap<>();
  private final List<ClassRan> classes = new CopyOnWriteArrayList<>();

  /** Now, as the report's times are: milliseconds of the epoch. */
  public static long now() {
    return System.currentTimeMillis();
  }

  /** Names a service, once per digest: later steps for the digest go into its timeline. */
  public void service(String digest, String name, String image, String hostname) {
    services.computeIfAbsent(digest, d -> new ServiceTimeline(name, image, d, hostname));
  }

  /** The service enters {@code phase} now; the phase it was in ends. */
  public void enter(String digest, Phase phase, String detail) {
    ifNamed(digest, service -> service.enter(phase, now(), detail));
  }

  /** Says more of the phase the service is in, if it is in {@code phase}. */
  public void describe(String digest, Phase phase, String detail) {
    ifNamed(digest, service -> service.describe(phase, detail));
  }

  public void mark(String digest, String kind, String detail) {
    ifNamed(digest, service -> service.mark(now(), kind, detail));
  }

  /** A user (a test class, a client, another service binding it) took the service. */
  public void used(String digest, String user) {
    ifNamed(digest, service -> service.used(now(), user));
  }

  /** The service's life in this run ended: {@code stopped}, {@code died} or {@code left-warm}. */
  public void end(String digest, String outcome) {
    ifNamed(digest, service -> service.end(now(), outcome));
  }

  /** The service failed to start, with its last lines. */
  public void fail(String digest, String message, List<String> logTail) {
    ifNamed(digest, service -> service.fail(now(), message, logTail));
  }

  /** Applies a step to the digest's timeline, if a service of that digest was named. */
  private void ifNamed(String digest, Consumer<ServiceTimeline> step) {
    ServiceTimeline service = services.get(digest);
    if (service != null) {
      step.accept(service);
    }
  }

  /** The run ended: every service still in a phase stopped with it. */
  public void endOfRun() {
    long now = now();
    services.values().forEach(service -> service.end(now, "stopped"));
  }

  public void classRan(ClassRan ran) {
    classes.add(ran);
  }

  /** How many services it knows. */
  public int serviceCount() {
    return services.size();
  }

  /** The run as the report's data has it, everything still open closed at {@code end}. */
  ObjectNode toJson(String runId, String session, long end) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode run = json.objectNode();
    run.put("run", runId);
    run.put("session", session);
    run.put("pid", ProcessHandle.current().pid());
    run.put("start", start);
    run.put("end", Math.max(start, end));
    ArrayNode rows = run.putArray("services");
    services.values().stream().map(service -> service.snapshot(end))
        .sorted(Comparator.comparingLong(RunTimeline::firstMoment).thenComparing(ServiceTimeline.Snapshot::name))
        .forEach(service -> rows.add(toJson(service)));
    ArrayNode classRows = run.putArray("classes");
    classes.stream().sorted(Comparator.comparingLong(ClassRan::start)).forEach(ran -> {
      ObjectNode row = classRows.addObject();
      row.put("name", ran.name());
      row.put("display", ran.display());
      row.put("start", ran.start());
      row.put("end", ran.end());
      row.put("outcome", ran.outcome());
      ArrayNode tests = row.putArray("tests");
      for (TestRan test : ran.tests()) {
        ObjectNode t = tests.addObject();
        t.put("name", test.name());
        t.put("start", test.start());
        t.put("end", test.end());
        t.put("outcome", test.outcome());
        t.put("waited", test.waitedMillis());
        ArrayNode used = t.putArray("services");
        test.services().forEach(used::add);
        t.put("failure", test.failure());
        if (!test.logTails().isEmpty()) {
          ObjectNode tails = t.putObject("logTails");
          test.logTails().forEach((service, lines) -> lines.forEach(tails.putArray(service)::add));
        }
      }
    });
    return run;
  }

  private static long firstMoment(ServiceTimeline.Snapshot service) {
    return service.spans().isEmpty() ? Long.MAX_VALUE : service.spans().get(0).from();
  }

  private static ObjectNode toJson(ServiceTimeline.Snapshot service) {
    ObjectNode row = JsonNodeFactory.instance.objectNode();
    row.put("name", service.name());
    row.put("image", service.image());
    row.put("digest", service.digest().substring(0, Math.min(12, service.digest().length())));
    row.put("hostname", service.hostname());
    row.put("outcome", service.outcome());
    ArrayNode spans = row.putArray("spans");
    for (ServiceTimeline.Span span : service.spans()) {
      ObjectNode s = spans.addObject();
      s.put("phase", span.phase().key());
      s.put("from", span.from());
      s.put("to", span.to());
      s.put("detail", span.detail());
    }
    ArrayNode marks = row.putArray("marks");
    for (ServiceTimeline.Mark mark : service.marks()) {
      ObjectNode m = marks.addObject();
      m.put("at", mark.at());
      m.put("kind", mark.kind());
      m.put("detail", mark.detail());
    }
    ArrayNode users = row.putArray("users");
    service.users().forEach(users::add);
    if (service.failure() == null) {
      row.putNull("failure");
    } else {
      ObjectNode failure = row.putObject("failure");
      failure.put("message", service.failure().message());
      ArrayNode tail = failure.putArray("logTail");
      service.failure().logTail().forEach(tail::add);
    }
    return row;
  }
}
