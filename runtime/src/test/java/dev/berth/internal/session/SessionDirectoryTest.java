package dev.berth.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
      SessionDirectory.deleteTree(directory.dir());
    }
  }

  /**
   * Two runs of one JVM (the extension's and a runtime a test starts itself): the second asking whether anyone else
   * holds a key must not end the first's lease for other JVMs. On Linux, closing any descriptor of a file drops all
   * the process's locks on it, so a probe that opened the first run's lease made that run look dead to the session.
   */
  @Test
  void askingAboutALeaseOfThisJvmKeepsItLiveForOtherJvms() throws Exception {
    String session = "lease-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    var first = new SessionDirectory(session, "first");
    var second = new SessionDirectory(session, "second");
    try {
      first.hold("service", "run=first\n");
      assertThat(probeFromAnotherJvm(session, "service")).as("before any probe").isEqualTo("held");

      assertThat(second.heldByOthers("service")).isTrue();
      assertThat(second.heldByOthers("service")).isTrue();

      assertThat(probeFromAnotherJvm(session, "service")).as("after this JVM's other run asked").isEqualTo("held");
      first.release("service");
      assertThat(probeFromAnotherJvm(session, "service")).isEqualTo("free");
    } finally {
      first.release("service");
      SessionDirectory.deleteTree(first.dir());
    }
  }

  /**
   * Surefire starts each fork through {@code /bin/sh -c}: a JVM whose parent is a shell belongs to the shell's
   * parent's build, so that the forks of one build share a session.
   */
  @Test
  void aJvmAShellStartedBelongsToTheShellsParent() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // The trailing command keeps the shell from replacing itself with the JVM.
    Process viaShell = new ProcessBuilder("sh", "-c", "'" + java + "' -cp '" + System.getProperty("java.class.path")
        + "' '" + PrintsItsBuild.class.getName() + "'; true").redirectErrorStream(true).start();
    String printed = new String(viaShell.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(viaShell.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(printed).startsWith("build-" + ProcessHandle.current().pid() + "-");
  }

  /** The child JVM of the test above. */
  static final class PrintsItsBuild {
    public static void main(String[] args) {
      System.out.println(SessionDirectory.ofThisBuild());
    }
  }

  /**
   * A build's session is named after its process, so once that process has ended no run can join the session again
   * and its directory goes; a session the user named may be used again, and stays.
   */
  @Test
  void directoriesOfEndedBuildsGoAndTheOthersStay(@TempDir Path base) throws Exception {
    Process ended = new ProcessBuilder("true").start();
    assertThat(ended.waitFor(10, TimeUnit.SECONDS)).isTrue();
    ProcessHandle parent = SessionDirectory.buildProcess().orElseThrow();
    String thisBuild = SessionDirectory.ofThisBuild();
    assertThat(thisBuild).startsWith("build-" + parent.pid() + "-");
    String watchdogPending = "build-" + ended.pid() + "-mws39uij"; // a killed JVM's run lease, for its watchdog
    var stay = List.of(thisBuild, "jvm-" + ProcessHandle.current().pid(), "my-session", "build-notes",
        watchdogPending);
    var go = List.of("build-" + ended.pid() + "-mws39uii", "jvm-" + ended.pid(),
        "build-" + parent.pid() + "-0"); // the same pid, another start: a later process
    for (String session : concat(stay, go)) {
      Files.createDirectories(base.resolve(session));
      Files.createFile(base.resolve(session).resolve("network.mutex"));
    }
    Files.writeString(base.resolve(watchdogPending).resolve("run.0badf00d.lease"), "pid=" + ended.pid() + "\n");

    SessionDirectory.removeEndedSessions(base);

    assertThat(stay).allSatisfy(session -> assertThat(base.resolve(session)).isDirectory());
    assertThat(go).allSatisfy(session -> assertThat(base.resolve(session)).doesNotExist());
  }

  private static List<String> concat(List<String> first, List<String> second) {
    var all = new java.util.ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  private static String probeFromAnotherJvm(String session, String key) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process probe = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LeaseProbe.class.getName(),
        session, key).redirectErrorStream(true).start();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return output;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
