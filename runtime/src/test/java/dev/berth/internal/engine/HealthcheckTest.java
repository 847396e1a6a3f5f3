package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How an image's {@code HEALTHCHECK}, as the engine keeps it, becomes the command Berth runs, and when Docker would
 * call a container whose check keeps failing unhealthy.
 */
class HealthcheckTest {

  private static Optional<List<String>> command(List<String> test) {
    return Healthcheck.of(test, null, null, null, null).command();
  }

  @Test
  void unsetValuesAreTheEnginesDefaults() {
    Healthcheck check = Healthcheck.of(List.of("CMD", "true"), 0L, null, null, 0);
    assertThat(check.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(check.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(check.startPeriod()).isEqualTo(Duration.ZERO);
    assertThat(check.retries()).isEqualTo(3);
    assertThat(check.unhealthyAfter()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void failuresCountAfterTheStartPeriodOneIntervalEach() {
    // HEALTHCHECK --interval=1s --start-period=3s --retries=2
    Healthcheck check = Healthcheck.of(List.of("CMD", "false"), 1_000_000_000L, 500_000_000L, 3_000_000_000L, 2);
    assertThat(check.unhealthyAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(check.timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(check.counting()).isEqualTo("interval 1000 ms, start period 3000 ms, retries 2");
  }

  @Test
  void theShellFormRunsWithShDashC() {
    assertThat(command(List.of("CMD-SHELL", "curl -f http://localhost/ || exit 1")))
        .contains(List.of("/bin/sh", "-c", "curl -f http://localhost/ || exit 1"));
  }

  @Test
  void theExecFormRunsAsItIs() {
    assertThat(command(List.of("CMD", "pg_isready", "-h", "127.0.0.1")))
        .contains(List.of("pg_isready", "-h", "127.0.0.1"));
  }

  @Test
  void noneInheritedAndUnknownFormsAreNoCommand() {
    assertThat(command(List.of())).isEmpty();
    assertThat(command(List.of("NONE"))).isEmpty();
    assertThat(command(List.of("CMD"))).isEmpty();
    assertThat(command(List.of("SOMETHING", "else"))).isEmpty();
  }
}
