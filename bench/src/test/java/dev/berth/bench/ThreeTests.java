package dev.berth.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The three tests of every benchmark class whose tests take no parameters: each does the variant's work for a key
 * unique to its class and method.
 */
public abstract class ThreeTests {

  @Test
  void first(TestInfo info) throws Exception {
    work(key(info));
  }

  @Test
  void second(TestInfo info) throws Exception {
    work(key(info));
  }

  @Test
  void third(TestInfo info) throws Exception {
    work(key(info));
  }

  /** What one test does, for {@code key}. */
  protected abstract void work(String key) throws Exception;

  private String key(TestInfo info) {
    return Work.key(getClass(), info.getTestMethod().orElseThrow().getName());
  }
}
