package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The engine backend's own behaviour, beside what the engine tests of the runtime and extension show. Needs the
 * engine.
 */
class DockerBackendTest {

  /**
   * The create request sent ahead of the first start, to learn what a create needs, reaches the engine and is
   * refused there, leaving nothing behind.
   */
  @Test
  void theRehearsedCreateIsRefusedAndLeavesNothing() {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      assertThat(backend.rehearseCreate()).as("refused by the engine: no such image").isTrue();

      assertThat(backend.findContainer("berth-rehearsal", "rehearsal", ServiceSpec.from("busybox:1.35").withExposedPort(1))).isEmpty();
    }
  }
}
