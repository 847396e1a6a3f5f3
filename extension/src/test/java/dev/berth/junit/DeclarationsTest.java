package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.HostService;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import org.junit.jupiter.api.Test;

/** Misdeclarations fail the test or class with a message that says what was wrong, where, and how to fix it. */
class DeclarationsTest {

  @Test
  void unknownNameListsTheKnownNames() {
    var run = new KitRun().run(UnknownName.class);

    assertThat(run.onlyFailure())
        .hasMessageContaining("@BindService on parameter 'client' in method test(Container)")
        .hasMessageContaining("names service 'wwww', which UnknownName does not declare")
        .hasMessageContaining("known services: [cache, www]");
    assertThat(run.servicesCreated()).isZero();
  }

  /** {@code ports} entries of a host service are its spec's relayed ports. */
  @Test
  void hostServicePortsAreItsRelayedPorts() {
    assertThat(Declarations.hostSpec(RelayedHost.class.getAnnotation(HostService.class))).isEqualTo(
        ServiceSpec.host("tcp://localhost").withRelayedPort(5432, 54321).withRelayedPort(5433, 54321));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Declarations.hostSpec(HostPortWithoutHostPort.class.getAnnotation(HostService.class)))
        .withMessage("ports entry '5432' is not port:hostPort, such as \"5432:54321\" (containers connect to 5432,"
            + " relayed to port 54321 of the test machine)");
  }

  @HostService(name = "db", value = "tcp://localhost", ports = {"5432:54321", "5433:54321"})
  static class RelayedHost {
  }

  @HostService(name = "db", value = "tcp://localhost", ports = "5432")
  static class HostPortWithoutHostPort {
  }

  @Test
  void fieldOfAnotherTypeIsRejected() {
    var run = new KitRun().run(WrongType.class);

    assertThat(run.classFailure())
        .hasMessageContaining("@ServiceContainer field WrongType.www has type String")
        .hasMessageContaining("use ServiceSpec");
  }

  @Test
  void definitionAttributesOnASpecFieldAreRejected() {
    var run = new KitRun().run(AttributesOnSpec.class);

    assertThat(run.classFailure())
        .hasMessageContaining("@ServiceContainer field AttributesOnSpec.db is a ServiceSpec field but sets ports,"
            + " ready, which only a Service field reads")
        .hasMessageContaining("withReadyCommand");
    assertThat(run.servicesCreated()).isZero();
  }

  @Test
  void twoServicesWithOneNameAreRejected() {
    var run = new KitRun().run(SameName.class);

    assertThat(run.classFailure())
        .hasMessageContaining("Two services are named 'redis'")
        .hasMessageContaining("field SameName.redis")
        .hasMessageContaining("field SameName.other");
  }

  @Test
  void cyclicBindingsShowTheCycle() {
    var run = new KitRun().run(Cycle.class);

    assertThat(run.onlyFailure()).hasMessageContaining("Service bindings form a cycle: a -> b -> a")
        .hasMessageContaining("global hostnames instead (ServiceSpec.withHostname(");
    assertThat(run.servicesCreated()).isZero();
  }

  @Test
  void invalidAliasIsRejected() {
    var run = new KitRun().run(BadAlias.class);

    assertThat(run.onlyFailure()).hasMessageContaining("Alias 'my_cache' is not a valid hostname");
  }

  @Test
  void unsupportedEndpointTypeIsRejected() {
    var run = new KitRun().run(BadEndpointType.class);

    assertThat(run.onlyFailure())
        .hasMessageContaining("@ServiceEndpoint(\"cache\") on parameter 'port' in method test(Long)")
        .hasMessageContaining("has type java.lang.Long; supported types: String, java.net.URI");
  }


  @ServiceTest
  static class UnknownName {
    @ServiceContainer
    static final ServiceSpec www = Fixtures.httpServer("x");

    @ServiceContainer(name = "cache", image = "redis:7.0", ports = 6379)
    static Service redis;

    @Test
    void test(@BindService("wwww") Container client) {
    }
  }

  @ServiceTest
  static class WrongType {
    @ServiceContainer
    static final String www = "python:3.11-slim";

    @Test
    void test() {
    }
  }

  @ServiceTest
  static class AttributesOnSpec {
    @ServiceContainer(ports = 5432, ready = {"pg_isready", "-h", "127.0.0.1"})
    static final ServiceSpec db = ServiceSpec.from("postgres:15").withEnv("POSTGRES_PASSWORD", "secret");

    @Test
    void test(@ServiceEndpoint("db") String db) {
    }
  }

  @ServiceTest
  static class SameName {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @ServiceContainer(name = "redis")
    static final ServiceSpec other = Fixtures.REDIS.withInstanceId("other");

    @Test
    void test() {
    }
  }

  @ServiceTest
  static class Cycle {
    @ServiceContainer
    @BindService("b")
    static final ServiceSpec a = Fixtures.REDIS;

    @ServiceContainer
    @BindService("a")
    static final ServiceSpec b = Fixtures.REDIS.withInstanceId("b");

    @Test
    void test(@BindService("a") Container client) {
    }
  }

  @ServiceTest
  static class BadAlias {
    @ServiceContainer
    static final ServiceSpec my_cache = Fixtures.REDIS;

    @Test
    void test(@BindService("my_cache") Container client) {
    }
  }

  @ServiceTest
  static class BadEndpointType {
    @ServiceContainer
    static final ServiceSpec cache = Fixtures.REDIS;

    @Test
    void test(@ServiceEndpoint("cache") Long port) {
    }
  }
}
