package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.ServiceStartException;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;

/** Content-addressed identity, run-exactly-once under parallel execution, and the grace period between classes. */
class SharingTest {

  @Test
  void equalDefinitionsInDifferentClassesShareOneContainer() {
    var run = new KitRun().run(RedisUserA.class, RedisUserB.class).assertSucceeded(2);

    assertThat(run.servicesCreated()).isEqualTo(1);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void differentInstanceIdsRunTwoContainersWithDifferentHostnames() {
    var run = new KitRun().run(TwoInstances.class).assertSucceeded(1);

    assertThat(run.servicesCreated()).isEqualTo(2);
  }

  @Tag("slow") // about 13 s
  @Test
  void sixteenParallelTestsStartOneContainer() {
    Parallel.clients.clear();
    var run = new KitRun().parallel()
        .run(ParallelA.class, ParallelB.class, ParallelC.class, ParallelD.class).assertSucceeded(16);

    assertThat(run.servicesCreated()).isEqualTo(1);
    assertThat(Parallel.clients).hasSize(16);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void failedStartFailsEveryWaiterWithTheSameCause() {
    var run = new KitRun().parallel().run(Broken.class);

    run.tests().assertStatistics(s -> s.failed(16).succeeded(0));
    List<Throwable> failures = run.tests().failed().stream()
        .map(e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow())
        .toList();
    assertThat(failures).allSatisfy(f -> assertThat(f).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("exited with code 3").hasMessageContaining("broken-on-purpose"));
    assertThat(failures.stream().map(Throwable::getMessage).distinct()).hasSize(1);
    assertThat(failures.stream().map(Throwable::getCause).distinct()).hasSize(1);
    assertThat(run.servicesCreated()).isEqualTo(1);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void gracePeriodBridgesConsecutiveClasses() {
    var kept = new KitRun().run(RedisUserA.class, RedisUserB.class).assertSucceeded(2);
    var notKept = new KitRun().with("berth.gracePeriod", "0").run(RedisUserA.class, RedisUserB.class)
        .assertSucceeded(2);

    assertThat(kept.servicesCreated()).isEqualTo(1);
    assertThat(notKept.servicesCreated()).isEqualTo(2);
    assertThat(notKept.leftovers()).isEmpty();
  }

  @ServiceTest
  static class RedisUserA {
    @ServiceContainer
    static final ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);

    @Test
    void ping(@ServiceEndpoint("redis") InetSocketAddress address) {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
    }
  }

  @ServiceTest
  static class RedisUserB {
    @ServiceContainer
    static final ServiceSpec cache = ServiceSpec.from("docker.io/library/redis:7.0").withExposedPort(6379);

    @Test
    void ping(@ServiceEndpoint("cache") InetSocketAddress address) {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
    }
  }

  @ServiceTest
  static class TwoInstances {
    @ServiceContainer(image = "redis:7.0", ports = 6379, instance = "a")
    static Service a;

    @ServiceContainer(image = "redis:7.0", ports = 6379, instance = "b")
    static Service b;

    @Test
    void both(@ServiceEndpoint("a") InetSocketAddress first, @ServiceEndpoint("b") InetSocketAddress second) {
      assertThat(a.hostname()).isNotEqualTo(b.hostname());
      assertThat(first).isNotEqualTo(second);
      assertThat(Fixtures.ping(first)).isEqualTo("+PONG");
      assertThat(Fixtures.ping(second)).isEqualTo("+PONG");
    }
  }

  abstract static class Parallel {
    static final Set<String> clients = ConcurrentHashMap.newKeySet();

    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @RepeatedTest(4)
    void ping(@BindService("redis") Container client) {
      clients.add(client.id());
      assertThat(client.exec("nc", "-w", "1", "redis", "6379", "-e", "true").exitCode()).isZero();
    }
  }

  @ServiceTest
  static class ParallelA extends Parallel {
  }

  @ServiceTest
  static class ParallelB extends Parallel {
  }

  @ServiceTest
  static class ParallelC extends Parallel {
  }

  @ServiceTest
  static class ParallelD extends Parallel {
  }

  @ServiceTest
  static class Broken {
    @ServiceContainer
    static final ServiceSpec broken = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "echo broken-on-purpose; exit 3");

    @RepeatedTest(16)
    void needsIt(@ServiceEndpoint("broken") String address) {
    }
  }
}
