package dev.berth.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A poor man's profiler for a suite's fresh JVM, where JFR's sampler sees too little: every 10 ms, one line per
 * thread that runs or waits for a monitor, and per thread of Berth's (or the main thread) that waits inside Berth or
 * docker-java, with its state, its top two frames and every Berth and docker-java frame below them:
 *
 * <pre>1795384302903046 berth-start-2 WAITING < Unsafe.park < LockSupport.park
 *     < DefaultInvocationBuilder.get < ...</pre>
 *
 * The first column is wall-clock microseconds, as in the suite's {@code bench-event} lines. Started by
 * {@link Suite} when {@code -Dbench.sample=<file>} is set. Taking all stacks stops the JVM for a moment each time,
 * so a sampled run is slower than a plain one: read where threads wait, not how long runs take.
 */
final class Sampler {

  private static final long INTERVAL_MILLIS = 10;
  private static final int KEPT_FRAMES = 8;

  private Sampler() {
  }

  static void startIfAsked() {
    String file = System.getProperty("bench.sample");
    if (file == null || file.isBlank()) {
      return;
    }
    var thread = new Thread(() -> sample(Path.of(file)), "bench-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private static void sample(Path file) {
    try (var out = new PrintWriter(Files.newBufferedWriter(file))) {
      while (true) {
        long now = Suite.nowMicros();
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
          String line = describe(entry.getKey(), entry.getValue());
          if (line != null) {
            out.println(now + " " + line);
          }
        }
        out.flush();
        Thread.sleep(INTERVAL_MILLIS);
      }
    } catch (IOException e) {
      System.err.println("bench-sampler: cannot write " + file + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The thread's line, or null for one not worth a line: idle, or blocked in I/O with nothing of ours on top. */
  private static String describe(Thread thread, StackTraceElement[] stack) {
    if (thread == Thread.currentThread() || stack.length == 0) {
      return null;
    }
    Thread.State state = thread.getState();
    boolean ours = thread.getName().startsWith("berth-") || thread.getName().equals("main");
    boolean busy = state == Thread.State.RUNNABLE || state == Thread.State.BLOCKED;
    if (!ours && (!busy || stack[0].getClassName().startsWith("sun.nio.ch"))) {
      return null;
    }
    var line = new StringBuilder(thread.getName()).append(' ').append(state);
    int kept = 0;
    boolean inOurCode = false;
    for (int i = 0; i < stack.length && kept < KEPT_FRAMES; i++) {
      String type = stack[i].getClassName();
      boolean interesting = type.startsWith("dev.berth") || type.startsWith("com.github.dockerjava");
      if (i < 2 || interesting) {
        line.append(" < ").append(type.substring(type.lastIndexOf('.') + 1)).append('.')
            .append(stack[i].getMethodName());
        kept++;
        inOurCode |= interesting;
      }
    }
    // A waiting pool thread with no Berth or docker-java frame is idle.
    return busy || inOurCode ? line.toString() : null;
  }
}
