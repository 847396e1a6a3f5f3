package dev.berth.bench.floor;

import dev.berth.bench.ThreeTests;

/** The same thirty tests with no containers and no I/O: what the JVM and JUnit cost by themselves. */
abstract class FloorSuiteBase extends ThreeTests {

  @Override
  protected void work(String key) {
    if (key.isEmpty()) {
      throw new AssertionError("empty key");
    }
  }
}
