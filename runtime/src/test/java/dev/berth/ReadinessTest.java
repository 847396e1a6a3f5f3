package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How an image's {@code HEALTHCHECK}, as the engine keeps it, becomes the command Berth runs. */
class ReadinessTest {

  @Test
  void theShellFormRunsWithShDashC() {
    assertThat(Readiness.healthcheckCommand(List.of("CMD-SHELL", "curl -f http://localhost/ || exit 1")))
        .contains(List.of("/bin/sh", "-c", "curl -f http://localhost/ || exit 1"));
  }

  @Test
  void theExecFormRunsAsItIs() {
    assertThat(Readiness.healthcheckCommand(List.of("CMD", "pg_isready", "-h", "127.0.0.1")))
        .contains(List.of("pg_isready", "-h", "127.0.0.1"));
  }

  @Test
  void noneInheritedAndUnknownFormsAreNoCommand() {
    assertThat(Readiness.healthcheckCommand(List.of())).isEmpty();
    assertThat(Readiness.healthcheckCommand(List.of("NONE"))).isEmpty();
    assertThat(Readiness.healthcheckCommand(List.of("CMD"))).isEmpty();
    assertThat(Readiness.healthcheckCommand(List.of("SOMETHING", "else"))).isEmpty();
  }
}
