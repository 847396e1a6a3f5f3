package dev.berth.bench;

import dev.berth.internal.session.SessionDirectory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the benchmark: the same thirty-test suite with Berth, Testcontainers per class, the Testcontainers singleton
 * pattern, no containers, and services started beforehand (the tests' own work), each in a fresh JVM, beside the
 * engine's own cost of starting the two services; then
 * Berth's per-service overhead and how fast it notices a port that opens. Prints medians and ratios.
 *
 * <pre>scripts/bench [--rounds 5] [--notice-rounds 20] [--skip-startup] [--skip-suites] [--suites work,berthwarm]</pre>
 */
public final class Bench {

  static final String REDIS = "redis:7.0";
  static final String POSTGRES = "postgres:15";

  private static final List<String> SUITES = List.of("floor", "berth", "berthlazy", "berthwarm", "tcsingleton", "tc",
      "engine", "work");
  private static final Map<String, String> TITLES = Map.of(
      "floor", "Floor 1: JVM + JUnit, 30 tests, no containers",
      "work", "Floor 3: the 30 tests against redis+postgres already running",
      "engine", "Floor 2: engine, docker run redis+postgres until they answer, rm",
      "berth", "Berth (10 classes x 3 tests, shared services), start-ahead",
      "berthlazy", "Berth, start-ahead off (berth.startAhead=0)",
      "berthwarm", "Berth warm (berth.reuse: the services the last run left up)",
      "tcsingleton", "Testcontainers, singleton pattern",
      "tc", "Testcontainers, @Container per class");

  /** The variants this bench runs: all, or those named by {@code --suites}. */
  private final List<String> selected;
  private final String runId = "bench-" + Long.toHexString(System.currentTimeMillis());
  private final Path logs = Path.of(System.getProperty("bench.logs", "bench/target/bench-logs"));
  private final Map<String, List<Long>> wall = new LinkedHashMap<>();
  private final Map<String, List<Map<String, Long>>> phases = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  /** Each Berth run's report: its write time (ms, from the run's last log line) and its two files' sizes. */
  private final List<long[]> reports = new ArrayList<>();
  /** The services Floor 3's tests use, started once before the rounds: their published ports. */
  private int workRedisPort;
  private int workDbPort;

  public static void main(String[] args) throws Exception {
    int rounds = 5;
    int noticeRounds = 20;
    boolean suites = true;
    boolean startup = true;
    List<String> selected = SUITES;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--notice-rounds" -> noticeRounds = Integer.parseInt(args[++i]);
        case "--skip-startup" -> startup = false;
        case "--skip-suites" -> suites = false;
        case "--suites" -> selected = suites(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    new Bench(selected).run(rounds, noticeRounds, suites, startup);
  }

  private Bench(List<String> selected) {
    this.selected = selected;
  }

  private static List<String> suites(String names) {
    List<String> chosen = List.of(names.split(","));
    for (String name : chosen) {
      if (!SUITES.contains(name)) {
        throw new IllegalArgumentException("--suites names " + name + ", which is none of " + SUITES);
      }
    }
    return chosen;
  }

  private void run(int rounds, int noticeRounds, boolean suites, boolean startup) throws Exception {
    Files.createDirectories(logs);
    var report = new StringBuilder();
    report.append(machine()).append('\n');
    if (suites) {
      for (String s : SUITES) {
        wall.put(s, new ArrayList<>());
        phases.put(s, new ArrayList<>());
      }
      List<String> workServices = startWorkServices();
      try {
        // Leaves the warm suite's services up for its first measured run, as an earlier run of the day would.
        if (selected.contains("berthwarm")) {
          suite("berthwarm", -1);
          wall.get("berthwarm").clear();
          phases.get("berthwarm").clear();
        }
        runRounds(rounds);
      } finally {
        removeAll(workServices);
        removeKept(warmSession());
      }
      report.append(suiteTable(rounds));
      report.append(reportTable());
    }
    if (startup) {
      report.append(new Startup(runId).measure(noticeRounds));
      report.append(new Lookups(runId).measure());
    }
    if (!problems.isEmpty()) {
      report.append("\nProblems:\n");
      problems.forEach(p -> report.append("  ").append(p).append('\n'));
    }
    System.out.println();
    System.out.println(report);
    Files.writeString(logs.resolve("report.txt"), report.toString());
  }

  private void runRounds(int rounds) throws Exception {
    for (int round = 0; round < rounds; round++) {
      for (int k = 0; k < selected.size(); k++) {
        // Each round starts with a different variant, so drift on the shared machine spreads over all of them.
        String suite = selected.get((k + round) % selected.size());
        long ms = suite.equals("engine") ? engineFloor(round) : suite(suite, round);
        wall.get(suite).add(ms);
        System.out.printf("round %d %-12s %6d ms%n", round + 1, suite, ms);
      }
    }
  }

  private String warmSession() {
    return runId + "-warm";
  }

  /**
   * Removes what a session's runs left up (berth.reuse), and the session's notes, so that its keeper finds nothing
   * to keep and ends.
   */
  static void removeKept(String session) throws IOException {
    removeAll(docker("ps", "-aq", "--filter", "label=dev.berth.session=" + session));
    for (String network : docker("network", "ls", "-q", "--filter", "label=dev.berth.session=" + session)) {
      docker("network", "rm", network);
    }
    Path dir = SessionDirectory.base().resolve(session);
    if (Files.isDirectory(dir)) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** Starts the redis and postgres that Floor 3's tests use in every round, and waits until both answer. */
  private List<String> startWorkServices() {
    String label = "dev.berth.bench=" + runId + "-work";
    workRedisPort = freePort();
    workDbPort = freePort();
    String redis = dockerRun("--label", label, "-p", "127.0.0.1:" + workRedisPort + ":6379", REDIS);
    String db = dockerRun("--label", label, "-p", "127.0.0.1:" + workDbPort + ":5432", "-e",
        "POSTGRES_PASSWORD=secret", POSTGRES);
    Probes.awaitRedis(workRedisPort);
    Probes.awaitPostgres(workDbPort);
    return List.of(redis, db);
  }

  /** One run of a suite in a fresh JVM, the way a build's test JVM starts; returns the wall time in ms. */
  private long suite(String suite, int round) throws Exception {
    // Warm runs share one session, so that each finds what the one before left up (a run before the rounds primes it).
    String session = suite.equals("berthwarm") ? warmSession() : runId + "-" + suite + "-" + (round + 1);
    Path log = logs.resolve(suite + "-" + (round + 1) + ".log");
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    // The same suite runs both ways: with the next classes' services started ahead (the default), and without.
    String pkg = "dev.berth.bench." + (suite.startsWith("berth") ? "berth" : suite);
    command.addAll(List.of(Suite.class.getName(), pkg));
    var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("BERTH_SESSION", session);
    if (suite.equals("berthlazy")) {
      env.put("BERTH_START_AHEAD", "0");
    }
    if (suite.equals("berthwarm")) {
      env.put("BERTH_REUSE", "10m");
    }
    Path reportDir = logs.resolve("report-" + suite + "-" + (round + 1));
    env.put("BERTH_REPORT", reportDir.toString());
    env.put("BENCH_RUN_ID", session);
    env.put("BENCH_REDIS_PORT", String.valueOf(workRedisPort));
    env.put("BENCH_DB_PORT", String.valueOf(workDbPort));
    env.put("TESTCONTAINERS_RYUK_DISABLED", "true");
    env.put("TESTCONTAINERS_CHECKS_DISABLE", "true");
    // This machine has /.dockerenv, so Testcontainers would run alpine:3.17 to find the gateway; there is none.
    env.put("TESTCONTAINERS_HOST_OVERRIDE", "localhost");
    long launched = System.nanoTime();
    long launchedMicros = Suite.nowMicros();
    Process p = builder.start();
    int exit = p.waitFor();
    long ms = (System.nanoTime() - launched) / 1_000_000;
    if (exit != 0) {
      problems.add(suite + " round " + (round + 1) + " failed (exit " + exit + "), see " + log);
    }
    phases.get(suite).add(Phases.of(Files.readAllLines(log), launchedMicros, launchedMicros + ms * 1000));
    if (suite.startsWith("berth") && round >= 0) {
      noteReport(log, reportDir);
    }
    List<String> berthLeft = suite.equals("berthwarm") ? List.of()
        : docker("ps", "-aq", "--filter", "label=dev.berth.session=" + session);
    if (!berthLeft.isEmpty()) {
      problems.add(suite + " round " + (round + 1) + ": Berth left " + berthLeft.size() + " containers");
      removeAll(berthLeft);
    }
    List<String> tcLeft = docker("ps", "-aq", "--filter", "label=dev.berth.bench=" + session);
    if (!tcLeft.isEmpty()) {
      problems.add(suite + " round " + (round + 1) + ": " + tcLeft.size() + " containers left, removed by label");
      removeAll(tcLeft);
    }
    return ms;
  }

  /** The run report's cost and size: from the run's line "Run report: ... written in N ms)". */
  private void noteReport(Path log, Path reportDir) throws IOException {
    var written = java.util.regex.Pattern.compile("Run report: .*written in (\\d+) ms\\)");
    for (String line : Files.readAllLines(log)) {
      var matcher = written.matcher(line);
      if (matcher.find() && Files.exists(reportDir.resolve("report.html"))) {
        reports.add(new long[] {Long.parseLong(matcher.group(1)), Files.size(reportDir.resolve("report.html")),
            Files.size(reportDir.resolve("report.json"))});
        return;
      }
    }
    problems.add("no run report line in " + log);
  }

  private String reportTable() {
    if (reports.isEmpty()) {
      return "";
    }
    return String.format("%nThe run report (Berth runs, %d): written in median %d ms (max %d); report.html median"
        + " %d KB, report.json median %d KB%n", reports.size(),
        Stats.median(reports.stream().map(r -> r[0]).toList()), Stats.max(reports.stream().map(r -> r[0]).toList()),
        Stats.median(reports.stream().map(r -> r[1] / 1024).toList()),
        Stats.median(reports.stream().map(r -> r[2] / 1024).toList()));
  }

  /** Floor 2: the docker CLI starts both services at once and the JVM polls until both answer; then rm -f. */
  private long engineFloor(int round) throws Exception {
    String label = "dev.berth.bench=" + runId + "-engine-" + (round + 1);
    long t0 = System.nanoTime();
    int redisPort = freePort();
    int pgPort = freePort();
    CompletableFuture<String> redis = CompletableFuture.supplyAsync(() -> dockerRun("--label", label, "-p",
        "127.0.0.1:" + redisPort + ":6379", REDIS));
    CompletableFuture<String> pg = CompletableFuture.supplyAsync(() -> dockerRun("--label", label, "-p",
        "127.0.0.1:" + pgPort + ":5432", "-e", "POSTGRES_PASSWORD=secret", POSTGRES));
    CompletableFuture<Void> redisUp = redis.thenRun(() -> Probes.awaitRedis(redisPort));
    CompletableFuture<Void> pgUp = pg.thenRun(() -> Probes.awaitPostgres(pgPort));
    CompletableFuture.allOf(redisUp, pgUp).join();
    long ready = (System.nanoTime() - t0) / 1_000_000;
    removeAll(List.of(redis.join(), pg.join()));
    long total = (System.nanoTime() - t0) / 1_000_000;
    phases.get("engine").add(Map.of("ready", ready, "total", total));
    return total;
  }

  private String suiteTable(int rounds) {
    var sb = new StringBuilder();
    sb.append(String.format("%nSuite: 10 classes x 3 tests, each test redis SET/GET + JDBC insert/select;"
        + " wall time per run, fresh JVM, %d runs each (ms)%n", rounds));
    sb.append(String.format("%-66s %7s %7s %7s%n", "", "median", "min", "max"));
    for (String s : List.of("floor", "work", "engine", "berth", "berthlazy", "berthwarm", "tcsingleton", "tc")) {
      if (selected.contains(s)) {
        List<Long> w = wall.get(s);
        sb.append(String.format("%-66s %7d %7d %7d%n", TITLES.get(s), Stats.median(w), Stats.min(w), Stats.max(w)));
      }
    }
    if (selected.contains("engine")) {
      long engineReady = Stats.median(phases.get("engine").stream().map(m -> m.get("ready")).toList());
      sb.append(String.format("  (engine floor until both answer, without the rm: %d ms)%n", engineReady));
    }
    sb.append(String.format("%nRatios of medians%n"));
    sb.append(ratio("Berth / TC singleton", "berth", "tcsingleton", 1.0));
    sb.append(ratio("Berth / TC singleton, issue 21's target", "berth", "tcsingleton", 0.75));
    sb.append(ratio("Berth warm / Floor 3 (issue 21)", "berthwarm", "work", 1.15));
    sb.append(ratio("Berth start-ahead / start-ahead off", "berth", "berthlazy", 0));
    sb.append(ratio("Berth / TC per class", "berth", "tc", 0.3));
    if (selected.containsAll(List.of("berth", "floor", "engine", "work", "tcsingleton"))) {
      long floor = Stats.median(wall.get("floor"));
      long engine = Stats.median(wall.get("engine"));
      long berth = Stats.median(wall.get("berth"));
      long single = Stats.median(wall.get("tcsingleton"));
      long work = Stats.median(wall.get("work"));
      sb.append(target("(Berth - JVM floor) / engine floor", (double) (berth - floor) / engine, 1.15));
      sb.append(String.format("%nWhat the containers cost the suite, beyond the tests' own work (Floor 3), against"
          + " the engine's own cost (Floor 2)%n"));
      sb.append(String.format("  %-44s %7.2f%n", "(Berth - Floor 3) / engine floor",
          (double) (berth - work) / engine));
      sb.append(String.format("  %-44s %7.2f%n", "(TC singleton - Floor 3) / engine floor",
          (double) (single - work) / engine));
    }
    sb.append(String.format("%n%s%n", "Where the time goes, medians (ms); JVM = launch to main, discover = JUnit"
        + " discovery, first test = execute to end of first test (services start here), rest = the other"
        + " tests, teardown = last test to engine end (Berth's cleanup, TC's stops), exit = to process end"));
    sb.append(String.format("%-14s %6s %9s %11s %6s %9s %6s%n", "", "JVM", "discover", "first test", "rest",
        "teardown", "exit"));
    for (String s : List.of("floor", "work", "berth", "berthlazy", "berthwarm", "tcsingleton", "tc")) {
      if (!selected.contains(s)) {
        continue;
      }
      sb.append(String.format("%-14s", s));
      for (String phase : Phases.NAMES) {
        sb.append(String.format(" %" + (phase.equals("first") ? 11 : phase.equals("discover")
            || phase.equals("teardown") ? 9 : 6) + "d", Stats.median(phases.get(s).stream()
            .map(m -> m.getOrDefault(phase, -1L)).toList())));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The ratio of two variants' medians, against a target (none if 0); nothing unless both ran. */
  private String ratio(String what, String variant, String base, double limit) {
    if (!selected.contains(variant) || !selected.contains(base)) {
      return "";
    }
    double value = (double) Stats.median(wall.get(variant)) / Stats.median(wall.get(base));
    return limit > 0 ? target(what, value, limit) : String.format("  %-44s %7.2f%n", what, value);
  }

  static String target(String what, double value, double limit) {
    return String.format("  %-44s %7.2f   target <= %.2f: %s%n", what, value, limit,
        value <= limit ? "met" : "NOT met");
  }

  private static String machine() throws IOException {
    String os = Files.readAllLines(Path.of("/etc/os-release")).stream().filter(l -> l.startsWith("PRETTY_NAME="))
        .map(l -> l.substring(13, l.length() - 1)).findFirst().orElse(System.getProperty("os.name"));
    long memGib = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize() >> 30;
    String engine = String.join("", docker("version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"));
    return String.format("Berth benchmark, %s; %d cores, %d GiB, %s, JDK %s, Docker %s; load average at start %s",
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
        Runtime.getRuntime().availableProcessors(), memGib + 1, os, System.getProperty("java.version"), engine,
        Files.readString(Path.of("/proc/loadavg")).strip());
  }

  static int freePort() {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String dockerRun(String... args) {
    var command = new ArrayList<>(List.of("run", "-d"));
    command.addAll(List.of(args));
    List<String> out = docker(command.toArray(String[]::new));
    return out.get(out.size() - 1);
  }

  static void removeAll(List<String> ids) {
    if (!ids.isEmpty()) {
      var command = new ArrayList<>(List.of("rm", "-f", "-v"));
      command.addAll(ids);
      docker(command.toArray(String[]::new));
    }
  }

  /** Runs the docker CLI and returns its output lines; fails on a non-zero exit. */
  static List<String> docker(String... args) {
    var command = new ArrayList<String>();
    command.add("docker");
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
      }
      return out.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
