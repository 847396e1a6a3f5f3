package dev.berth.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.berth.Protocol;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Berth's cost per service: redis:7.0 from request to ready beside a plain {@code docker run} until PING, and how
 * long after a service's port opens Berth reports it ready.
 */
final class Startup {

  private static final int OVERHEAD_ROUNDS = 10;
  /**
   * The notice service sleeps so that Berth is already polling when the port opens, then answers each connection
   * with ANSWER (empty: it closes at once, as a TCP check needs nothing more).
   */
  private static final String LISTENER = String.join("\n",
      "import os, signal, socket, sys, time",
      "signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))",
      "answer = os.environ.get('ANSWER', '').encode()",
      "time.sleep(1.5)",
      "s = socket.socket()",
      "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
      "s.bind(('0.0.0.0', 8080))",
      "s.listen(64)",
      "print('listening', time.time_ns(), flush=True)",
      "while True:",
      "    c = s.accept()[0]",
      "    if answer:",
      "        c.recv(1024)",
      "        c.sendall(answer)",
      "    c.close()");

  private final String runId;

  Startup(String runId) {
    this.runId = runId;
  }

  String measure(int noticeRounds) throws Exception {
    var sb = new StringBuilder();
    sb.append(overhead());
    sb.append(attach());
    sb.append(notice(noticeRounds));
    return sb.toString();
  }

  private BerthConfig config(String session) {
    Map<String, String> keys = Map.of("berth.session", session, "berth.stopTimeout", "2s");
    return BerthConfig.from(key -> Optional.ofNullable(keys.get(key)));
  }

  /** redis:7.0 request to ready: Berth's first service of a run (creates the network), its next one, docker run. */
  private String overhead() throws Exception {
    var first = new ArrayList<Long>();
    var next = new ArrayList<Long>();
    var close = new ArrayList<Long>();
    var docker = new ArrayList<Long>();
    var network = new ArrayList<Long>();
    var dockerOnNetwork = new ArrayList<Long>();
    String session = runId + "-overhead";
    // Berth's containers sit on a user-defined network (for aliases and DNS), which costs the engine more per
    // container than the default bridge: docker run on such a network is the like-for-like reference.
    String userNetwork = "berth-bench-" + runId;
    Bench.docker("network", "create", "--label", "dev.berth.bench=" + runId + "-overhead", userNetwork);
    for (int round = -1; round < OVERHEAD_ROUNDS; round++) {
      ServiceSpec redis = ServiceSpec.from(Bench.REDIS).withExposedPort(6379).withInstanceId("o" + round);
      long f;
      long n;
      long t0;
      try (var runtime = ServiceRuntime.start(config(session))) {
        var scope = runtime.newScope();
        f = timeToReady(scope.service("redis", redis));
        n = timeToReady(scope.service("next", redis.withInstanceId("n" + round)));
        t0 = System.nanoTime();
      }
      long c = (System.nanoTime() - t0) / 1_000_000;
      long d = dockerRunUntilPing(round);
      long dn = dockerRunUntilPing(round, "--network", userNetwork);
      long w = networkCreate(round);
      if (round >= 0) {
        // Round -1 warms the JVM (class loading, JIT) and is not counted.
        first.add(f);
        next.add(n);
        close.add(c);
        docker.add(d);
        network.add(w);
        dockerOnNetwork.add(dn);
      }
      System.out.printf("overhead round %d: Berth first %d ms, next %d ms, close %d ms; docker run %d ms, docker"
          + " network create %d ms; docker run on a user network %d ms%n", round + 1, f, n, c, d, w, dn);
    }
    Bench.docker("network", "rm", userNetwork);
    leakCheck(session);
    long dockerMedian = Stats.median(docker);
    var sb = new StringBuilder();
    sb.append(String.format("%nPer service, redis:7.0, request to ready, median of %d (after one warm-up)%n",
        OVERHEAD_ROUNDS));
    sb.append(String.format("  Berth, first service of a run (creates the network)  %5d ms  %s%n",
        Stats.median(first), first));
    sb.append(String.format("  Berth, next service of the same run                  %5d ms  %s%n",
        Stats.median(next), next));
    sb.append(String.format("  docker run -d + PING over the published port         %5d ms  %s%n", dockerMedian,
        docker));
    sb.append(String.format("  docker run -d on a user-defined network + PING       %5d ms  %s%n",
        Stats.median(dockerOnNetwork), dockerOnNetwork));
    sb.append(String.format("  network create, engine API (the first one's extra)   %5d ms  %s%n",
        Stats.median(network), network));
    sb.append(String.format("  Berth closing the run (remove 2 containers, network) %5d ms  %s%n",
        Stats.median(close), close));
    sb.append(Bench.target("overhead, next service - docker run (ms)", Stats.median(next) - dockerMedian, 50));
    sb.append(Bench.target("overhead, first service - docker run (ms)", Stats.median(first) - dockerMedian, 50));
    sb.append(String.format("  %-44s %7d   (like for like: the engine's extra cost on a user network removed)%n",
        "next service - docker run on a user network", Stats.median(next) - Stats.median(dockerOnNetwork)));
    sb.append(String.format("  %-44s %7d   (the run's network, which docker run does not make)%n",
        "first service - docker run - network create", Stats.median(first) - dockerMedian
            - Stats.median(network)));
    return sb.toString();
  }

