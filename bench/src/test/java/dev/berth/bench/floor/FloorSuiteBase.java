package dev.berth.bench.floor;

import dev.berth.bench.Work;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The same thirty tests with no containers and no I/O: what the JVM and JUnit cost by themselves. */
abstract class FloorSuiteBase {

  @Test
  void first(TestInfo info) {
    work(info);
  }

  @Test
  void second(TestInfo info) {
    work(info);
  }

  @Test
  void third(TestInfo info) {
    work(info);
  }

  private void work(TestInfo info) {
    String key = Work.key(getClass(), info.getTestMethod().orElseThrow().getName());
    if (key.isEmpty()) {
      throw new AssertionError("empty key");
    }
  }
}
