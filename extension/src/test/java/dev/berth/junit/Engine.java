package dev.berth.junit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the engine itself says happened: the tests' independent witness, read through docker-java. */
final class Engine {

  private static final DockerClient DOCKER = connect();

  private Engine() {
  }

  private static DockerClient connect() {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    return DockerClientImpl.getInstance(config,
        new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
  }

  static DockerClient docker() {
    return DOCKER;
  }

  /** Container events of the session between {@code since} and now, oldest first. */
  static List<Event> containerEvents(String session, Instant since, String... actions) {
    return events(since, DOCKER.eventsCmd().withEventTypeFilter("container").withEventFilter(actions)
        .withLabelFilter(Map.of("dev.berth.session", session)));
  }

  /** The images the engine pulled since {@code since}, by the names they were pulled under. */
  static List<String> imagePulls(Instant since) {
    long sinceNanos = since.getEpochSecond() * 1_000_000_000L + since.getNano();
    return events(since, DOCKER.eventsCmd().withEventTypeFilter("image").withEventFilter("pull")).stream()
        .filter(e -> e.getTimeNano() != null && e.getTimeNano() >= sinceNanos)
        .map(e -> e.getActor().getId()).toList();
  }

  /** The events {@code command} selects from {@code since} until now, as the engine kept them. */
  private static List<Event> events(Instant since, com.github.dockerjava.api.command.EventsCmd command) {
    var events = new ArrayList<Event>();
    var callback = new ResultCallback.Adapter<Event>() {
      @Override
      public void onNext(Event event) {
        synchronized (events) {
          events.add(event);
        }
      }
    };
    try {
      command
          .withSince(String.valueOf(since.getEpochSecond() - 1))
          .withUntil(until(Instant.now().plusMillis(250)))
          .exec(callback)
          .awaitCompletion(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  /**
   * An engine timestamp with its fraction: a whole second would hold every call up to a second, and the events
   * reach the engine's log before its answers to the calls that caused them; a quarter second is margin enough.
   */
  private static String until(Instant instant) {
    return String.format("%d.%09d", instant.getEpochSecond(), instant.getNano());
  }

  /**
   * Records the session's container events live, for runs too big for the engine's event buffer (it keeps the last
   * 256 events, so {@link #containerEvents} cannot see all of a large run).
   */
  static final class Recorder implements AutoCloseable {
    private final List<Event> events = new ArrayList<>();
    private final ResultCallback.Adapter<Event> callback;
    private volatile long lastEventNanos = System.nanoTime();

    Recorder(String session) {
      callback = DOCKER.eventsCmd().withEventTypeFilter("container")
          .withLabelFilter(Map.of("dev.berth.session", session))
          .exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Event event) {
              synchronized (events) {
                events.add(event);
              }
              lastEventNanos = System.nanoTime();
            }
          });
      try {
        // The engine answers the request before the first event; until then, events would go unrecorded.
        callback.awaitStarted(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /**
     * Waits until no event has come for 150 ms (at most 3 s): the engine reports a removal before it answers the
     * request, but the report can reach the stream a moment after the run ends.
     */
    void settle() {
      long deadline = System.nanoTime() + 3_000_000_000L;
      try {
        while (System.nanoTime() - lastEventNanos < 150_000_000L && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /**
     * The events so far with one of these actions ({@code create}, {@code kill}, ...), oldest first. Exec events
     * carry their command ({@code exec_create: sh -c ...}); {@code exec_create} finds them all.
     */
    List<Event> events(String... actions) {
      var wanted = List.of(actions);
      synchronized (events) {
        return events.stream().filter(e -> wanted.stream()
            .anyMatch(a -> a.equals(e.getAction()) || e.getAction().startsWith(a + ": "))).toList();
      }
    }

    @Override
    public void close() throws java.io.IOException {
      callback.close();
    }
  }

  /** Service containers created in the session. */
  static List<Event> servicesCreated(String session, Instant since) {
    return containerEvents(session, since, "create").stream()
        .filter(e -> "service".equals(e.getActor().getAttributes().get("dev.berth.role")))
        .toList();
  }

  /** Containers, networks and volumes of the session still on the engine. */
  static List<String> leftovers(String session) {
    var left = new ArrayList<String>();
    DOCKER.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("dev.berth.session", session)).exec()
        .forEach(c -> left.add("container " + String.join(",", c.getNames()) + " " + c.getStatus()));
    DOCKER.listNetworksCmd().withFilter("label", List.of("dev.berth.session=" + session)).exec()
        .forEach(n -> left.add("network " + n.getName()));
    if (Boolean.TRUE.equals(DOCKER.infoCmd().exec().getSwarm().getControlAvailable())) {
      // berth.engine=swarm: a service's task container goes with the service, which must not stay without it.
      DOCKER.listServicesCmd().withLabelFilter(Map.of("dev.berth.session", session)).exec()
          .forEach(service -> left.add("swarm service " + service.getSpec().getName()));
      DOCKER.listConfigsCmd().withFilters(Map.of("label", List.of("dev.berth.session=" + session))).exec()
          .forEach(config -> left.add("swarm config " + config.getSpec().getName()));
    }
    return left;
  }

  /** Running containers of the session with the given role. */
  static List<InspectContainerResponse> running(String session, String role) {
    return DOCKER.listContainersCmd().withLabelFilter(Map.of("dev.berth.session", session, "dev.berth.role", role))
        .exec().stream().map(c -> DOCKER.inspectContainerCmd(c.getId()).exec()).toList();
  }
}
