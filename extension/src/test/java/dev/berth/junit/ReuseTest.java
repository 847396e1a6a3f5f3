package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code berth.reuse}: runs of one session, one after the other, as later builds on one machine are. What a run
 * leaves up, the next attaches to; a keeper process removes what stays idle past its time, with no run left.
 */
@Tag("slow") // JVMs of their own and idle times waited out
class ReuseTest {

  private final String session = "reuse-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterEach
  void removeWhatIsLeft() throws Exception {
    // What a failed test left up: the keeper would go on keeping it until its time.
    Engine.docker().listContainersCmd().withShowAll(true)
        .withLabelFilter(java.util.Map.of("dev.berth.session", session)).exec()
        .forEach(c -> Engine.docker().removeContainerCmd(c.getId()).withForce(true).exec());
    Engine.docker().listNetworksCmd().withFilter("label", List.of("dev.berth.session=" + session)).exec()
        .forEach(n -> Engine.docker().removeNetworkCmd(n.getId()).exec());
    Path dir = KitRun.sessionDirectory(session);
    if (Files.isDirectory(dir)) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  void aLaterRunAttachesToWhatTheFirstLeftUpWithItsData() {
    var first = run("30s").run(Writes.class).assertSucceeded(1);
    assertThat(first.servicesCreated()).isEqualTo(1);
    assertThat(Engine.running(session, "service")).as("left up for later runs").hasSize(1);

    var second = run("30s").run(Reads.class).assertSucceeded(1);

    assertThat(second.servicesCreated()).as("containers the second run created").isZero();
    assertThat(read).isEqualTo("kept");
    assertThat(readerSaw).as("hostname and DNS answer of the second run").isEqualTo(writerSaw).isNotEmpty();
  }

  /** What issue 21 asks, with two JVMs, one after the other: the second creates nothing and finds the data. */
  @Test
  void aSecondJvmAttachesToWhatTheFirstLeftUp() throws Exception {
    String first = jvm("SET left kept");
    assertThat(first).contains("reply +OK");
    var containers = Engine.running(session, "service").stream().map(c -> c.getId()).toList();
    assertThat(containers).hasSize(1);

    String second;
    try (var recorder = new Engine.Recorder(session)) {
      second = jvm("GET left");
      recorder.settle();
      assertThat(recorder.events("create")).as("containers the second JVM created").isEmpty();
    }

    assertThat(second).contains("reply $4 kept");
    assertThat(hostname(second)).isEqualTo(hostname(first));
    assertThat(Engine.running(session, "service").stream().map(c -> c.getId()).toList()).isEqualTo(containers);
  }

  /** Two JVMs that attach at the same moment share the container the first left up: no create, no second one. */
  @Test
  void twoJvmsAttachingAtOnceShareWhatTheFirstLeftUp() throws Exception {
    String first = jvm("SET left kept");
    var containers = Engine.running(session, "service").stream().map(c -> c.getId()).toList();
    assertThat(containers).hasSize(1);

    try (var recorder = new Engine.Recorder(session)) {
      Process a = start("GET left");
      Process b = start("GET left");
      List<String> replies = List.of(reply(a), reply(b));
      recorder.settle();
      assertThat(recorder.events("create")).as("containers the two JVMs created").isEmpty();
      assertThat(replies).allSatisfy(reply -> assertThat(reply).contains("reply $4 kept")
          .contains(hostname(first)));
    }
    assertThat(Engine.running(session, "service").stream().map(c -> c.getId()).toList()).isEqualTo(containers);
  }

  /** A run that leaves its service up stops reading the engine's streams of it: each would delay the JVM's exit. */
  @Test
  void aRunThatLeavesItsServiceUpStopsWatchingIt() throws Exception {
    assertThat(start("SET left kept").inputReader().lines().toList()).as("the JVM's output")
        .contains("streams 0");
  }

  private String jvm(String command) throws Exception {
    return reply(start(command));
  }

  private Process start(String command) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
        ReuseJvm.class.getName(), session, command).redirectErrorStream(true).start();
  }

  private static String reply(Process process) throws Exception {
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    return output.lines().filter(l -> l.startsWith("reply ")).findFirst().orElseThrow(() ->
        new AssertionError("no reply in:\n" + output));
  }

  private static String hostname(String reply) {
    return reply.substring(reply.indexOf("hostname"));
  }

  @Test
  void twoRunsAttachingAtOnceShareOneContainer() throws Exception {
    run("30s").run(Writes.class).assertSucceeded(1);

    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var a = pool.submit(() -> run("30s").run(Reads.class).assertSucceeded(1));
      var b = pool.submit(() -> run("30s").run(Reads.class).assertSucceeded(1));
      assertThat(a.get().servicesCreated() + b.get().servicesCreated()).isZero();
    } finally {
      pool.shutdownNow();
    }
    assertThat(Engine.running(session, "service")).as("one container of the digest").hasSize(1);
  }

  @Test
  void aResetCommandRunsWhenARunAttaches() {
    run("30s").run(Writes.class).assertSucceeded(1);

    var second = run("30s").run(ReadsAfterReset.class).assertSucceeded(1);

    assertThat(second.servicesCreated()).isZero();
    assertThat(read).isEmpty();
  }

  /** A reset that fails fails the attach, with what the command said; run beside readiness, it is tried twice. */
  @Test
  void aResetCommandThatFailsFailsTheAttachWithWhatItSaid() {
    read = null;
    run("30s").run(Writes.class).assertSucceeded(1);

    var second = run("30s").run(ReadsAfterFailedReset.class);

    assertThat(KitRun.stackTrace(second.onlyFailure())).contains("The reset command", "exited with code 3",
        "no reset here");
    assertThat(read).as("nothing read: the test did not run").isNull();
  }

  @Test
  void whatStaysIdlePastItsTimeGoesWithNoRunLeft() throws InterruptedException {
    run("2s").run(Writes.class).assertSucceeded(1);
    assertThat(Engine.running(session, "service")).hasSize(1);

    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!Engine.leftovers(session).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    assertThat(Engine.leftovers(session)).as("left 30 s after the run, by a 2 s berth.reuse").isEmpty();
  }

  @Test
  void aChangedDefinitionStartsFreshAndTheOldOneGoesOnceIdle() throws InterruptedException {
    run("3s").run(Writes.class).assertSucceeded(1);

    var changed = run("3s").run(WritesToAnother.class).assertSucceeded(1);

    assertThat(changed.servicesCreated()).isEqualTo(1);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!Engine.leftovers(session).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    assertThat(Engine.leftovers(session)).isEmpty();
  }

  @Test
  void whatIsKeptUpIsListedAndRemovedOnRequest() {
    run("30s").run(Writes.class).assertSucceeded(1);
    var config = dev.berth.internal.config.BerthConfig.from(key -> java.util.Optional.ofNullable(
        java.util.Map.of("berth.session", session).get(key)));

    assertThat(dev.berth.internal.run.ServiceRuntime.keptServices(config, false))
        .singleElement().asString().startsWith("redis ").contains("idle, goes in");
    assertThat(dev.berth.internal.run.ServiceRuntime.keptServices(config, true))
        .containsExactly("Removed 1 service(s) of session " + session + " that no run holds");
    assertThat(Engine.leftovers(session)).isEmpty();
  }

  @Test
  void withoutReuseARunLeavesNothingUp() {
    new KitRun(session).run(Writes.class).assertSucceeded(1);

    assertThat(Engine.leftovers(session)).isEmpty();
  }

  private KitRun run(String reuse) {
    return new KitRun(session).keepingSessionDirectory().with("berth.reuse", reuse);
  }

  static volatile String read;
  /** What each run's client saw of the service: its hostname, and what the session's DNS answers for its name. */
  static volatile List<String> writerSaw;
  static volatile List<String> readerSaw;

  static final ServiceSpec REDIS = ServiceSpec.from("redis:7.0").withExposedPort(6379);

  /** Writes a key into the redis its subclass declares. */
  @ServiceTest
  abstract static class Writing {
    @Test
    void writes(@BindService("redis") @ClientContainer(image = "redis:7.0") Container client,
        @dev.berth.annotations.ServiceHandle("redis") dev.berth.Service redis) {
      assertThat(client.exec("redis-cli", "-h", "redis", "set", "left", "kept").stdout().strip()).isEqualTo("OK");
      writerSaw = List.of(redis.hostname(), String.valueOf(dev.berth.Discovery.lookup("redis")));
    }
  }

  /** Reads that key from the redis its subclass declares. */
  @ServiceTest
  abstract static class Reading {
    @Test
    void reads(@BindService("redis") @ClientContainer(image = "redis:7.0") Container client,
        @dev.berth.annotations.ServiceHandle("redis") dev.berth.Service redis) {
      read = client.exec("redis-cli", "-h", "redis", "get", "left").stdout().strip();
      readerSaw = List.of(redis.hostname(), String.valueOf(dev.berth.Discovery.lookup("redis")));
    }
  }

  static class Writes extends Writing {
    @ServiceContainer
    static final ServiceSpec redis = REDIS;
  }

  static class WritesToAnother extends Writing {
    @ServiceContainer
    static final ServiceSpec redis = REDIS.withEnv("CHANGED", "yes");
  }

  static class Reads extends Reading {
    @ServiceContainer
    static final ServiceSpec redis = REDIS;
  }

  static class ReadsAfterReset extends Reading {
    @ServiceContainer
    static final ServiceSpec redis = REDIS.withResetCommand("redis-cli", "FLUSHALL");
  }

  static class ReadsAfterFailedReset extends Reading {
    @ServiceContainer
    static final ServiceSpec redis = REDIS.withResetCommand("sh", "-c", "echo no reset here >&2; exit 3");
  }
}
