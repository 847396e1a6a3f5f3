package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.BerthException;
import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.annotations.ServiceHandle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** Faults at run time: each one ends in a message that says what happened and what to do, and nothing leaks. */
class FaultsTest {

  static volatile int hostPort;

  @Test
  void malformedImageReferenceNamesTheFieldAndTheRule() {
    var run = new KitRun().run(MalformedImage.class);

    assertThat(run.classFailure())
        .hasMessageContaining("@ServiceContainer field MalformedImage.redis: Image reference 'Redis:7.0' is malformed")
        .hasMessageContaining("uppercase")
        .hasMessageContaining("for example \"redis:7.0\"");
  }

  @Test
  void nonStaticSpecNeededFromAStaticContextIsRejected() {
    var run = new KitRun().run(InstanceSpecFromStatic.class);

    assertThat(run.classFailure())
        .hasMessageContaining("@ServiceContainer field InstanceSpecFromStatic.db is not static")
        .hasMessageContaining("make it static");
  }

  @Test
  void twoBindingsWithOneAliasAreRejected() {
    var run = new KitRun().run(SameAlias.class);

    assertThat(run.onlyFailure())
        .hasMessageContaining("Two bindings use the alias 'db'")
        .hasMessageContaining("services 'first' and 'second'");
  }

  @Test
  void endpointOfAPortTheServiceDoesNotExposeIsRejected() {
    new KitRun().run(UnexposedPort.class).assertSucceeded(1);
    var run = new KitRun().run(UnexposedEndpoint.class);

    assertThat(run.onlyFailure())
        .hasMessageContaining("service 'cache' (redis:7.0) does not expose port 6380; exposed ports: [6379]");
    assertThat(run.servicesCreated()).as("refused from the declaration, before the start").isZero();
  }

  @Test
  void serviceThatDiesMidTestIsStartedAgainForTheNextTest() {
    var run = new KitRun().run(DiesMidTest.class).assertSucceeded(2);

    assertThat(run.servicesCreated()).isEqualTo(2);
    assertThat(run.leftovers()).isEmpty();
  }

  /** Issue 27: a service cut off from the run's network is noticed, and the next test gets a new one. */
  @Test
  void serviceCutOffFromTheNetworkIsStartedAgainForTheNextTest() {
    var run = new KitRun().run(CutOffMidTest.class).assertSucceeded(2);

    assertThat(run.servicesCreated()).isEqualTo(2);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void fixedHostPortIsPublishedOnLoopback() throws IOException {
    hostPort = freePort();
    new KitRun().run(FixedPort.class).assertSucceeded(1);
  }

  @Test
  void takenFixedHostPortFailsFast() throws IOException {
    try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      hostPort = taken.getLocalPort();
      var run = new KitRun().run(TakenPort.class);

      assertThat(run.onlyFailure()).isInstanceOf(BerthException.class)
          .hasMessageContaining("Host port " + hostPort + " for port 6379 of service 'fixed' (redis:7.0")
          .hasMessageContaining("is taken on 127.0.0.1")
          .hasMessageContaining("choose another port with withHostPort(...)");
      assertThat(run.servicesCreated()).isZero();
    }
  }

  @Test
  void clientFaultsAreClear() {
    new KitRun().with("berth.execTimeout", "1s").run(ClientFaults.class).assertSucceeded(2);
  }

  @Test
  void withoutAnEngineTestsFailSayingHowToPointBerthAtOne() {
    var run = new KitRun().with("berth.dockerHost", "unix:///tmp/berth-no-engine.sock").run(NeedsEngine.class);

    assertThat(run.onlyFailure()).isInstanceOf(BerthException.class)
        .hasMessageContaining("No Docker engine answers at unix:///tmp/berth-no-engine.sock")
        .hasMessageContaining("DOCKER_HOST");
  }

