package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The progress line of a long pull, from the engine's lines as Docker sends them. */
class PullTallyTest {

  private final PullTally tally = new PullTally();

  @Test
  void countsCompleteLayersAndTheBytesOfThoseWhoseSizeIsKnown() {
    tally.saw("1.35", "Pulling from library/busybox", null, null);
    tally.saw("a1", "Pulling fs layer", null, null);
    tally.saw("b2", "Pulling fs layer", null, null);
    tally.saw("c3", "Already exists", null, null);
    tally.saw("a1", "Downloading", 10_000_000L, 40_000_000L);
    tally.saw("b2", "Downloading", 1_000_000L, 10_000_000L);
    tally.saw("b2", "Download complete", null, null);
    tally.saw("b2", "Extracting", 5_000_000L, 10_000_000L);

    assertThat(tally.summary()).isEqualTo("1 of 3 layers complete, 20.0 MB of 50.0 MB downloaded (40%)");

    tally.saw("a1", "Downloading", 40_000_000L, 40_000_000L);
    tally.saw("a1", "Pull complete", null, null);
    tally.saw("b2", "Pull complete", null, null);
    tally.saw(null, "Digest: sha256:0123", null, null);

    assertThat(tally.summary()).isEqualTo("3 of 3 layers complete, 50.0 MB of 50.0 MB downloaded (100%)");
  }

  @Test
  void saysHowManyLayersHaveNotBegun() {
    tally.saw("a1", "Pulling fs layer", null, null);
    tally.saw("b2", "Waiting", null, null);

    assertThat(tally.summary()).isEqualTo("0 of 2 layers complete, 2 layers not begun");
  }
}
