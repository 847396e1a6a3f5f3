package dev.berth.internal.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.Protocol;
import dev.berth.ServiceSpec;
import dev.berth.ServiceStartException;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.SpecAccess;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protocol-aware readiness against servers that say they are starting for their first two seconds and then serve (a
 * fixture that answers as each protocol's real servers do in both phases): a service is handed over only once it
 * serves, and the test's own exchange, made at once, meets a server that serves.
 */
class ProtocolReadinessTest {

  private static final int PORT = 7000;
  private static ServiceRuntime runtime;
  /** Checks ports from a probe container on the run's network, as with a remote engine. */
  private static ServiceRuntime probing;

  @BeforeAll
  static void start() {
    runtime = ServiceRuntime.start(BerthConfig.defaults());
    probing = ServiceRuntime.start(BerthConfig.from(key -> key.equals("berth.readiness")
        ? Optional.of("exec") : Optional.empty()));
    // The probe container starts with the run's first service: let that be over before a server's starting phase.
    try (var scope = probing.newScope()) {
      scope.acquire("warm", def(ServiceSpec.from("busybox:1.35").withCommand("httpd", "-f", "-p", "8080")
          .withExposedPort(8080)));
    }
  }

  @AfterAll
  static void close() {
    runtime.close();
    probing.close();
  }

  static ServiceSpec startingServer(Protocol protocol, double startingSeconds) {
    return ServiceSpec.from("python:3.11-slim")
        .withClasspathResource("/starting-server.py", "readiness/starting-server.py")
        .withCommand("python3", "-u", "/starting-server.py", protocol.lowerCaseName(), String.valueOf(PORT),
            String.valueOf(startingSeconds))
        .withExposedPort(PORT, protocol);
  }

  /** What one protocol's server met: the test's own first exchange after the hand-over, and the server's log. */
  private record Met(Handshake.Verdict first, List<String> log) {
  }

  /** Every protocol at once, each handed over and asked at once on a thread of its own. */
  @ParameterizedTest(name = "checked {0}")
  @ValueSource(strings = {"direct", "exec"})
  void aServerThatSaysItIsStartingIsNotHandedOver(String probe) throws Exception {
    List<Protocol> protocols = List.of(Protocol.POSTGRES, Protocol.MYSQL, Protocol.REDIS, Protocol.HTTP,
        Protocol.AMQP, Protocol.SMTP);
    ExecutorService threads = Executors.newFixedThreadPool(protocols.size());
    try (var scope = (probe.equals("exec") ? probing : runtime).newScope()) {
      var met = new LinkedHashMap<Protocol, Future<Met>>();
      for (Protocol protocol : protocols) {
        met.put(protocol, threads.submit(() -> {
          // An instance per probe: the other run of the session would share its containers, already serving.
          RunningService service = scope.acquire(protocol.lowerCaseName(),
              def(startingServer(protocol, 4.0).withInstanceId(probe)));
          Handshake.Verdict first = exchange(protocol, service.hostAddress(PORT));
          return new Met(first, service.logs().lastLines(false));
        }));
      }
      for (var each : met.entrySet()) {
        Met result = each.getValue().get();
        assertThat(result.first().ready()).as("%s: the test's own first exchange: %s", each.getKey(),
            result.first().said()).isTrue();
        assertThat(result.log()).as("%s: readiness met the starting phase", each.getKey())
            .contains("answered starting");
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** A server that never serves fails the start, saying what it last answered and how to declare plain TCP. */
  @Test
  void aServerThatNeverServesFailsSayingWhatItAnswered() {
    try (var scope = runtime.newScope()) {
      // 6 s, not less: on rootful Podman a python container has taken 2 s before its port first accepted.
      ServiceSpec never = startingServer(Protocol.REDIS, 3600).withStartupTimeout(Duration.ofSeconds(6));

      assertThatThrownBy(() -> scope.acquire("never", def(never)))
          .isInstanceOf(ServiceStartException.class)
          .hasMessageContaining("port 7000 did not answer as a REDIS server within the spec's withStartupTimeout"
              + " (6000 ms); it last said: -LOADING Redis is loading the dataset in memory")
          .hasMessageContaining("withExposedPort(7000, Protocol.TCP)");
    }
  }

  /** A port declared plain TCP is ready once it accepts a connection, whatever it would answer. */
  @Test
  void aPortDeclaredTcpIsReadyOnceItAccepts() {
    try (var scope = runtime.newScope()) {
      ServiceSpec plain = startingServer(Protocol.REDIS, 3600).withExposedPort(PORT, Protocol.TCP);

      RunningService service = scope.acquire("plain", def(plain));

      assertThat(exchange(Protocol.REDIS, service.hostAddress(PORT)).said()).startsWith("-LOADING");
    }
  }

  /** The test's own client: the protocol's first exchange from the JVM, judged as readiness judges it. */
  private static Handshake.Verdict exchange(Protocol protocol, InetSocketAddress address) {
    Handshake.Verdict verdict = PortProbe.direct().exchange(address.getHostString(), address.getPort(),
        Handshake.of(protocol, Map.of()));
    assertThat(verdict).as("%s accepts a connection at %s", protocol, address).isNotNull();
    return verdict;
  }

  /** What Berth's internals read of a spec. */
  private static Definition def(ServiceSpec spec) {
    return SpecAccess.definition(spec);
  }
}
