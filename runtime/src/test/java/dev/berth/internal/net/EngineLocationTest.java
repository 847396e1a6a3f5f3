package dev.berth.internal.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EngineLocationTest {

  private static final URI SOCKET = URI.create("unix:///var/run/docker.sock");
  private static final Optional<Path> IN_CONTAINER = Optional.of(Path.of("/.dockerenv"));

  @Test
  void aJvmWithTheNetworksGatewayAmongItsAddressesSharesTheEnginesNetwork() {
    // The loopback address stands for a gateway on one of this machine's interfaces.
    EngineLocation engine = EngineLocation.of(URI.create("tcp://docker:2375"), "127.0.0.1");

    assertThat(engine.sharesNetwork()).isTrue();
    assertThat(engine.publishesOnThisMachine()).isTrue();
  }

  /**
   * On a swarm node the gateway is the node's docker_gwbridge, an address of the JVM's: containers reach the JVM
   * there, but the JVM does not reach their overlay.
   */
  @Test
  void aJvmOnASwarmNodeIsReachedByContainersButDoesNotShareTheirNetwork() {
    EngineLocation engine = EngineLocation.of(SOCKET, "127.0.0.1", () -> false, true);

    assertThat(engine.kind()).isEqualTo(EngineLocation.Kind.SWARM_NODE);
    assertThat(engine.sharesNetwork()).as("the overlay is apart").isFalse();
    assertThat(engine.reachedFromContainers()).as("DNS, host services").isTrue();
    assertThat(engine.publishesOnThisMachine()).isTrue();
    assertThat(EngineLocation.of(SOCKET, "192.0.2.7", () -> false, true).reachedFromContainers())
        .as("a JVM on no node").isFalse();
  }

  @Test
  void aSocketOutsideContainersWithoutTheNetworkIsAnEngineInAVmOrNamespace() {
    EngineLocation engine = EngineLocation.apart(SOCKET, "172.18.0.1", Optional.empty(), Optional.empty());

    assertThat(engine.sharesNetwork()).as("no route to containers").isFalse();
    assertThat(engine.publishesOnThisMachine()).as("Docker Desktop forwards published ports").isTrue();
    assertThat(engine.how()).isEqualTo("the run's network (gateway 172.18.0.1) is not one of this JVM's: the"
        + " engine's containers run in a VM or namespace of their own (Docker Desktop, Colima, rootless Docker)");
  }

  /** This machine is a container (/.dockerenv), and its rootless Podman runs inside it, beside the JVM. */
  @Test
  void aRootlessEngineOnASocketRunsOnThisMachineEvenWhereThatIsAContainer() {
    // 192.0.2.7 (TEST-NET-1) is never one of this JVM's addresses.
    EngineLocation engine = EngineLocation.of(URI.create("unix:///run/user/1001/podman/podman.sock"), "192.0.2.7",
        () -> true);

    assertThat(engine.kind()).isEqualTo(EngineLocation.Kind.SAME_MACHINE);
    assertThat(engine.publishesOnThisMachine()).isTrue();
    assertThat(engine.how()).contains("is rootless", "forwarded to this machine's 127.0.0.1");
    assertThat(EngineLocation.of(URI.create("tcp://127.0.0.1:2375"), "192.0.2.7", () -> true).how())
        .as("only a socket says the engine is on this machine").doesNotContain("rootless");
  }

  @Test
  void inAContainerTheSocketIsTheHostsEngineReachedThroughTheDefaultGateway() {
    EngineLocation engine = EngineLocation.apart(SOCKET, "172.18.0.1", IN_CONTAINER, Optional.of("172.17.0.1"));

    assertThat(engine.kind()).isEqualTo(EngineLocation.Kind.CONTAINER_HOST);
    assertThat(engine.publishesOnThisMachine()).isFalse();
    assertThat(engine.machineAddress()).contains("172.17.0.1");
    assertThat(engine.how()).isEqualTo("this JVM runs in a container (/.dockerenv exists) and reaches the engine of"
        + " its host through unix:///var/run/docker.sock, so it reaches the engine's machine through its default"
        + " gateway, 172.17.0.1");
  }

  @Test
  void anEngineOverTcpIsAtItsHostUnlessThatIsLoopback() {
    EngineLocation dind = EngineLocation.apart(URI.create("tcp://docker:2375"), "172.18.0.1", IN_CONTAINER,
        Optional.of("10.0.0.1"));
    assertThat(dind.kind()).isEqualTo(EngineLocation.Kind.OTHER_MACHINE);
    assertThat(dind.machineAddress()).contains("docker");
    assertThat(dind.how()).isEqualTo("the engine is at tcp://docker:2375");

    for (String loopback : new String[] {"tcp://localhost:2375", "tcp://127.0.0.1:2375", "tcp://[::1]:2375"}) {
      assertThat(EngineLocation.apart(URI.create(loopback), "172.18.0.1", Optional.empty(), Optional.empty()).kind())
          .as(loopback).isEqualTo(EngineLocation.Kind.SAME_MACHINE);
    }
  }

  @Test
  void theDefaultGatewayIsReadFromTheKernelsRoutes() {
    String routes = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
        eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\t0\t0\t0
        """;

    assertThat(EngineLocation.defaultGateway(routes)).contains("172.17.0.1");
    assertThat(EngineLocation.defaultGateway(routes.lines().limit(2).reduce("", (a, b) -> a + b + "\n")))
        .as("no default route").isEmpty();
  }
}
