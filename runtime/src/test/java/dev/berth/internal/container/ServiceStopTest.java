package dev.berth.internal.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.TestDocker;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.SpecAccess;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A service that ignores SIGTERM holds {@link Service#stop()} up for all of {@code berth.stopTimeout};
 * {@link Service#kill()} and {@link Service#stop(Duration)} end it sooner. The bounds are loose (the machine is
 * shared): what they tell apart is seconds of waiting for a signal the service ignores.
 */
class ServiceStopTest {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(4);
  private static final BerthConfig CONFIG = BerthConfig.from(key -> "berth.stopTimeout".equals(key)
      ? Optional.of(STOP_TIMEOUT.toSeconds() + "s") : Optional.empty());

  @Test
  void killEndsAServiceIgnoringSigtermAtOnce() throws Exception {
    Duration took = stopping("kill", Service::kill);

    assertThat(took).isLessThan(STOP_TIMEOUT.minusSeconds(1));
  }

  @Test
  void stopWithATimeoutOfItsOwnKillsOnceThatHasPassed() throws Exception {
    Duration took = stopping("short", service -> service.stop(Duration.ofMillis(200)));

    assertThat(took).isLessThan(STOP_TIMEOUT.minusSeconds(1));
  }

  /** What the others are measured against: the fixture does ignore SIGTERM. */
  @Tag("slow") // waits out a stop timeout
  @Test
  void stopWaitsTheStopTimeoutForAServiceIgnoringSigterm() throws Exception {
    Duration took = stopping("gentle", Service::stop);

    assertThat(took).isGreaterThanOrEqualTo(STOP_TIMEOUT);
  }

  @Test
  void aNegativeTimeoutIsRefused() {
    try (var runtime = ServiceRuntime.start(CONFIG); var scope = runtime.newScope()) {
      Service service = scope.service("negative", ServiceSpec.from("busybox:1.35"));

      assertThatThrownBy(() -> service.stop(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("give zero (kill at once) or a positive duration");
    }
  }

  /** Starts a service that ignores SIGTERM, stops it as told, and returns how long that took; its container is gone. */
  private static Duration stopping(String instance, Consumer<Service> stop) throws Exception {
    ServiceSpec stubborn = ServiceSpec.from("busybox:1.35")
        .withCommand("sh", "-c", "trap '' TERM; echo up; while :; do sleep 1; done").withInstanceId(instance);
    try (var runtime = ServiceRuntime.start(CONFIG); var scope = runtime.newScope();
        DockerClient docker = TestDocker.connect()) {
      Service service = scope.service("stubborn", stubborn);
      String id = scope.acquire("stubborn", def(stubborn)).containerId();

      long started = System.nanoTime();
      stop.accept(service);
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(service.isRunning()).isFalse();
      assertThatThrownBy(() -> docker.inspectContainerCmd(id).exec()).isInstanceOf(NotFoundException.class);
      return took;
    }
  }

  /** What Berth's internals read of a spec. */
  private static Definition def(ServiceSpec spec) {
    return SpecAccess.definition(spec);
  }
}