  @Test
  void withoutAnEngineOptionalTestsAreSkipped() {
    var run = new KitRun().with("berth.dockerHost", "unix:///tmp/berth-no-engine.sock").run(EngineOptional.class);

    run.results.containerEvents().skipped().assertThatEvents().singleElement().satisfies(e ->
        assertThat(e.getPayload(String.class)).hasValueSatisfying(reason ->
            assertThat(reason).contains("No Docker engine answers")));
    run.tests().assertStatistics(s -> s.started(0));
  }

  @Test
  void withAnEngineOptionalTestsRun() {
    new KitRun().run(EngineOptional.class).assertSucceeded(1);
  }

  @Tag("slow") // waits out a startup timeout
  @Test
  void startInterruptedByATimeoutLeavesNoContainerBehind() {
    // The service's shell ignores SIGTERM: a short stop timeout spares the wait for the kill, which is not tested here.
    var run = new KitRun().with("berth.gracePeriod", "0").with("berth.stopTimeout", "1s").run(InterruptedStart.class);

    run.tests().assertStatistics(s -> s.failed(1).succeeded(1));
    assertThat(run.leftovers()).isEmpty();
  }


  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @ServiceTest
  static class MalformedImage {
    @ServiceContainer(image = "Redis:7.0", ports = 6379)
    static Service redis;

    @Test
    void test() {
    }
  }

  @ServiceTest
  static class InstanceSpecFromStatic {
    @ServiceContainer
    final ServiceSpec db = Fixtures.REDIS;

    @ServiceContainer(image = "busybox:1.35")
    @BindService("db")
    static Service app;

    @Test
    void test() {
    }
  }

  @ServiceTest
  static class SameAlias {
    @ServiceContainer
    static final ServiceSpec first = Fixtures.REDIS;

    @ServiceContainer
    static final ServiceSpec second = Fixtures.REDIS.withInstanceId("second");

    @Test
    void test(@BindService(value = "first", alias = "db") @BindService(value = "second", alias = "db") Container c) {
    }
  }

  @ServiceTest
  static class UnexposedPort {
    @ServiceContainer(name = "cache", image = "redis:7.0", ports = 6379)
    static Service redis;

    @Test
    void test() {
      assertThatThrownBy(() -> redis.endpoint(6380)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Service 'cache' (redis:7.0) does not expose port 6380; exposed ports: [6379]. Add it with"
              + " withExposedPort(6380) or ports = 6380");
      assertThatThrownBy(() -> redis.hostAddress(6380)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not expose port 6380");
      assertThat(redis.isRunning()).isFalse();
    }
  }

  @ServiceTest
  static class UnexposedEndpoint {
    @ServiceContainer(name = "cache", image = "redis:7.0", ports = 6379)
    static Service redis;

    @Test
    void test(@ServiceEndpoint(value = "cache", port = 6380) String address) {
    }
  }

  @ServiceTest
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class DiesMidTest {
    static String firstContainer;

    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    @Order(1)
    void killItMidTest(@ServiceEndpoint("redis") InetSocketAddress address, @ServiceHandle("redis") Service redis) {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
      firstContainer = Engine.running(Fixtures.session, "service").get(0).getId();
      Engine.docker().killContainerCmd(firstContainer).exec();
      // The engine reports the death a moment later; the next test starts after Berth has heard of it.
      await().atMost(Duration.ofSeconds(10)).until(() -> !redis.isRunning());
    }

    @Test
    @Order(2)
    void nextTestGetsAHealthyService(@ServiceEndpoint("redis") InetSocketAddress address,
        @BindService("redis") Container client) {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
      assertThat(Engine.running(Fixtures.session, "service")).singleElement()
          .satisfies(c -> assertThat(c.getId()).isNotEqualTo(firstContainer));
      assertThat(client.exec("nc", "-w", "1", "redis", "6379", "-e", "true").exitCode()).isZero();
    }
  }

