package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs in separate JVMs: one container per session and definition, and cleanup after a JVM is killed. */
@Tag("slow") // JVMs of their own, killed and waited for
class SessionsTest {

  private final List<Process> started = new java.util.ArrayList<>();

  @AfterEach
  void killLeftovers() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void twoJvmsOfOneSessionShareOneContainer() throws Exception {
    String session = newSession();
    Instant since = Instant.now();
    Process first = jvm(session);
    Process second = jvm(session);
    int firstPort = awaitReady(first);
    int secondPort = awaitReady(second);

    assertThat(secondPort).isEqualTo(firstPort);
    assertThat(Engine.servicesCreated(session, since)).hasSize(1);

    stop(first);
    assertThat(Engine.running(session, "service")).as("still held by the second JVM").hasSize(1);
    assertThat(Fixtures.ping(new java.net.InetSocketAddress("127.0.0.1", secondPort))).isEqualTo("+PONG");
    stop(second);
    assertThat(Engine.leftovers(session)).as(() -> diagnose(session)).isEmpty();
  }

  private static String diagnose(String session) {
    var s = new StringBuilder("session files: ");
    try (var files = java.nio.file.Files.list(KitRun.sessionDirectory(session))) {
      files.forEach(f -> s.append(f.getFileName()).append(' '));
    } catch (IOException e) {
      s.append(e);
    }
    Engine.docker().listContainersCmd().withShowAll(true)
        .withLabelFilter(java.util.Map.of("dev.berth.session", session)).exec()
        .forEach(c -> s.append("\ncontainer ").append(c.getNames()[0]).append(' ').append(c.getLabels())
            .append(" created ").append(c.getCreated()));
    return s.append("\nnow ").append(Instant.now().getEpochSecond()).toString();
  }

  @Test
  void killedJvmLeavesNothingBehindWithinThirtySeconds() throws Exception {
    String session = newSession();
    Process jvm = jvm(session);
    awaitReady(jvm);
    assertThat(Engine.running(session, "service")).hasSize(1);
    // The watchdog runs, but not as the JVM's child: a JVM waits up to 300 ms at exit while one of its threads is
    // blocked in native code, and the thread that reaps a child process would be, for as long as the child lives.
    // It waits without a JVM of its own, which would take CPU from the tests while it starts.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(watchdogOf(jvm.pid())).isPresent());
    assertThat(jvm.descendants().filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(watchdogOf(jvm.pid()).flatMap(p -> p.info().command())).hasValueSatisfying(
        command -> assertThat(command).doesNotEndWith("/java"));

    jvm.destroyForcibly().waitFor();

    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(Engine.leftovers(session)).isEmpty());
  }

  /**
   * One of two JVMs sharing a service is killed: its watchdog cleans up after it, but leaves the container the other
   * JVM still holds, which keeps answering; the other JVM's end then takes it, and nothing is left.
   */
  @Test
  void aKilledJvmsWatchdogLeavesWhatAnotherJvmStillHolds() throws Exception {
    String session = newSession();
    Process doomed = jvm(session);
    Process survivor = jvm(session);
    awaitReady(doomed);
    int port = awaitReady(survivor);
    String shared = Engine.running(session, "service").get(0).getId();

    doomed.destroyForcibly().waitFor();
    Path directory = KitRun.sessionDirectory(session);
    await("the watchdog has cleaned up").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> runLeases(directory) == 1);

    assertThat(Engine.running(session, "service")).singleElement()
        .satisfies(c -> assertThat(c.getId()).isEqualTo(shared));
    assertThat(Fixtures.ping(new java.net.InetSocketAddress("127.0.0.1", port))).isEqualTo("+PONG");
    stop(survivor);
    assertThat(Engine.leftovers(session)).as(() -> diagnose(session)).isEmpty();
  }

  private static long runLeases(Path directory) throws IOException {
    try (var files = java.nio.file.Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().matches("run\\..*\\.lease")).count();
    }
  }

  @Test
  void concurrentSessionsNeitherShareNorRemoveEachOthersContainers() throws Exception {
    String one = newSession();
    String two = newSession();
    Process first = jvm(one);
    Process second = jvm(two);
    int firstPort = awaitReady(first);
    int secondPort = awaitReady(second);
    List<InspectContainerResponse> ofTwo = Engine.running(two, "service");

    assertThat(firstPort).isNotEqualTo(secondPort);
    assertThat(Engine.running(one, "service")).singleElement()
        .satisfies(c -> assertThat(c.getId()).isNotEqualTo(ofTwo.get(0).getId()));

    first.destroyForcibly().waitFor();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(Engine.leftovers(one)).isEmpty());
    assertThat(Engine.running(two, "service")).singleElement()
        .satisfies(c -> assertThat(c.getId()).isEqualTo(ofTwo.get(0).getId()));
    assertThat(Fixtures.ping(new java.net.InetSocketAddress("127.0.0.1", secondPort))).isEqualTo("+PONG");
    stop(second);
    assertThat(Engine.leftovers(two)).isEmpty();
  }

  /**
   * The watchdog process watching the JVM {@code pid}, wherever it is in the process tree. Read from /proc: the
   * JDK gives no arguments for a command line as long as the watchdog's classpath.
   */
  private static java.util.Optional<ProcessHandle> watchdogOf(long pid) {
    return ProcessHandle.allProcesses().filter(p -> {
      try {
        List<String> args = List.of(new String(java.nio.file.Files.readAllBytes(Path.of("/proc", String.valueOf(
            p.pid()), "cmdline")), StandardCharsets.UTF_8).split("\0"));
        return args.contains("dev.berth.internal.session.Watchdog") && args.get(args.size() - 1).equals(String.valueOf(pid));
      } catch (IOException | RuntimeException gone) {
        return false;
      }
    }).findFirst();
  }

  private static String newSession() {
    return "jvms-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private Process jvm(String session) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        SessionJvm.class.getName(), session).redirectErrorStream(true).start();
    started.add(process);
    return process;
  }

  /**
   * Reads the JVM's output until it says it is ready, and returns the published port it got; a thread keeps
   * reading the rest, so the JVM never blocks on a full pipe, and it shows in the report.
   */
  private static int awaitReady(Process process) throws IOException {
    var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    var seen = new StringBuilder();
    while ((line = lines.readLine()) != null) {
      System.out.println("[jvm " + process.pid() + "] " + line);
      if (line.startsWith("ready ")) {
        var drain = new Thread(() -> lines.lines().forEach(l -> System.out.println("[jvm " + process.pid() + "] " + l)));
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(line.substring("ready ".length()).strip());
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("the JVM ended before it was ready:\n" + seen);
  }

  private static void stop(Process process) throws Exception {
    try (var stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
      stdin.write("stop\n");
    }
    assertThat(process.waitFor()).isZero();
  }
}
