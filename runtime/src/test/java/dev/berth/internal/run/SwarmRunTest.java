package dev.berth.internal.run;

import static dev.berth.internal.run.SwarmFixture.PYTHON;
import static dev.berth.internal.run.SwarmFixture.WEB;
import static dev.berth.internal.run.SwarmFixture.get;
import static dev.berth.internal.run.SwarmFixture.requests;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.EndpointResolutionMode;
import dev.berth.Container;
import dev.berth.Service;
import dev.berth.internal.engine.TestDocker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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


  private static final String VIP = "http://www:8080/";

  private String session;
  private ServiceRuntime runtime;
  private DockerClient docker;

  @BeforeEach
  void onASwarm() {
    Assumptions.assumeTrue("swarm".equalsIgnoreCase(System.getenv("BERTH_ENGINE")),
        "runs with BERTH_ENGINE=swarm (scripts/run-samples-on swarm)");
    session = "swarm-" + UUID.randomUUID().toString().substring(0, 8);
    runtime = SwarmFixture.runtime(session);
    docker = TestDocker.connect();
  }

  @AfterEach
  void noneOfItIsLeft() throws IOException {
    if (runtime == null) {
      return;
    }
    runtime.close();
    SwarmFixture.assertNothingLeft(docker, session);
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
   * the next 100 connections through the name, and 100 from this JVM, are all answered (the swarm starts a
   * replica's task again; Berth's side of the VIP leaves it out from its death on).
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
        // Swarm's DNS lists a service alias's tasks under tasks.<alias>, as it does a service's own name.
        for (String name : List.of("tasks.www", "tasks." + web.hostname())) {
          assertThat(addresses(client, name)).as(name).hasSize(3);
        }

        var task = docker.listContainersCmd().withLabelFilter(Map.of("dev.berth.session", session,
            "dev.berth.service", "web-1")).exec();
        assertThat(task).hasSize(1);
        docker.killContainerCmd(task.get(0).getId()).exec();

        // Swarm starts the replica again a second later (with the same hostname): two or three answer meanwhile.
        String after = requests(client, VIP, 100);
        assertThat(after.lines().filter(l -> !l.isBlank()).count()).as(after).isEqualTo(100);
        assertThat(after.lines().filter(l -> !l.isBlank()).collect(Collectors.toSet())).hasSizeBetween(2, 3);
      }
      InetSocketAddress fromJvm = web.hostAddress(8080);
      for (int i = 0; i < 100; i++) {
        assertThat(get(fromJvm)).as("request %d from this JVM", i).isNotBlank();
      }
    }
  }

  /** The distinct IPv4 addresses the client's resolver gives for the name. */
  private static Set<String> addresses(Container client, String name) {
    var result = client.exec("python3", "-c", "import socket\n"
        + "print(' '.join(sorted({a[4][0] for a in socket.getaddrinfo('" + name + "', 80, socket.AF_INET)})))");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return Set.of(result.stdout().strip().split(" "));
  }
}
