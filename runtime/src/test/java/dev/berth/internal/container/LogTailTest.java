package dev.berth.internal.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A service's last lines, and what a stream that ended early adds when the output is read again. */
class LogTailTest {

  private static List<String> numbers(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(String::valueOf).toList();
  }

  @Test
  void readAgainTheOutputAddsOnlyWhatTheStreamMissed() {
    var logs = new LogTail("berth.service.test");
    numbers(1, 120).forEach(logs::accept);

    logs.catchUp(numbers(1, 200));

    assertThat(logs.lastLines(false)).isEqualTo(numbers(151, 200));
  }

  @Test
  void anOutputThatHoldsNothingNewAddsNothing() {
    var logs = new LogTail("berth.service.test");
    numbers(1, 30).forEach(logs::accept);

    logs.catchUp(numbers(1, 30));

    assertThat(logs.lastLines(false)).isEqualTo(numbers(1, 30));
  }

  /** Lines that repeat are placed by the last ones seen together, not by one line alone. */
  @Test
  void repeatedLinesArePlacedByTheLastFewSeen() {
    var logs = new LogTail("berth.service.test");
    List.of("starting", "waiting", "waiting", "waiting", "up").forEach(logs::accept);

    logs.catchUp(List.of("starting", "waiting", "waiting", "waiting", "up", "waiting", "waiting", "done"));

    assertThat(logs.lastLines(false)).containsExactly("starting", "waiting", "waiting", "waiting", "up", "waiting",
        "waiting", "done");
  }

  @Test
  void whenTheOutputReadAgainNoLongerHoldsTheLinesSeenAllOfItIsNew() {
    var logs = new LogTail("berth.service.test");
    numbers(1, 10).forEach(logs::accept);
    logs.catchUp(numbers(500, 510));

    assertThat(logs.lastLines(false)).isEqualTo(java.util.stream.Stream.concat(numbers(1, 10).stream(),
        numbers(500, 510).stream()).toList());
  }
}
