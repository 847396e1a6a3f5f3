package dev.berth.internal.run;

import static dev.berth.internal.run.SwarmFixture.PYTHON;
import static dev.berth.internal.run.SwarmFixture.WEB;
import static dev.berth.internal.run.SwarmFixture.get;
import static dev.berth.internal.run.SwarmFixture.requests;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Task;
import com.github.dockerjava.api.model.TaskState;
import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.engine.TestDocker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * A run's services on a swarm of three nodes, each a container of this machine's engine running an engine of its
 * own ({@code scripts/testenv/swarm-nodes}): run by {@code scripts/run-samples-on swarm-nodes}, which points
 * {@code DOCKER_HOST} at the manager and names the nodes' containers in {@code SWARM_NODES}; skipped elsewhere.
 */
class SwarmNodesTest {


  private String session;
  private ServiceRuntime runtime;
  private DockerClient manager;

  @BeforeEach
  void onThreeNodes() {
    Assumptions.assumeTrue(System.getenv("SWARM_NODES") != null,
        "runs on the nodes of scripts/testenv/swarm-nodes (scripts/run-samples-on swarm-nodes)");
    session = "nodes-" + UUID.randomUUID().toString().substring(0, 8);
    runtime = SwarmFixture.runtime(session);
    manager = TestDocker.connect();
  }

  @AfterEach
  void noneOfItIsLeft() throws IOException {
    if (runtime == null) {
      return;
    }
    runtime.close();
    SwarmFixture.assertNothingLeft(manager, session);
    manager.close();
  }

