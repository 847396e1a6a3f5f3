package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.berth.BerthException;
import dev.berth.internal.spec.ImageReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every engine call has a deadline, on both transports: fake engines (no Docker) that accept and never answer,
 * stall on a create, or stall midway through a pull's progress. Each failure comes within its deadline plus a
 * second and says where, what and what to check; each test reports the time it took.
 */
@Timeout(30)
class EngineDeadlinesTest {

  /** Short deadlines, so that the fakes cost seconds: ping, ordinary calls, pull progress. */
  private static final EngineDeadlines SHORT = new EngineDeadlines(Duration.ofSeconds(1), Duration.ofSeconds(1),
      Duration.ofSeconds(1));
  private static final Duration LEEWAY = Duration.ofSeconds(1);

  @TempDir
  Path dir;

  /**
   * Connects, creates and pulls once over each transport with an engine that answers: a JVM's first connection loads
   * docker-java and the Apache client, and its first create and pull have the mapper learn their messages (together
   * about half a second here, more on a loaded machine), which is no part of a deadline's time.
   */
  @BeforeAll
  static void loadTheClients(@TempDir Path dir) throws IOException {
    FakeEngine.Script pulls = FakeEngine.answeringPing((method, path, out) -> {
      if (path.contains("/containers/create")) {
        FakeEngine.reply(out, "404 Not Found", "application/json", "{\"message\":\"No such image\"}");
        return;
      }
      FakeEngine.beginStream(out);
      FakeEngine.chunk(out, "{\"status\":\"Status: Image is up to date for redis:7.0\"}\r\n");
      FakeEngine.chunk(out, "");
    });
    try (FakeEngine unix = FakeEngine.onUnixSocket(dir.resolve("warm.sock"), pulls);
         FakeEngine tcp = FakeEngine.onTcp(pulls)) {
      for (FakeEngine engine : List.of(unix, tcp)) {
        try (DockerBackend backend = connect(engine)) {
          assertThat(backend.rehearseCreate()).as("the create refused").isTrue();
          backend.pull(ImageReference.parse("redis:7.0"), false, Duration.ofSeconds(10), "loading the clients");
        }
      }
    }
  }

  private FakeEngine fake(String transport, FakeEngine.Script script) throws IOException {
    return transport.equals("unix") ? FakeEngine.onUnixSocket(dir.resolve("engine.sock"), script)
        : FakeEngine.onTcp(script);
  }

  private static DockerBackend connect(FakeEngine engine) {
    return DockerBackend.connect(Optional.of(engine.host()), "auto", RegistryCredentials.fromEnvironment(), SHORT);
  }