  /**
   * redis:7.0 request to ready when an earlier run left it up (berth.reuse): each round a new run in this JVM (its
   * engine connection made and its network joined first, as the warm-up does) attaches to it.
   */
  private String attach() throws Exception {
    String session = runId + "-attach";
    Map<String, String> keys = Map.of("berth.session", session, "berth.reuse", "10m", "berth.startAhead", "0");
    BerthConfig config = BerthConfig.from(key -> Optional.ofNullable(keys.get(key)));
    ServiceSpec redis = ServiceSpec.from(Bench.REDIS).withExposedPort(6379).withInstanceId("attach");
    var attach = new ArrayList<Long>();
    try {
      for (int round = -1; round < OVERHEAD_ROUNDS; round++) {
        try (var runtime = ServiceRuntime.start(config)) {
          var scope = runtime.newScope();
          if (round >= 0) {
            runtime.warmUp(List.of(redis.withInstanceId("warm-up")));
            Thread.sleep(500);
          }
          long ms = timeToReady(scope.service("redis", redis));
          if (round >= 0) {
            // Round -1 starts it, to be left up.
            attach.add(ms);
          }
          System.out.printf("attach round %d: %d ms%n", round + 1, ms);
        }
      }
    } finally {
      Bench.removeKept(session);
    }
    return String.format("%nAttach (berth.reuse): redis:7.0 request to ready, left up by an earlier run, median of %d"
        + "%n", OVERHEAD_ROUNDS) + Bench.target("attach (ms)", Stats.median(attach), 100);
  }

  private static long timeToReady(Service service) {
    long t0 = System.nanoTime();
    InetSocketAddress address = service.hostAddress(6379);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (!"+PONG".equals(Probes.ping(address.getPort()))) {
      throw new IllegalStateException("redis did not answer PING at " + address);
    }
    return ms;
  }

  private long dockerRunUntilPing(int round, String... options) {
    int port = Bench.freePort();
    var args = new ArrayList<>(List.of("--label", "dev.berth.bench=" + runId + "-overhead", "-p",
        "127.0.0.1:" + port + ":6379"));
    args.addAll(List.of(options));
    args.add(Bench.REDIS);
    long t0 = System.nanoTime();
    String id = Bench.dockerRun(args.toArray(String[]::new));
    Probes.awaitRedis(port);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    Bench.removeAll(List.of(id));
    return ms;
  }

  /**
   * How long the engine takes to create a bridge network, asked through its API from this (warm) JVM, as Berth
   * asks it; then removed, not timed.
   */
  private long networkCreate(int round) {
    String name = "berth-bench-net-" + runId + "-" + (round + 1);
    long t0 = System.nanoTime();
    String id = api().createNetworkCmd().withName(name).withDriver("bridge")
        .withLabels(Map.of("dev.berth.bench", runId + "-overhead")).exec().getId();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    api().removeNetworkCmd(id).exec();
    return ms;
  }

