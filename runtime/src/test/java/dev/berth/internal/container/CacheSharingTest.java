package dev.berth.internal.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import dev.berth.BerthException;
import dev.berth.ExecResult;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.TestDocker;
import dev.berth.internal.run.ServiceRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The three ways runs share a cache volume, each shown by two sessions at once, as two builds on one engine are:
 * shared (one volume for all), private (one per session, gone with it) and locked (one user at a time).
 */
class CacheSharingTest {

  /** A cache name of this test's own, so that no other build's volume is touched. */
  private final String cache = "sharing-" + UUID.randomUUID().toString().substring(0, 8);
  private final DockerClient docker = TestDocker.connect();

  @AfterEach
  void removeVolumes() throws Exception {
    for (var volume : volumes()) {
      docker.removeVolumeCmd(volume).exec();
    }
    docker.close();
  }

  @Test
  void aSharedCacheIsOneVolumeForEverySession() throws Exception {
    try (var a = runtime("a"); var b = runtime("b")) {
      write(service(a, ServiceSpec.from("busybox:1.35").withCacheVolume("/cache", cache)), "from-a");
      assertThat(read(service(b, ServiceSpec.from("busybox:1.35").withCacheVolume("/cache", cache))))
          .isEqualTo("from-a");
    }
    assertThat(volumes()).as("kept after the runs").containsExactly("berth-cache-" + cache);
  }

  @Test
  void aPrivateCacheIsTheSessionsOwnAndGoesWithIt() throws Exception {
    ServiceSpec spec = ServiceSpec.from("busybox:1.35").withPrivateCacheVolume("/cache", cache);
    try (var a = runtime("a"); var b = runtime("b")) {
      write(service(a, spec), "from-a");
      Service inB = service(b, spec);
      assertThat(read(inB)).as("the other session's volume").isEmpty();
      write(inB, "from-b");
      assertThat(read(service(a, spec.withInstanceId("second")))).as("the session's own, another container")
          .isEqualTo("from-a");
      assertThat(volumes()).hasSize(2).allSatisfy(name -> assertThat(name).endsWith("-" + cache));
    }
    assertThat(volumes()).as("left once their sessions ended").isEmpty();
  }

  @Test
  void aLockedCacheTakesOneUserAtATime() throws Exception {
    ServiceSpec spec = ServiceSpec.from("busybox:1.35").withLockedCacheVolume("/cache", cache);
    try (var a = runtime("a"); var b = runtime("b")) {
      Service first = service(a, spec);
      write(first, "from-a");
      CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> read(service(b, spec)));
      Thread.sleep(1500);
      assertThat(second).as("waits while the first holds the cache").isNotDone();

      first.stop(Duration.ZERO);

      assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo("from-a");
    }
  }

  @Tag("slow") // waits out a startup timeout
  @Test
  void aLockedCacheHeldPastTheStartupTimeoutFailsNamingItsHolder() {
    ServiceSpec spec = ServiceSpec.from("busybox:1.35").withLockedCacheVolume("/cache", cache);
    try (var a = runtime("a"); var b = runtime("b")) {
      service(a, spec);
      long started = System.nanoTime();

      assertThatThrownBy(() -> service(b, spec.withStartupTimeout(Duration.ofSeconds(2))))
          .isInstanceOf(BerthException.class)
          .hasMessageContaining("locked cache volume '" + cache + "'")
          .hasMessageContaining("still in use after 2000 ms")
          .hasMessageContaining("session " + session("a"))
          .hasMessageContaining("withPrivateCacheVolume");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
  }

  private String session(String name) {
    return "cache-" + name + "-" + cache;
  }

  private ServiceRuntime runtime(String name) {
    Map<String, String> values = Map.of("berth.session", session(name), "berth.startAhead", "0");
    return ServiceRuntime.start(BerthConfig.from(key -> Optional.ofNullable(values.get(key))));
  }

  /** A container that idles with the cache mounted. */
  private static Service service(ServiceRuntime runtime, ServiceSpec spec) {
    Service service = runtime.newScope().service("cache-user", spec.withCommand("sleep", "600"));
    service.start();
    return service;
  }

  private static void write(Service service, String value) {
    ExecResult result = service.exec("sh", "-c", "echo " + value + " > /cache/value");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
  }

  private static String read(Service service) {
    return service.exec("sh", "-c", "cat /cache/value 2>/dev/null || true").stdout().strip();
  }

  private List<String> volumes() {
    var found = docker.listVolumesCmd().exec().getVolumes();
    return found == null ? List.of() : found.stream().map(v -> v.getName()).filter(n -> n.endsWith(cache))
        .sorted().toList();
  }
}
