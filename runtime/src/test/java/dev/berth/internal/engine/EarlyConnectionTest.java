package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.internal.spec.Labels;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The connection made ahead of the first run: taken once, only for the engine it was made to. Needs the engine. */
class EarlyConnectionTest {

  private final EarlyConnection early = new EarlyConnection();

  @Test
  void theFirstRunForTheSameEngineTakesTheConnectionOnce() {
    early.begin(Optional.empty(), false);
    early.begin(Optional.of("tcp://127.0.0.1:1"), false);

    Optional<DockerBackend> taken = early.take(Optional.empty(), EngineDeadlines.fromSystem());
    assertThat(taken).as("made to the engine of the first begin, which the second did not replace").isPresent();
    try (DockerBackend backend = taken.get()) {
      assertThat(backend.containersLabelled(java.util.Map.of(Labels.RUN, "no-such-run"))).as("it answers").isEmpty();
    }
    assertThat(early.take(Optional.empty(), EngineDeadlines.fromSystem())).as("taken already").isEmpty();
  }

  @Test
  void aRunConfiguredForAnotherEngineConnectsOnItsOwn() {
    early.begin(Optional.empty(), false);

    assertThat(early.take(Optional.of("unix:///var/run/other.sock"), EngineDeadlines.fromSystem())).isEmpty();
    assertThat(early.take(Optional.empty(), EngineDeadlines.fromSystem())).as("given up, not kept for later").isEmpty();
  }

  @Test
  void aFailedEarlyConnectionLeavesTheRunToConnectAndSayWhy() {
    early.begin(Optional.of("tcp://127.0.0.1:1"), false);

    assertThat(early.take(Optional.of("tcp://127.0.0.1:1"), EngineDeadlines.fromSystem())).isEmpty();
  }

  @Test
  void withoutABeginThereIsNothingToTake() {
    assertThat(early.take(Optional.empty(), EngineDeadlines.fromSystem())).isEmpty();
  }
}