  /** The failure of {@code call}, and how long it took, reported and checked against the deadline. */
  private static <T extends Throwable> T failsWithin(Duration deadline, Class<T> type, Runnable call, String what,
      TestReporter reporter) {
    long started = System.nanoTime();
    T failure = catchThrowableOfType(call::run, type);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    reporter.publishEntry(what, took.toMillis() + " ms (deadline " + deadline.toMillis() + " ms)");
    System.out.printf("%s failed after %d ms (deadline %d ms)%n", what, took.toMillis(), deadline.toMillis());
    assertThat(failure).as(what + " fails").isNotNull();
    assertThat(took).as(what + ": within its deadline plus a second").isLessThan(deadline.plus(LEEWAY));
    assertThat(took).as(what + ": not before its deadline").isGreaterThanOrEqualTo(deadline);
    return failure;
  }

  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"unix", "tcp"})
  void anEngineThatAcceptsAndNeverAnswersFailsTheConnectionAtThePingDeadline(String transport,
      TestReporter reporter) throws IOException {
    try (FakeEngine engine = fake(transport, FakeEngine.SILENT)) {
      var failure = failsWithin(SHORT.ping(), BerthException.class, () -> connect(engine).close(),
          "connecting to a silent engine over " + transport, reporter);

      assertThat(failure).hasMessageContaining("No Docker engine answers at " + engine.host())
          .hasMessageContaining("did not answer GET /_ping within 1 s (berth.pingTimeout; waited 1")
          .hasMessageContaining("Is the engine starting").hasMessageContaining("Does `docker version` answer?");
    }
  }

  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"unix", "tcp"})
  void anEngineThatStallsOnCreateFailsTheCreateAtItsDeadline(String transport, TestReporter reporter)
      throws IOException {
    try (FakeEngine engine = fake(transport, FakeEngine.answeringPing((method, path, out) -> FakeEngine.stall()));
         DockerBackend backend = connect(engine)) {
      var request = new ContainerRequest("berth-deadline-test", "redis:7.0", "redis", List.of(), List.of(), Map.of(),
          null, null, null, null, null, Map.of(), Map.of(), null, Map.of(), Map.of());

      var failure = failsWithin(SHORT.call(), Engine.CallTimedOut.class,
          () -> backend.createAndStart(request, "berth-net", null, "127.0.0.1"),
          "a create the engine never answers over " + transport, reporter);

      assertThat(failure).hasMessageStartingWith("The Docker engine at " + engine.host()
          + " did not answer POST /containers/create within 1 s (berth.engineTimeout; waited 1")
          .hasMessageContaining("Does `docker version` answer?").hasMessageContaining("raise berth.engineTimeout");
    }
  }

  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"unix", "tcp"})
  void aPullThatStallsMidStreamFailsAtItsProgressDeadlineNamingTheLastLayer(String transport,
      TestReporter reporter) throws IOException {
    FakeEngine.Script pull = (method, path, out) -> {
      FakeEngine.beginStream(out);
      FakeEngine.chunk(out, "{\"status\":\"Pulling from library/redis\",\"id\":\"7.0\"}\r\n");
      FakeEngine.chunk(out, "{\"status\":\"Pulling fs layer\",\"id\":\"a2abf6c4d29d\"}\r\n");
      FakeEngine.chunk(out, "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1024,\"total\":31357311},"
          + "\"id\":\"a2abf6c4d29d\"}\r\n");
      FakeEngine.stall();
    };
    try (FakeEngine engine = fake(transport, FakeEngine.answeringPing(pull));
         DockerBackend backend = connect(engine)) {
      var failure = failsWithin(SHORT.pullProgress(), BerthException.class,
          () -> backend.pull(ImageReference.parse("redis:7.0"), false, Duration.ofMinutes(5), "service 'cache'"),
          "a pull that stalls midway over " + transport, reporter);

      assertThat(failure).hasMessageStartingWith("Pulling image 'redis:7.0' for service 'cache' made no progress for 1")
          .hasMessageContaining("(berth.pullProgressTimeout is 1 s): the Docker engine at " + engine.host()
              + " sent nothing more on POST /images/create after the layer 'a2abf6c4d29d: Downloading'")
          .hasMessageContaining("Does `docker version` answer?");
    }
  }

  @Test
  void eachKindOfCallHasItsDeadline() {
    var deadlines = new EngineDeadlines(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2));
    Function<String, Optional<Duration>> post = path -> deadlines.of("POST", path, false)
        .map(EngineDeadlines.Deadline::time);

    assertThat(deadlines.of("GET", "/v1.41/_ping", false).map(EngineDeadlines.Deadline::time))
        .contains(Duration.ofSeconds(5));
    assertThat(post.apply("/v1.41/containers/create?name=x")).contains(Duration.ofSeconds(30));
    assertThat(post.apply("/containers/abc/start")).contains(Duration.ofSeconds(30));
    assertThat(post.apply("/containers/abc/stop?t=12")).as("the stop's own wait, and more")
        .contains(Duration.ofSeconds(42));
    assertThat(deadlines.readsAreBounded("POST", "/containers/abc/stop?t=12", false)).isFalse();
    for (String stream : List.of("/images/create?fromImage=redis&tag=7.0", "/build", "/containers/abc/wait",
        "/containers/abc/logs?follow=true&stdout=true", "/exec/abc/start", "/events")) {
      assertThat(post.apply(stream)).as(stream).isEmpty();
    }
    assertThat(deadlines.of("POST", "/containers/abc/attach", true)).as("taking over the connection").isEmpty();
    assertThat(EngineDeadlines.call("POST", "/v1.41/containers/create?name=x")).isEqualTo("POST /containers/create");
  }

  /**
   * The transport's own read timeout can end the wait a hair before the deadline counts as passed; the failure then
   * carries the transport's exception (often without a message) as its cause, and what a user reads must still be
   * the deadline's message, not "SocketTimeoutException".
   */
  @Test
  void aDeadlinesMessageIsNotReplacedByWhatTheTransportSaidBelowIt() {
    var below = new UncheckedIOException("failed", new SocketTimeoutException());
    String deadline = "The Docker engine at unix:///x did not answer GET /_ping within 1 s";
    assertThat(Engine.rootMessage(new RuntimeException("wrapped", new Engine.CallTimedOut(deadline, below))))
        .isEqualTo(deadline);
    assertThat(Engine.rootMessage(below)).as("without a deadline, the deepest cause")
        .isEqualTo("SocketTimeoutException");
  }
}