  @ServiceTest
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class CutOffMidTest {
    static String firstContainer;

    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    @Order(1)
    void cutItOffMidTest(@BindService("redis") Container client, @ServiceHandle("redis") Service redis) {
      assertThat(client.exec("nc", "-w", "1", "redis", "6379", "-e", "true").exitCode()).isZero();
      var container = Engine.running(Fixtures.session, "service").get(0);
      firstContainer = container.getId();
      String network = container.getNetworkSettings().getNetworks().keySet().iterator().next();
      Engine.docker().disconnectFromNetworkCmd().withNetworkId(network).withContainerId(firstContainer)
          .withForce(true).exec();
      // The engine reports the disconnection a moment later; the next test starts after Berth has acted on it.
      await().atMost(Duration.ofSeconds(10)).until(() -> !redis.isRunning());
    }

    @Test
    @Order(2)
    void nextTestGetsAServiceItCanReach(@ServiceEndpoint("redis") InetSocketAddress address,
        @BindService("redis") Container client) {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
      assertThat(Engine.running(Fixtures.session, "service")).singleElement()
          .satisfies(c -> assertThat(c.getId()).isNotEqualTo(firstContainer));
      assertThat(client.exec("nc", "-w", "1", "redis", "6379", "-e", "true").exitCode()).isZero();
    }
  }

  /** Reads {@link #hostPort} when the class is initialised, so it is used only by the one test that sets it. */
  @ServiceTest
  static class FixedPort {
    @ServiceContainer
    static final ServiceSpec fixed = Fixtures.REDIS.withHostPort(hostPort, 6379);

    @Test
    void test(@ServiceEndpoint("fixed") InetSocketAddress address) {
      assertThat(address).isEqualTo(new InetSocketAddress("127.0.0.1", hostPort));
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
    }
  }

  /** Reads {@link #hostPort} when the class is initialised, so it is used only by the one test that sets it. */
  @ServiceTest
  static class TakenPort {
    @ServiceContainer
    static final ServiceSpec fixed = Fixtures.REDIS.withHostPort(hostPort, 6379);

    @Test
    void test(@ServiceEndpoint("fixed") InetSocketAddress address) {
    }
  }

  @ServiceTest
  static class ClientFaults {
    @Test
    void missingCommand(@ClientContainer(image = "busybox:1.35") Container client) {
      assertThatThrownBy(() -> client.exec("psql", "-c", "select 1")).isInstanceOf(BerthException.class)
          .hasMessageContaining("Cannot run [psql, -c, select 1] in client 'client' (busybox:1.35)")
          .hasMessageContaining("\"psql\": executable file not found in $PATH")
          .hasMessageContaining("Use an image that has 'psql'");
      assertThat(client.exec("sh", "-c", "psql").exitCode()).isEqualTo(127);
    }

    @Test
    void execPastTheTimeout(@ClientContainer(image = "busybox:1.35") Container client) {
      assertThatThrownBy(() -> client.exec("sleep", "30")).isInstanceOf(BerthException.class)
          .hasMessageContaining("Exec [sleep, 30] in client 'client' (busybox:1.35) ran past berth.execTimeout"
              + " (1000 ms)");
      assertThat(client.exec("echo", "still usable").stdout()).isEqualTo("still usable\n");
    }
  }

  @ServiceTest
  static class NeedsEngine {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    void test(@ServiceEndpoint("redis") String address) {
    }
  }

  @ServiceTest(disabledWithoutDocker = true)
  static class EngineOptional {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    void test(@ServiceEndpoint("redis") InetSocketAddress address) {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
    }
  }

  @ServiceTest
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class InterruptedStart {
    @ServiceContainer(image = "python:3.11-slim", ports = 8080,
        command = {"sh", "-c", "sleep 5; exec python -m http.server 8080"})
    static Service slow;

    @Test
    @Order(1)
    @Timeout(value = 1, unit = TimeUnit.SECONDS)
    void timesOutWhileTheServiceStarts() {
      slow.start();
    }

    @Test
    @Order(2)
    void theHalfStartedContainerIsRemoved() {
      // Running by now, or in a moment: on a loaded machine the start may still be on its way when the timeout hits.
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> Engine.running(Fixtures.session, "service").size() == 1);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> Engine.running(Fixtures.session, "service").isEmpty());
    }
  }
}
