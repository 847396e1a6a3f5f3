package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import com.github.dockerjava.api.model.Event;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Services start just before the first test that needs them, dependencies first, independents in parallel. */
class LazyStartTest {

  @Test
  void classWhoseTestsAreAllDisabledStartsNothing() {
    var run = new KitRun().run(AllDisabled.class, ClassDisabled.class);

    run.tests().assertStatistics(s -> s.skipped(2).started(0));
    run.results.containerEvents().assertStatistics(s -> s.skipped(1));
    assertThat(run.servicesCreated()).isZero();
    assertThat(run.events("create")).isEmpty();
  }

  @Test
  void testsFilteredOutStartNothing() {
    var run = new KitRun().run(List.of(selectMethod(NeedsLater.class, "first")));

    run.assertSucceeded(1);
    assertThat(run.servicesCreated()).isZero();
  }

  @Test
  void serviceStartsRightBeforeTheFirstTestThatNeedsIt() {
    var run = new KitRun().run(NeedsLater.class);

    run.assertSucceeded(2);
    assertThat(run.servicesCreated()).isEqualTo(1);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void boundServiceStartsBeforeTheServiceItIsBoundInto() {
    var run = new KitRun().run(Dependent.class);

    run.assertSucceeded(1);
    List<Event> starts = run.events("start").stream()
        .filter(e -> "service".equals(e.getActor().getAttributes().get("dev.berth.role"))).toList();
    assertThat(starts).extracting(e -> e.getActor().getAttributes().get("dev.berth.service"))
        .containsExactly("db", "app");
  }

  @Test
  void independentServicesStartInParallel() {
    var run = new KitRun().run(TwoSlowServices.class);

    run.assertSucceeded(1);
    List<Event> created = run.serviceCreations();
    assertThat(created).hasSize(2);
    // Each takes 4 s to listen; one after the other, the second would be created 4 s after the first.
    long apartNanos = Math.abs(created.get(0).getTimeNano() - created.get(1).getTimeNano());
    assertThat(apartNanos).isLessThan(3_000_000_000L);
  }

  @Test
  void nestedClassesSeeTheServicesOfTheirEnclosingClass() {
    var run = new KitRun().run(Outer.class);

    run.assertSucceeded(2);
    assertThat(run.servicesCreated()).isEqualTo(1);
  }

  @ServiceTest
  static class AllDisabled {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    @Disabled("never runs")
    void one(@ServiceEndpoint("redis") String redis) {
    }

    @Test
    @Disabled("never runs")
    void two(@BindService("redis") Container client) {
    }
  }

  @ServiceTest
  @Disabled("never runs")
  static class ClassDisabled {
    @ServiceContainer(image = "redis:7.0", ports = 6379)
    static Service redis;

    @Test
    void one(@ServiceEndpoint("redis") String redis) {
    }
  }

  @ServiceTest
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class NeedsLater {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    @Order(1)
    void first() {
      assertThat(Engine.running(Fixtures.session, "service")).isEmpty();
    }

    @Test
    @Order(2)
    void second(@ServiceEndpoint("redis") InetSocketAddress redis) {
      assertThat(Engine.running(Fixtures.session, "service")).hasSize(1);
      assertThat(Fixtures.ping(redis)).isEqualTo("+PONG");
    }
  }

  @ServiceTest
  static class Dependent {
    @ServiceContainer
    static final ServiceSpec db = Fixtures.REDIS;

    /** Listens only if "db" resolves and answers when it starts: the binding must be up first. */
    @ServiceContainer
    @BindService("db")
    static final ServiceSpec app = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "nc -w 1 db 6379 -e true && exec httpd -f -p 8080");

    @Test
    void appIsUp(@BindService("app") Container client) {
      assertThat(client.exec("nc", "-w", "1", "app", "8080", "-e", "true").exitCode()).isZero();
    }
  }

  @ServiceTest
  static class TwoSlowServices {
    @ServiceContainer
    static final ServiceSpec one = Fixtures.slowHttpServer("one", 4);

    @ServiceContainer
    static final ServiceSpec two = Fixtures.slowHttpServer("two", 4);

    @Test
    void both(@BindService("one") @BindService("two") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://one:8080").stdout()).isEqualTo("one");
      assertThat(client.exec("wget", "-qO-", "http://two:8080").stdout()).isEqualTo("two");
    }
  }

  @ServiceTest
  static class Outer {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    void outer(@ServiceEndpoint("redis") InetSocketAddress redis) {
      assertThat(Fixtures.ping(redis)).isEqualTo("+PONG");
    }

    @Nested
    class Inner {
      @Test
      void inner(@BindService(value = "redis", alias = "cache") @ClientContainer(image = "redis:7.0") Container c) {
        assertThat(c.exec("redis-cli", "-h", "cache", "ping").stdout().strip()).isEqualTo("PONG");
      }
    }
  }
}
