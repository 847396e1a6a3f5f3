package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.github.dockerjava.api.model.Event;
import dev.berth.Container;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.platform.engine.DiscoverySelector;

/**
 * 200 test classes over 3 service definitions, run in parallel: how many containers Berth creates, how much heap
 * it takes, and that nothing is left afterwards. Not part of the build; run it with {@code scripts/soak}.
 */
@EnabledIfSystemProperty(named = "berth.soak", matches = "true")
class SoakTest {

  private static final int CLASSES = 200;

  @Test
  void twoHundredClassesOverThreeDefinitions() throws Exception {
    List<Class<?>> bases = List.of(RedisUser.class, WebUser.class, EchoUser.class);
    var selectors = new ArrayList<DiscoverySelector>();
    var lookup = MethodHandles.privateLookupIn(SoakTest.class, MethodHandles.lookup());
    for (int i = 0; i < CLASSES; i++) {
      Class<?> generated = new ByteBuddy().subclass(bases.get(i % bases.size()))
          .name(SoakTest.class.getName() + "$Generated" + i)
          .make()
          .load(SoakTest.class.getClassLoader(), ClassLoadingStrategy.UsingLookup.of(lookup))
          .getLoaded();
      selectors.add(selectClass(generated));
    }
    var run = new KitRun().parallel();
    List<Event> created;
    long started = System.nanoTime();
    try (var recorder = new Engine.Recorder(run.session)) {
      run.run(selectors).assertSucceeded(CLASSES * 2);
      // The last removals reach the event stream a moment after the run returns; creations came long before.
      created = recorder.events("create");
    }
    long seconds = (System.nanoTime() - started) / 1_000_000_000;

    Map<String, Long> byRole = created.stream().collect(Collectors.groupingBy(
        e -> e.getActor().getAttributes().get("dev.berth.role"), Collectors.counting()));
    long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP)
        .map(MemoryPoolMXBean::getPeakUsage).mapToLong(usage -> usage.getUsed()).sum();
    List<String> leftovers = run.leftovers();
    System.out.printf("soak: %d classes, %d tests in %d s; containers created by role %s; peak heap %d MiB;"
        + " leftovers %s%n", CLASSES, CLASSES * 2, seconds, byRole, peakHeap >> 20, leftovers);

    assertThat(byRole).containsEntry("service", 3L).containsEntry("client", (long) CLASSES);
    assertThat(leftovers).isEmpty();
  }

  abstract static class Base {
    @Test
    void client(@BindService("svc") Container client) {
      assertThat(client.exec("nc", "-w", "1", "svc", String.valueOf(port()), "-e", "true").exitCode()).isZero();
    }

    @Test
    void host(@ServiceEndpoint("svc") InetSocketAddress address) throws Exception {
      try (var socket = new Socket()) {
        socket.connect(address, 2000);
      }
    }

    abstract int port();
  }

  @ServiceTest
  abstract static class RedisUser extends Base {
    @ServiceContainer
    static final ServiceSpec svc = Fixtures.REDIS;

    @Override
    int port() {
      return 6379;
    }
  }

  @ServiceTest
  abstract static class WebUser extends Base {
    @ServiceContainer
    static final ServiceSpec svc = Fixtures.httpServer("soak");

    @Override
    int port() {
      return 8080;
    }
  }

  @ServiceTest
  abstract static class EchoUser extends Base {
    @ServiceContainer
    static final ServiceSpec svc = ServiceSpec.from("busybox:1.35").withExposedPort(7000)
        .withCommand("sh", "-c", "exec nc -ll -p 7000 -e cat");

    @Override
    int port() {
      return 7000;
    }
  }
}
