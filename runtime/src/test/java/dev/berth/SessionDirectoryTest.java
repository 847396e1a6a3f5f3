package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The session's mutexes across processes, with real file locks in a second JVM. */
class SessionDirectoryTest {

  /**
   * This JVM holds "x" in one thread and asks for "y" in another, while a second JVM holds "y" and asks for "x". No
   * thread waits for a mutex inside another, so nothing is stuck: the kernel, counting locks per process, still
   * refuses one wait as a deadlock, and the wait must outlast that refusal.
   */
  @Test
  void threadsHoldingDifferentMutexesInTwoJvmsAllGetThemInTheEnd() throws Exception {
    String session = "directory-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    var directory = new SessionDirectory(session, "parent");
    var holdingX = new CountDownLatch(1);
    var letGoOfX = new CountDownLatch(1);
    CompletableFuture<Void> x = CompletableFuture.runAsync(() -> directory.locked("x", () -> {
      holdingX.countDown();
      await(letGoOfX);
      return null;
    }), runnable -> new Thread(runnable, "holds-x").start());
    assertThat(holdingX.await(10, TimeUnit.SECONDS)).isTrue();

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        SessionLockHolder.class.getName(), session).redirectErrorStream(true).start();
    try {
      var output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = output.readLine();
      } while (line != null && !line.equals("holding y, asking for x"));
      assertThat(line).as("the other JVM holds y and waits for x").isNotNull();
      Thread.sleep(300); // its wait for x is in the kernel by now

      CompletableFuture<Void> y = CompletableFuture.runAsync(() -> directory.locked("y", () -> null),
          runnable -> new Thread(runnable, "asks-y").start());
      Thread.sleep(200); // refused at once as a deadlock, before the fix
      letGoOfX.countDown();

      y.get(20, TimeUnit.SECONDS);
      x.get(20, TimeUnit.SECONDS);
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("the other JVM got x, then let go of y").isZero();
    } finally {
      letGoOfX.countDown();
      child.destroyForcibly();
      try (var files = Files.list(directory.dir())) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(directory.dir());
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
