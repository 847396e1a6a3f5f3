package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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
      logs = scope.acquire("burst", burst).logs();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
          .until(() -> handle.exec("test", "-e", "/tmp/done").exitCode() == 0);
    }

    assertThat(logs.lastLines(false)).last().isEqualTo("LAST");
  }

  /** The same when the service is stopped while its output is still on its way. */
  @Test
  void whatAServicePrintedBeforeItWasStoppedIsNotCutOff() {
    ServiceSpec burst = ServiceSpec.from("busybox:1.35").withCommand("sh", "-c",
        "trap 'exit 0' TERM; seq 1 200000; echo LAST; touch /tmp/done; while :; do sleep 0.1; done")
        .withInstanceId("stopped");
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults()); var scope = runtime.newScope()) {
      Service handle = scope.service("burst", burst);
      LogTail logs = scope.acquire("burst", burst).logs();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
          .until(() -> handle.exec("test", "-e", "/tmp/done").exitCode() == 0);

      handle.stop();

      assertThat(handle.isRunning()).isFalse();
      assertThat(logs.lastLines(false)).last().isEqualTo("LAST");
    }
  }
}
