package dev.berth.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.EndpointResolutionMode;
import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.TestDocker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Services on Docker Swarm ({@code berth.engine=swarm}), seen through the engine: run by
 * {@code scripts/run-samples-on swarm}, which makes the engine a swarm manager and sets {@code BERTH_ENGINE=swarm};
 * skipped elsewhere.
 */
class SwarmRunTest {

  private static final ServiceSpec WEB = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
      .withCommand("sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www");

  /** A client with an HTTP client and a resolver of its own (this machine's busybox stand-in cannot look up names). */
  private static final ServiceSpec PYTHON = ServiceSpec.from("python:3.11-slim").withCommand("sleep", "3600");
  private static final String VIP = "http://www:8080/";

  private String session;
  private ServiceRuntime runtime;
  private DockerClient docker;

  @BeforeEach
  void onASwarm() {
    Assumptions.assumeTrue("swarm".equalsIgnoreCase(System.getenv("BERTH_ENGINE")),
        "runs with BERTH_ENGINE=swarm (scripts/run-samples-on swarm)");
    session = "swarm-" + UUID.randomUUID().toString().substring(0, 8);
    runtime = ServiceRuntime.start(BerthConfig.from(key -> switch (key) {
      case "berth.session" -> Optional.of(session);
      case "berth.gracePeriod", "berth.stopTimeout" -> Optional.of("0");
      case "berth.engine" -> Optional.of("swarm");
      default -> Optional.empty();
    }));
    docker = TestDocker.connect();
  }

  @AfterEach
  void noneOfItIsLeft() throws IOException {
    if (runtime == null) {
      return;
    }
    runtime.close();
    assertThat(docker.listServicesCmd().withLabelFilter(Map.of("dev.berth.session", session)).exec()).isEmpty();
    assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("dev.berth.session", session))
        .exec()).isEmpty();
    assertThat(docker.listNetworksCmd().withFilter("label", List.of("dev.berth.session=" + session)).exec())
        .isEmpty();
    docker.close();
  }

  /** A service is a swarm service of one task on the session's overlay, reached by name and at its published port. */
  @Test
  void aServiceIsASwarmServiceOnTheSessionsOverlay() throws Exception {
    try (var scope = runtime.newScope()) {
      Service web = scope.service("web", WEB);
      web.start();

      var services = docker.listServicesCmd().withLabelFilter(Map.of("dev.berth.session", session)).exec();
      assertThat(services).singleElement().satisfies(s -> {
        assertThat(s.getSpec().getLabels()).containsEntry("dev.berth.service", "web");
        assertThat(s.getSpec().getEndpointSpec().getMode()).isEqualTo(EndpointResolutionMode.DNSRR);
      });
      var network = docker.listNetworksCmd().withFilter("label", List.of("dev.berth.session=" + session)).exec();
      assertThat(network).singleElement().satisfies(n -> {
        assertThat(n.getDriver()).isEqualTo("overlay");
        assertThat(n.isAttachable()).isTrue();
      });
      assertThat(get(web.hostAddress(8080))).isEqualTo(web.hostname());
      try (Container client = runtime.newClient("client", PYTHON, scope)) {
        assertThat(requests(client, "http://" + web.hostname() + ":8080/", 1).strip()).isEqualTo(web.hostname());
      }
    }
  }

  /**
   * Three replicas behind a VIP: its name, which Swarm's DNS answers, reaches all three; once a task is killed,
   * the next 100 connections through the name, and 100 from this JVM, are all answered.
   */
  @Test
  void replicasBehindAVipAnswerByNameAndOutliveAKilledTask() throws Exception {
    try (var scope = runtime.newScope()) {
      Service web = scope.service("web", WEB.withReplicas(3).withVip("www", 8080));
      web.start();
      try (Container client = runtime.newClient("client", PYTHON, scope)) {
        Set<String> answered = Arrays.stream(requests(client, VIP, 30).split("\n")).filter(l -> !l.isBlank())
            .collect(Collectors.toSet());
        assertThat(answered).as("every replica answers through the name").hasSize(3);

        var task = docker.listContainersCmd().withLabelFilter(Map.of("dev.berth.session", session,
            "dev.berth.service", "web-1")).exec();
        assertThat(task).hasSize(1);
        docker.killContainerCmd(task.get(0).getId()).exec();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (addresses(client, "www") > 2) {
          assertThat(System.nanoTime()).as("the killed task leaves the name").isLessThan(deadline);
          Thread.sleep(100);
        }

        String after = requests(client, VIP, 100);
        assertThat(after.lines().filter(l -> !l.isBlank()).count()).as(after).isEqualTo(100);
        assertThat(after.lines().filter(l -> !l.isBlank()).collect(Collectors.toSet())).hasSize(2);
      }
      InetSocketAddress fromJvm = web.hostAddress(8080);
      for (int i = 0; i < 100; i++) {
        assertThat(get(fromJvm)).as("request %d from this JVM", i).isNotBlank();
      }
    }
  }

  /** {@code count} requests to {@code url}, one connection each, from the client: their answers, a line each. */
  private static String requests(Container client, String url, int count) {
    ExecResult result = client.exec("python3", "-c", "import urllib.request\n"
        + "for i in range(" + count + "):\n"
        + "  try: print(urllib.request.urlopen('" + url + "', timeout=2).read().decode().strip())\n"
        + "  except Exception as e: print('')\n");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result.stdout();
  }

  /** How many addresses the client's resolver gives for {@code name}. */
  private static int addresses(Container client, String name) {
    ExecResult result = client.exec("python3", "-c", "import socket\n"
        + "print(len({a[4][0] for a in socket.getaddrinfo('" + name + "', 8080, type=socket.SOCK_STREAM)}))");
    return Integer.parseInt(result.stdout().strip());
  }

  private static String get(InetSocketAddress address) throws IOException {
    try (var socket = new Socket()) {
      socket.connect(address, 2000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET / HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return response.substring(response.indexOf("\r\n\r\n") + 4).strip();
    }
  }
}
