package dev.berth.internal.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.internal.engine.EngineTcpRelay;
import dev.berth.internal.engine.TestDocker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A JVM that is not on the engine's machine: one in a container, as CI jobs and dev containers run builds, reaching
 * the engine through its host's socket mounted into the container, or over TCP (as a {@code docker:dind} service is
 * reached). Each case runs {@link JvmInContainerProbe} in a {@code debian:bookworm-slim} container of the default
 * bridge network, with this JVM's JDK and classpath mounted read-only: it cannot reach the host's 127.0.0.1, nor the
 * addresses of the run's containers.
 */
@Tag("slow") // JVMs in containers
class JvmInContainerTest {

  private static final String SOCKET = "/var/run/docker.sock";
  private static String gateway;
  private final String session = "jvm-in-container-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void bridgeGateway() throws Exception {
    gateway = TestDocker.bridgeGateway();
  }

  @AfterEach
  void nothingOfTheProbesRunIsLeft() throws Exception {
    String containers = docker("ps", "-aq", "--filter", "label=dev.berth.session=" + session).strip();
    String networks = docker("network", "ls", "-q", "--filter", "label=dev.berth.session=" + session).strip();
    if (!containers.isEmpty()) {
      docker(List.of("rm", "-f", "-v"), containers.lines().toList());
    }
    if (!networks.isEmpty()) {
      docker(List.of("network", "rm"), networks.lines().toList());
    }
    assertThat(containers).as("containers of the probe's session").isEmpty();
    assertThat(networks).as("networks of the probe's session").isEmpty();
  }

  @Test
  void throughTheMountedSocketPortsPublishedOnTheHostsAddressOnItsNetworkAreReachedThere() throws Exception {
    Instant since = Instant.now();

    String result = probe(Map.of("BERTH_PUBLISH_ADDRESS", gateway), List.of("-v", SOCKET + ":" + SOCKET));

    assertThat(result).matches("reply \\+PONG from " + Pattern.quote(gateway) + ":\\d+");
    // Readiness cannot connect from there to the service's own address: a probe container on the network does.
    assertThat(createdRoles(since)).contains("service", "probe");
  }

  @Test
  void throughTheMountedSocketTheHostsLoopbackIsOutOfReachAndTheFailureSaysWhatToSet() throws Exception {
    String result = probe(Map.of(), List.of("-v", SOCKET + ":" + SOCKET));

    assertThat(result).startsWith("failed: Port 6379 of service 'redis' (redis:7.0, ")
        .contains("is published on 127.0.0.1 of the engine's machine, which this JVM cannot reach: this JVM runs in"
            + " a container (/.dockerenv exists) and reaches the engine of its host through unix://" + SOCKET
            + ", so it reaches the engine's machine through its default gateway, " + gateway + ".")
        .contains("berth.publishAddress=0.0.0.0 (every interface of the engine's machine; Berth then connects to "
            + gateway + "), or berth.publishAddress=" + gateway + " (the host's address on this container's"
            + " network: only containers of that network reach it)");
  }

  /** Host services and replicas need this JVM on the engine's network: they are refused, saying why. */
  @Test
  void whatTheJvmServesOnTheRunsNetworkIsRefusedSayingWhy() throws Exception {
    List<String> socket = List.of("-v", SOCKET + ":" + SOCKET);
    String why = ", and this JVM runs in a container (/.dockerenv exists)";

    assertThat(probe(Map.of(), socket, "host-service")).startsWith("failed: Host service 'db' (tcp://localhost:")
        .contains("cannot be relayed to the run's containers: Berth relays it from the engine machine's address on"
            + " the run's network" + why)
        .endsWith("Run the service in a container (@ServiceContainer), or the tests on the machine of an engine whose"
            + " containers share its network (a rootful Docker Engine or Podman on Linux)");
    assertThat(probe(Map.of(), socket, "replicas")).startsWith("failed: The 2 replicas of service 'pool' (redis:7.0, ")
        .contains("cannot run here: Berth checks their health and serves their VIP from the engine machine's address"
            + " on the run's network" + why)
        .endsWith("Run one instance (no withReplicas), or the tests on the machine of an engine whose"
            + " containers share its network (a rootful Docker Engine or Podman on Linux)");
  }

  @Test
  void overTcpPortsPublishedOnAllInterfacesAreReachedAtTheEnginesHost() throws Exception {
    try (var relay = new EngineTcpRelay(gateway)) {
      String result = probe(Map.of("DOCKER_HOST", "tcp://" + gateway + ":" + relay.port(),
          "BERTH_PUBLISH_ADDRESS", "0.0.0.0"), List.of());

      assertThat(result).matches("reply \\+PONG from " + Pattern.quote(gateway) + ":\\d+");
    }
  }

  /**
   * Runs the probe in a container and returns its result line. The container carries the probe's session label, so
   * that it counts as a leak too, and is removed when it ends.
   */
  private String probe(Map<String, String> env, List<String> mounts, String... args) throws Exception {
    String javaHome = System.getProperty("java.home");
    var command = new ArrayList<>(List.of("run", "--rm", "--label", "dev.berth.session=" + session,
        "-e", "BERTH_SESSION=" + session, "-e", "BERTH_STARTUP_TIMEOUT=20s"));
    env.forEach((k, v) -> command.addAll(List.of("-e", k + "=" + v)));
    command.addAll(mounts);
    for (String path : readOnlyMounts(javaHome)) {
      command.addAll(List.of("-v", path + ":" + path + ":ro"));
    }
    command.addAll(List.of("debian:bookworm-slim", javaHome + "/bin/java", "-cp",
        System.getProperty("java.class.path"), JvmInContainerProbe.class.getName()));
    command.addAll(List.of(args));
    String output = docker(command, List.of());
    return output.lines().filter(l -> l.startsWith("reply ") || l.startsWith("failed: ")).findFirst()
        .orElse(output);
  }

  /** The JDK (with what its links point to outside it, as Debian's packages link configuration in /etc), and the
   * classpath. */
  private static Set<String> readOnlyMounts(String javaHome) throws IOException {
    var paths = new LinkedHashSet<String>();
    paths.add(javaHome);
    Path home = Path.of(javaHome).toRealPath();
    try (var files = Files.walk(home)) {
      // Dangling links (src.zip of a JDK without its sources) are left out.
      for (Path link : files.filter(Files::isSymbolicLink).filter(Files::exists).toList()) {
        Path target = link.toRealPath();
        if (!target.startsWith(home)) {
          paths.add(target.toString());
        }
      }
    }
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (!entry.isEmpty() && Files.exists(Path.of(entry))) {
        paths.add(entry);
      }
    }
    return paths;
  }

  /** The roles of the containers the probe's session created since {@code since}, as the engine's events say. */
  private List<String> createdRoles(Instant since) throws Exception {
    return docker("events", "--since", String.valueOf(since.getEpochSecond()), "--until",
        String.valueOf(Instant.now().getEpochSecond() + 1), "--filter", "type=container", "--filter", "event=create",
        "--filter", "label=dev.berth.session=" + session, "--format", "{{index .Actor.Attributes \"dev.berth.role\"}}")
        .lines().toList();
  }

  private static String docker(String... args) throws Exception {
    return docker(List.of(args), List.of());
  }

  private static String docker(List<String> args, List<String> more) throws Exception {
    var command = new ArrayList<String>();
    command.add("docker");
    command.addAll(args);
    command.addAll(more);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("docker %s ends", args.get(0)).isTrue();
    return output;
  }
}