  private DockerClient api;

  private DockerClient api() {
    if (api == null) {
      DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
      api = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
          .dockerHost(config.getDockerHost()).build());
    }
    return api;
  }

  /**
   * A python service sleeps, listens on 8080 and prints the wall-clock time right after {@code listen()}; the
   * difference to the moment Berth hands the ready service to the caller is how late Berth noticed. Container and
   * JVM read the same kernel clock. Each round measures a plain TCP port and an HTTP port (one exchange more), in
   * alternating order, so the pairs meet the same load.
   */
  private String notice(int rounds) throws Exception {
    var late = new EnumMap<Protocol, List<Long>>(Protocol.class);
    var extra = new ArrayList<Long>();
    String session = runId + "-notice";
    try (var runtime = ServiceRuntime.start(config(session))) {
      for (int round = -1; round < rounds; round++) {
        var order = round % 2 == 0 ? List.of(Protocol.TCP, Protocol.HTTP) : List.of(Protocol.HTTP, Protocol.TCP);
        var pair = new EnumMap<Protocol, Long>(Protocol.class);
        for (Protocol protocol : order) {
          long micros = noticeOnce(runtime, session, protocol, round);
          pair.put(protocol, micros);
          System.out.printf("notice round %d (%s): Berth ready %.1f ms after the port opened%n", round + 1,
              protocol, micros / 1000.0);
        }
        if (round >= 0) {
          pair.forEach((protocol, micros) -> late.computeIfAbsent(protocol, p -> new ArrayList<>()).add(micros));
          extra.add(pair.get(Protocol.HTTP) - pair.get(Protocol.TCP));
        }
      }
    }
    leakCheck(session);
    var sb = new StringBuilder();
    late.forEach((protocol, micros) -> sb.append(String.format("%nReadiness (%s) noticed after the port opened,"
        + " median of %d (ms): %.1f  (min %.1f, max %.1f)", protocol, rounds, Stats.median(micros) / 1000.0,
        Stats.min(micros) / 1000.0, Stats.max(micros) / 1000.0)));
    sb.append(String.format("%nHTTP's exchange over TCP's connection, median of %d pairs (ms): %.1f%n", rounds,
        Stats.median(extra) / 1000.0));
    sb.append(Bench.target("readiness noticed after port open (ms)", Stats.median(late.get(Protocol.TCP)) / 1000.0,
        10));
    return sb.toString();
  }

  /** One service whose port speaks {@code protocol}: how late, in microseconds, Berth called it ready. */
  private long noticeOnce(ServiceRuntime runtime, String session, Protocol protocol, int round) throws Exception {
    ServiceSpec spec = ServiceSpec.from("python:3.11-slim").withExposedPort(8080, protocol)
        .withEnv("ANSWER", protocol == Protocol.HTTP ? "HTTP/1.0 204 No Content\r\n\r\n" : "")
        .withCommand("python", "-u", "-c", LISTENER).withInstanceId("notice" + round);
    var scope = runtime.newScope();
    Service service = scope.service("notice", spec);
    service.hostAddress(8080);
    long readyMicros = Suite.nowMicros();
    List<String> ids = Bench.docker("ps", "-q", "--filter", "label=dev.berth.session=" + session,
        "--filter", "label=dev.berth.digest=" + spec.digest());
    long listenMicros = Bench.docker("logs", ids.get(0)).stream().filter(l -> l.startsWith("listening "))
        .map(l -> Long.parseLong(l.substring(10).strip()) / 1000).findFirst().orElseThrow();
    service.stop();
    scope.close();
    return readyMicros - listenMicros;
  }

  private void leakCheck(String session) {
    List<String> left = Bench.docker("ps", "-aq", "--filter", "label=dev.berth.session=" + session);
    left = new ArrayList<>(left);
    left.addAll(Bench.docker("ps", "-aq", "--filter", "label=dev.berth.bench=" + runId + "-overhead"));
    if (!left.isEmpty()) {
      System.out.println("leftover containers of " + session + ": " + left + " (removed)");
      Bench.removeAll(left);
    }
  }
}
