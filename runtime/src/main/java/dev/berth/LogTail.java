package dev.berth;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's output: every line goes to the SLF4J logger {@code berth.service.<name>}, and the last
 * {@value #KEPT} lines stay here for error messages.
 */
final class LogTail implements Consumer<String> {

  static final int KEPT = 50;

  private final Logger logger;
  private final ArrayDeque<String> lines = new ArrayDeque<>(KEPT);
  private final CountDownLatch ended = new CountDownLatch(1);

  LogTail(String loggerName) {
    this.logger = LoggerFactory.getLogger(loggerName);
  }

  @Override
  public void accept(String line) {
    logger.info("{}", line);
    synchronized (lines) {
      if (lines.size() == KEPT) {
        lines.removeFirst();
      }
      lines.addLast(line);
    }
  }

  void end() {
    ended.countDown();
  }

  /** The last lines, waiting briefly for the stream to end when the container has just exited. */
  List<String> lastLines(boolean waitForEnd) {
    if (waitForEnd) {
      try {
        ended.await(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }
}