  /**
   * Three replicas behind a VIP and a redis spread over the nodes; a client on the manager's node reaches a replica
   * on another node by its hostname, and the JVM reaches tasks at their nodes' published ports. A worker node that
   * runs a replica is stopped: the VIP's name still answers every request, and the swarm runs the replica again on
   * a node that is up.
   */
  @Test
  void servicesSpreadOverNodesAnswerAcrossThemAndOutliveANode() throws Exception {
    try (var scope = runtime.newScope()) {
      Service web = scope.service("web", WEB.withReplicas(3).withVip("www", 8080));
      Service redis = scope.service("redis", ServiceSpec.from("redis:7.0").withExposedPort(6379));
      web.start();
      redis.start();

      List<Task> tasks = running();
      Set<String> nodes = tasks.stream().map(Task::getNodeId).collect(Collectors.toSet());
      System.out.println("tasks on " + nodes.size() + " nodes: " + tasks.stream().map(t -> t.getServiceId() + "@"
          + t.getNodeId()).toList());
      assertThat(nodes).as("the run's tasks are spread over the nodes").hasSizeGreaterThanOrEqualTo(2);
      String managerNode = manager.infoCmd().exec().getSwarm().getNodeID();
      Task replicaAway = tasks.stream().filter(t -> !t.getNodeId().equals(managerNode))
          .filter(t -> t.getSpec().getContainerSpec().getLabels().containsKey("dev.berth.group")).findFirst()
          .orElseThrow();
      String awayHost = replicaAway.getSpec().getContainerSpec().getHostname();

      assertThat(ping(redis.hostAddress(6379))).as("the JVM reaches redis on its node").isEqualTo("+PONG");
      for (int i = 0; i < 30; i++) {
        assertThat(get(web.hostAddress(8080))).as("request %d from the JVM through the VIP", i).isNotBlank();
      }
      try (Container client = runtime.newClient("client", PYTHON, scope)) {
        assertThat(requests(client, "http://" + awayHost + ":8080/", 1).strip())
            .as("a client on the manager's node reaches %s on another node by name", awayHost)
            .isEqualTo(awayHost);
        assertThat(distinct(requests(client, "http://www:8080/", 30))).as("every replica, through the VIP's name")
            .hasSize(3);

        String node = manager.listSwarmNodesCmd().exec().stream().filter(n -> n.getId().equals(replicaAway.getNodeId()))
            .findFirst().orElseThrow().getDescription().getHostname();
        System.out.println("stopping node " + node + ", which runs " + replicaAway.getServiceId());
        stopNode(node);

        String during = requests(client, "http://www:8080/", 30);
        assertThat(during.lines().filter(l -> !l.isBlank()).count()).as(during).isEqualTo(30);
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!rescheduled(replicaAway.getServiceId(), replicaAway.getNodeId())) {
          assertThat(System.nanoTime()).as("the replica runs again on a node that is up").isLessThan(deadline);
          Thread.sleep(1000);
        }
        assertThat(distinct(requests(client, "http://www:8080/", 30))).as("three replicas again").hasSize(3);
      }
    }
  }

  /**
   * Services whose tasks run on the workers take commands and files as on one engine: through their nodes' engines
   * ({@code berth.swarm.nodeEngine}), for a ready command, {@code exec} and {@code readFile} alike. Four services on
   * three nodes: Swarm spreads them, so at least one runs on a worker.
   */
  @Test
  void servicesOnOtherNodesTakeCommandsAndFiles() {
    Assumptions.assumeTrue(System.getenv("BERTH_SWARM_NODE_ENGINE") != null,
        "needs the nodes' engines (scripts/test-swarm-nodes sets BERTH_SWARM_NODE_ENGINE)");
    try (var scope = runtime.newScope()) {
      List<Service> services = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Service service = scope.service("box" + i, ServiceSpec.from("busybox:1.35").withEnv("BOX", "box" + i)
            .withCommand("sleep", "3600").withReadyCommand("test", "-d", "/tmp"));
        service.start();
        services.add(service);
      }
      String managerNode = manager.infoCmd().exec().getSwarm().getNodeID();
      long onWorkers = running().stream().filter(t -> !t.getNodeId().equals(managerNode)).count();
      assertThat(onWorkers).as("tasks on the workers").isGreaterThanOrEqualTo(1);

      for (int i = 0; i < services.size(); i++) {
        Service service = services.get(i);
        var written = service.exec("sh", "-c", "echo written-by-$BOX > /tmp/note && cat /tmp/note");
        assertThat(written.exitCode()).as(written.stderr()).isZero();
        assertThat(written.stdout().strip()).as("run in box%d's own container", i).isEqualTo("written-by-box" + i);
        assertThat(service.readFile("/tmp/note")).as("read from box%d's container", i)
            .isEqualTo("written-by-box" + i + "\n");
      }
    }
  }

  /** The running tasks of the session's services. */
  private List<Task> running() {
    var services = manager.listServicesCmd().withLabelFilter(Map.of("dev.berth.session", session)).exec().stream()
        .map(s -> s.getId()).toList();
    return manager.listTasksCmd().withServiceFilter(services.toArray(String[]::new)).exec().stream()
        .filter(t -> t.getStatus().getState() == TaskState.RUNNING).toList();
  }

  private boolean rescheduled(String serviceId, String goneNode) {
    return manager.listTasksCmd().withServiceFilter(serviceId).exec().stream()
        .anyMatch(t -> t.getStatus().getState() == TaskState.RUNNING && !t.getNodeId().equals(goneNode));
  }

  /** Stops a node's container on this machine's own engine (not the swarm's manager that DOCKER_HOST names). */
  private static void stopNode(String node) throws Exception {
    var stop = new ProcessBuilder("docker", "stop", "-t", "0", node).redirectErrorStream(true);
    stop.environment().put("DOCKER_HOST", "unix:///var/run/docker.sock");
    Process process = stop.start();
    String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(said).isZero();
  }

  private static Set<String> distinct(String lines) {
    return lines.lines().filter(l -> !l.isBlank()).collect(Collectors.toSet());
  }

  private static String ping(InetSocketAddress address) throws IOException {
    try (var socket = new Socket()) {
      socket.connect(address, 2000);
      socket.setSoTimeout(2000);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] answer = new byte[7];
      int read = socket.getInputStream().read(answer);
      return new String(answer, 0, Math.max(read, 0), StandardCharsets.US_ASCII).strip();
    }
  }
}
