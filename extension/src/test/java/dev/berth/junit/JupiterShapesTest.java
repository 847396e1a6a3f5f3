package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.annotations.ServiceHandle;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The other shapes a Jupiter test takes: one instance per class, endpoints as parameters of lifecycle methods,
 * parameterized tests (each invocation a test of its own) and dynamic tests.
 */
class JupiterShapesTest {

  @Test
  void perClassInstanceGetsItsFieldsBeforeEveryTest() {
    var run = new KitRun().run(PerClassInstance.class);

    run.assertSucceeded(2);
    assertThat(run.servicesCreated()).isEqualTo(1);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void beforeAllAndBeforeEachTakeEndpointsAsParameters() {
    var run = new KitRun().run(LifecycleParameters.class);

    run.assertSucceeded(2);
    assertThat(run.servicesCreated()).isEqualTo(1);
    assertThat(clientsCreated(run)).as("one for @BeforeAll, one per @BeforeEach").isEqualTo(3);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void eachInvocationOfAParameterizedTestGetsAClientOfItsOwn() {
    Parameterized.clients.clear();
    var run = new KitRun().run(Parameterized.class);

    run.assertSucceeded(3);
    assertThat(Parameterized.clients).hasSize(3);
    assertThat(clientsCreated(run)).isEqualTo(3);
    assertThat(run.servicesCreated()).isEqualTo(1);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void dynamicTestsUseTheClassesHandles() {
    var run = new KitRun().run(Dynamic.class);

    run.assertSucceeded(2);
    assertThat(run.servicesCreated()).isEqualTo(1);
    assertThat(run.leftovers()).isEmpty();
  }

  /**
   * A test interface declares services and tests for every class that implements it, as JUnit's test interfaces
   * declare tests: its constants are services, its annotations bind them, its default methods' tests need them.
   */
  @Test
  void aTestInterfaceDeclaresServicesForItsImplementations() {
    var run = new KitRun().run(FirstContractImplementation.class, SecondContractImplementation.class);

    run.assertSucceeded(4);
    assertThat(run.servicesCreated()).as("one definition, shared").isEqualTo(1);
    assertThat(run.leftovers()).isEmpty();
  }

  private static long clientsCreated(KitRun run) {
    return run.events("create").stream()
        .filter(e -> "client".equals(e.getActor().getAttributes().get("dev.berth.role"))).count();
  }

  @ServiceTest
  @BindService(value = "redis", alias = "store")
  interface RedisContract {
    @ServiceContainer
    ServiceSpec redis = Fixtures.REDIS;

    @Test
    default void answersTheJvm(@ServiceEndpoint("redis") InetSocketAddress address) {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
    }
  }

  static class FirstContractImplementation implements RedisContract {
    @Test
    void clientsResolveTheInterfacesBinding(@ClientContainer Container client) {
      assertThat(client.exec("sh", "-c", "printf 'PING\\r\\n' | nc -w 2 store 6379").stdout()).startsWith("+PONG");
    }
  }

  static class SecondContractImplementation implements RedisContract {
    @Test
    void seesTheSameService(@ServiceHandle("redis") Service redis) {
      assertThat(redis.digest()).isEqualTo(Fixtures.REDIS.digest());
    }
  }

  @ServiceTest
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  static class PerClassInstance {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @ServiceEndpoint("redis")
    InetSocketAddress address;

    @Test
    void fromTheJvm() {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
    }

    @Test
    void fromAClient(@BindService("redis") @ClientContainer(image = "redis:7.0") Container client) {
      assertThat(client.exec("redis-cli", "-h", "redis", "ping").stdout().strip()).isEqualTo("PONG");
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
    }
  }

  @ServiceTest
  static class LifecycleParameters {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    static InetSocketAddress seenBeforeAll;

    /** Where a class sets up shared state once, say a schema: the service must be up already. */
    @BeforeAll
    static void setUp(@ServiceEndpoint("redis") InetSocketAddress address, @ServiceHandle("redis") Service handle,
        @BindService("redis") @ClientContainer(image = "redis:7.0") Container client) {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
      assertThat(handle.isRunning()).isTrue();
      assertThat(client.exec("redis-cli", "-h", "redis", "set", "schema", "1").stdout().strip()).isEqualTo("OK");
      seenBeforeAll = address;
    }

    @BeforeEach
    void eachSeesTheSameService(@ServiceEndpoint("redis") InetSocketAddress address,
        @BindService("redis") @ClientContainer(image = "redis:7.0") Container client) {
      assertThat(address).isEqualTo(seenBeforeAll);
      assertThat(client.exec("redis-cli", "-h", "redis", "get", "schema").stdout().strip()).isEqualTo("1");
    }

    @Test
    void one() {
      assertThat(Fixtures.ping(seenBeforeAll)).isEqualTo("+PONG");
    }

    @Test
    void two() {
      assertThat(Fixtures.ping(seenBeforeAll)).isEqualTo("+PONG");
    }
  }

  @ServiceTest
  static class Parameterized {
    static final Set<String> clients = ConcurrentHashMap.newKeySet();

    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @ParameterizedTest
    @ValueSource(strings = {"a", "b", "c"})
    void set(String key, @BindService("redis") @ClientContainer(image = "redis:7.0") Container client) {
      clients.add(client.id());
      assertThat(client.exec("redis-cli", "-h", "redis", "set", key, "1").stdout().strip()).isEqualTo("OK");
    }
  }

  @ServiceTest
  static class Dynamic {
    @ServiceContainer(image = "redis:7.0", ports = 6379)
    static Service redis;

    @TestFactory
    Stream<DynamicTest> pings() {
      return List.of("first", "second").stream().map(name -> DynamicTest.dynamicTest(name,
          () -> assertThat(Fixtures.ping(redis.hostAddress(6379))).isEqualTo("+PONG")));
    }
  }
}
