package dev.berth.internal.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.SpecAccess;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A service's output reaches its logger in full, up to the end of the run. */
class ServiceOutputTest {

  /**
   * The engine still sends what a container printed after the run has removed it; the run must not hang up on it.
   * 200000 lines printed at once are still on their way when the test sees the last one written.
   */
  @Test
  void whatAServicePrintedBeforeTheRunEndedIsNotCutOff() {
    ServiceSpec burst = ServiceSpec.from("busybox:1.35").withCommand("sh", "-c",
        "seq 1 200000; echo LAST; touch /tmp/done; exec sleep 3600");
    LogTail logs;
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults()); var scope = runtime.newScope()) {
      Service handle = scope.service("burst", burst);
      logs = scope.acquire("burst", def(burst)).logs();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
          .until(() -> handle.exec("test", "-e", "/tmp/done").exitCode() == 0);
    }

    assertThat(logs.lastLines(false)).last().isEqualTo("LAST");
  }

  /**
   * A run that leaves a service running for another run of its session does not wait for that service's output,
   * which cannot end while it runs. (A hang check: such a wait would take the whole output deadline, 5 s; the end of
   * such a run takes some 60 ms here.)
   */
  @Test
  void aRunLeavingASharedServiceRunningDoesNotWaitForItsOutput() {
    String session = "output-" + UUID.randomUUID().toString().substring(0, 8);
    BerthConfig config = BerthConfig.from(key -> "berth.session".equals(key)
        ? Optional.of(session) : Optional.empty());
    ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);
    try (var second = ServiceRuntime.start(config); var kept = second.newScope()) {
      Service theirs = kept.service("redis", redis);
      var first = ServiceRuntime.start(config);
      first.newScope().service("redis", redis).start();
      theirs.start();

      long started = System.nanoTime();
      first.close();

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
      assertThat(theirs.isRunning()).isTrue();
    }
  }

  /** The same when the service is stopped while its output is still on its way. */
  @Test
  void whatAServicePrintedBeforeItWasStoppedIsNotCutOff() {
    ServiceSpec burst = ServiceSpec.from("busybox:1.35").withCommand("sh", "-c",
        "trap 'exit 0' TERM; seq 1 200000; echo LAST; touch /tmp/done; while :; do sleep 0.1; done")
        .withInstanceId("stopped");
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults()); var scope = runtime.newScope()) {
      Service handle = scope.service("burst", burst);
      LogTail logs = scope.acquire("burst", def(burst)).logs();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
          .until(() -> handle.exec("test", "-e", "/tmp/done").exitCode() == 0);

      handle.stop();

      assertThat(handle.isRunning()).isFalse();
      assertThat(logs.lastLines(false)).last().isEqualTo("LAST");
    }
  }

  /** What Berth's internals read of a spec. */
  private static Definition def(ServiceSpec spec) {
    return SpecAccess.definition(spec);
  }
}
