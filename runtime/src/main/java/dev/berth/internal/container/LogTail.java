package dev.berth.internal.container;

import dev.berth.internal.spec.Definition;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's output: every line goes to the SLF4J logger {@code berth.service.<name>}, and the last
 * {@value #KEPT} lines stay here for error messages.
 */
public final class LogTail implements Consumer<String> {

  static final int KEPT = 50;
  /** How many of the last lines seen place them in output read again ({@link #catchUp}). */
  private static final int CATCH_UP_MATCH = 5;

  private final Logger logger;
  private final ArrayDeque<String> lines = new ArrayDeque<>(KEPT);
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile ReadyLine readyLine;
  private volatile long lastLineNanos = System.nanoTime();

  /**
   * Lines that say the service is ready ({@link Definition#withReadyLogLine}), counted as they come; set before
   * the output stream attaches, so that no line goes uncounted.
   */
  static final class ReadyLine {
    final Pattern pattern;
    final int times;
    final CompletableFuture<Void> seen = new CompletableFuture<>();
    private int count;

    ReadyLine(Definition.ReadyLogLine line) {
      this.pattern = Pattern.compile(line.regex());
      this.times = line.times();
    }

    synchronized int count() {
      return count;
    }

    private synchronized void check(String line) {
      if (!seen.isDone() && pattern.matcher(line).find() && ++count >= times) {
        seen.complete(null);
      }
    }
  }

  public LogTail(String loggerName) {
    this.logger = LoggerFactory.getLogger(loggerName);
  }

  /** Counts the lines that say the service is ready, from now on. */
  ReadyLine expect(Definition.ReadyLogLine line) {
    var ready = new ReadyLine(line);
    readyLine = ready;
    return ready;
  }

  /** The ready lines being counted, if the service has them and its output is followed from its start. */
  Optional<ReadyLine> readyLine() {
    return Optional.ofNullable(readyLine);
  }

  @Override
  public void accept(String line) {
    lastLineNanos = System.nanoTime();
    logger.info("{}", line);
    ReadyLine ready = readyLine;
    if (ready != null) {
      ready.check(line);
    }
    synchronized (lines) {
      if (lines.size() == KEPT) {
        lines.removeFirst();
      }
      lines.addLast(line);
    }
  }

  public void end() {
    ended.countDown();
  }

  /**
   * Adds what a stream that ended early missed, from {@code output} (the container's output, read again): the lines
   * after the last of those seen here. When the kept lines are not in it at all, all of it is new.
   */
  void catchUp(List<String> output) {
    List<String> kept;
    synchronized (lines) {
      kept = List.copyOf(lines);
    }
    int from = 0;
    if (!kept.isEmpty()) {
      List<String> seen = kept.subList(Math.max(0, kept.size() - CATCH_UP_MATCH), kept.size());
      for (int i = output.size() - seen.size(); i >= 0; i--) {
        if (output.subList(i, i + seen.size()).equals(seen)) {
          from = i + seen.size();
          break;
        }
      }
    }
    output.subList(from, output.size()).forEach(this::accept);
  }

  /**
   * Waits until no line has come for {@code quiet}, or the stream ended, but not past {@code deadlineNanos} (of
   * {@link System#nanoTime()}); whether it got there in time.
   */
  boolean awaitQuiet(Duration quiet, long deadlineNanos) {
    try {
      while (ended.getCount() > 0) {
        long now = System.nanoTime();
        long idle = now - lastLineNanos;
        if (idle >= quiet.toNanos()) {
          return true;
        }
        if (now >= deadlineNanos) {
          return false;
        }
        TimeUnit.NANOSECONDS.sleep(Math.min(quiet.toNanos() - idle, deadlineNanos - now));
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits at most {@code nanos} for the stream to end; whether it did. */
  boolean awaitEnd(long nanos) {
    try {
      return ended.await(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The last lines, waiting briefly for the stream to end when the container has just exited. */
  public List<String> lastLines(boolean waitForEnd) {
    if (waitForEnd) {
      awaitEnd(TimeUnit.SECONDS.toNanos(2));
    }
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }
}
