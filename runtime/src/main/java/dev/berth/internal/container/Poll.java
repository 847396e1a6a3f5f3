package dev.berth.internal.container;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Asks a condition again and again, in the calling thread, until it holds or the time is up: the readiness checks'
 * loop. The first look is at once; the pause before each next one comes from an {@link Interval}.
 */
final class Poll {

  /** The pause before the {@code count}th look (counting from 1). */
  @FunctionalInterface
  interface Interval {
    Duration next(int count);
  }

  /** The condition did not hold in time. */
  static final class TimedOut extends Exception {
    private static final long serialVersionUID = 1L;

    TimedOut(String what, Duration atMost) {
      super(what + " did not hold within " + atMost.toMillis() + " ms", null, false, false);
    }
  }

  private Poll() {
  }

  /**
   * Returns once {@code condition} is true. What the condition throws ends the wait and reaches the caller as it
   * is. An interrupt does not end the wait (a start goes on until it is ready or out of time, as a start that no
   * test waits for any more must); the thread is interrupted again when the wait ends.
   *
   * @throws TimedOut if it did not hold within {@code atMost} (it is asked at least once)
   */
  static void until(String what, Duration atMost, Interval interval, Callable<Boolean> condition) throws TimedOut {
    long deadline = System.nanoTime() + Math.max(atMost.toNanos(), 1);
    boolean interrupted = false;
    try {
      for (int count = 1; ; count++) {
        if (call(condition)) {
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimedOut(what, atMost);
        }
        long pause = Math.min(interval.next(count).toNanos(), left);
        try {
          Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean call(Callable<Boolean> condition) {
    try {
      return Boolean.TRUE.equals(condition.call());
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw Poll.<RuntimeException>sneaky(e);
    }
  }

  /** Lets a checked failure of a condition (an I/O error of a probe) reach the caller unwrapped. */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T sneaky(Throwable e) throws T {
    throw (T) e;
  }
}
