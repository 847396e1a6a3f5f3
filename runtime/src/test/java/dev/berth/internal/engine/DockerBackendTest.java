package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.BerthException;
import dev.berth.ExecResult;
import dev.berth.ServiceSpec;
import dev.berth.internal.spec.ImageReference;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The engine backend's own behaviour, beside what the engine tests of the runtime and extension show. Needs the
 * engine.
 */
class DockerBackendTest {

  /**
   * The create request sent ahead of the first start, to learn what a create needs, reaches the engine and is
   * refused there, leaving nothing behind.
   */
  @Test
  void theRehearsedCreateIsRefusedAndLeavesNothing() {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      assertThat(backend.rehearseCreate()).as("refused by the engine: no such image").isTrue();

      assertThat(backend.findContainer("berth-rehearsal", "rehearsal", List.of(new ContainerRequest.ContainerPort(1, false, null)))).isEmpty();
    }
  }

  /** The default bridge's gateway is the one its containers route through, whatever its IPAM configuration shows. */
  @Test
  void theBridgesGatewayIsTheOneItsContainersRouteThrough() throws Exception {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      assertThat(backend.gateway("bridge")).isEqualTo(TestDocker.bridgeGateway());
    }
  }

  /**
   * An engine's ping says whether it is Podman, so a run needs no {@code /version} for it; one whose ping names
   * neither is asked. On the engine the tests run against (Docker, or Podman in CI's Podman stages), the ping's answer
   * is the one {@code /version} gives.
   */
  @Test
  void aPingSaysWhetherTheEngineIsPodman() {
    assertThat(DockerBackend.podmanByPing(ping(Map.of("Server", List.of("Docker/20.10.24+dfsg1 (linux)"))))).isFalse();
    assertThat(DockerBackend.podmanByPing(ping(Map.of("Server", List.of("Libpod/4.3.1 (linux)")))))
        .isTrue();
    assertThat(DockerBackend.podmanByPing(ping(Map.of("libpod-api-version", List.of("4.3.1"))))).isTrue();
    assertThat(DockerBackend.podmanByPing(ping(Map.of("Server", List.of("nginx"))))).as("unknown: asked").isNull();
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      var components = backend.docker.versionCmd().exec().getComponents();
      boolean versionSaysPodman = components != null && components.stream()
          .anyMatch(c -> c.getName() != null && c.getName().startsWith("Podman"));
      assertThat(backend.podman()).as("as /version says").isEqualTo(versionSaysPodman);
    }
  }

  private static EngineAnswer ping(Map<String, List<String>> headers) {
    return new EngineAnswer(200, headers, "OK");
  }

  /**
   * Containers are listed by all of the labels asked for, stopped ones too, each with its labels: what a run's end
   * sweeps and the warm services' listing read.
   */
  @Test
  void containersAreListedByAllTheirLabels() {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      String mark = "listed-" + ProcessHandle.current().pid();
      String both = backend.docker.createContainerCmd("busybox:1.35").withCmd("true")
          .withLabels(Map.of("dev.berth.test", mark, "dev.berth.test.kind", "both")).exec().getId();
      String one = backend.docker.createContainerCmd("busybox:1.35").withCmd("true")
          .withLabels(Map.of("dev.berth.test", mark)).exec().getId();
      try {
        var listed = backend.containersOf(Map.of("dev.berth.test", mark, "dev.berth.test.kind", "both"));
        assertThat(listed).extracting(Engine.Listed::id).containsExactly(both);
        assertThat(listed.get(0).labels()).containsEntry("dev.berth.test.kind", "both");
        assertThat(backend.containersLabelled(Map.of("dev.berth.test", mark))).containsExactlyInAnyOrder(both, one);
      } finally {
        backend.remove(both);
        backend.remove(one);
      }
    }
  }

  /**
   * An exec gives the command's stdout and stderr apart and its exit code; one the container cannot run is refused
   * as a mistake, one that runs too long is given up on, and one in a container that is gone says so.
   */
  @Test
  void anExecGivesItsOutputAndExitCodeOrSaysWhyNot() {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      String id = backend.docker.createContainerCmd("busybox:1.35").withCmd("sleep", "60")
          .withLabels(Map.of("dev.berth.test", "exec-" + ProcessHandle.current().pid())).exec().getId();
      try {
        backend.docker.startContainerCmd(id).exec();
        Duration limit = Duration.ofSeconds(20);
        // Larger than one frame, on both streams.
        var result = backend.exec(id, List.of("sh", "-c", "seq 1 20000; echo oops >&2; exit 3"), "/tmp", limit,
            "berth.execTimeout", "the test's container");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout().lines()).hasSize(20000).startsWith("1").endsWith("20000");
        assertThat(result.stderr()).isEqualTo("oops\n");
        assertThat(backend.exec(id, List.of("pwd"), "/tmp", limit, "berth.execTimeout", "it").stdout())
            .isEqualTo("/tmp\n");

        assertThatThrownBy(() -> backend.exec(id, List.of("no-such-command"), null, limit, "berth.execTimeout",
            "the test's container")).isInstanceOf(Engine.CommandCannotRun.class)
            .hasMessageContaining("no-such-command");
        long began = System.nanoTime();
        assertThatThrownBy(() -> backend.exec(id, List.of("sleep", "30"), null, Duration.ofMillis(300),
            "berth.execTimeout", "the test's container")).isInstanceOf(Engine.ExecTimedOut.class)
            .hasMessageContaining("ran past berth.execTimeout (300 ms)");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
      } finally {
        backend.remove(id);
      }
      assertThatThrownBy(() -> backend.exec(id, List.of("true"), null, Duration.ofSeconds(5), "berth.execTimeout",
          "the removed container")).isInstanceOf(BerthException.class)
          .hasMessageContaining("Cannot exec [true] in the removed container")
          .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("no such container"));
    }
  }

  /** The engine's multiplexed output: frames of stdout and stderr, each an 8-byte header and its bytes. */
  @Test
  void framesAreSplitIntoStdoutAndStderr() throws Exception {
    var stream = new java.io.ByteArrayOutputStream();
    stream.write(frame(1, "out "));
    stream.write(frame(2, "err"));
    stream.write(frame(1, ""));
    stream.write(frame(1, "more"));
    var stdout = new java.io.ByteArrayOutputStream();
    var stderr = new java.io.ByteArrayOutputStream();

    EngineExec.demultiplex(new java.io.ByteArrayInputStream(stream.toByteArray()), stdout, stderr);

    assertThat(stdout.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("out more");
    assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("err");
  }

  /** A command the runtime cannot start is told from one that ran and failed, as Docker and Podman word it. */
  @Test
  void aCommandTheRuntimeCannotStartIsToldFromOneThatFailed() {
    assertThat(EngineExec.whyCannotRun(new ExecResult(126, "", "OCI runtime exec failed: exec failed: unable to start"
        + " container process: exec: \"no-such-command\": executable file not found in $PATH: unknown\n")))
        .contains("exec: \"no-such-command\": executable file not found in $PATH: unknown");
    assertThat(EngineExec.whyCannotRun(new ExecResult(127, "", "Error: runc: exec failed: unable to start container"
        + " process: exec: \"no-such-command\": executable file not found in $PATH: OCI runtime attempted to invoke"
        + " a command that was not found\nError: read unixpacket: connection reset by peer\n")))
        .contains("exec: \"no-such-command\": executable file not found in $PATH: OCI runtime attempted to invoke a"
            + " command that was not found");
    assertThat(EngineExec.whyCannotRun(new ExecResult(127, "", "sh: no-such-command: not found\n"))).isEmpty();
    assertThat(EngineExec.whyCannotRun(new ExecResult(1, "OCI runtime exec failed", ""))).isEmpty();
  }

  private static byte[] frame(int stream, String text) {
    byte[] payload = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return java.nio.ByteBuffer.allocate(8 + payload.length).put((byte) stream).put(new byte[3]).putInt(payload.length)
        .put(payload).array();
  }

  /** A session's network is found by its name, as the runs after the session's first find it. */
  @Test
  void aNetworkIsCreatedOnceAndFoundByItsName() {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      String name = "berth-test-net-" + ProcessHandle.current().pid();
      String id = backend.createNetwork(name, Map.of("dev.berth.test", "network"), true);
      try {
        assertThat(backend.createNetwork(name, Map.of("dev.berth.test", "network"), true)).isEqualTo(id);
        assertThat(backend.gateway(name)).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
      } finally {
        backend.removeNetwork(id);
      }
    }
  }

  /** Where the IPAM configuration shows only the subnet, the engine's address management gave the bridge its first. */
  @Test
  void theFirstAddressOfASubnetIsTheOneAfterItsBase() {
    assertThat(DockerBackend.firstAddress("172.17.0.0/16")).contains("172.17.0.1");
    assertThat(DockerBackend.firstAddress("192.168.128.0/20")).contains("192.168.128.1");
    assertThat(DockerBackend.firstAddress("10.1.2.200/24")).contains("10.1.2.1");
    assertThat(DockerBackend.firstAddress("fd00::/64")).isEmpty();
    assertThat(DockerBackend.firstAddress(null)).isEmpty();
  }

  /** With the run's DNS, a container's names are also its names in the zone, which the engine then answers itself. */
  @Test
  void aContainersNamesOnTheNetworkIncludeTheirFormsInTheZone() {
    var request = new ContainerRequest("berth-x", "busybox:1.35", "berth-0123", List.of("www", "www"), List.of(),
        Map.of(), null, null, null, null, null, Map.of(), Map.of(), null,
        Map.of(), Map.of());

    assertThat(DockerBackend.networkAliases(request, new Engine.DnsSettings("192.168.0.1", "s-1.berth.local")))
        .containsExactly("berth-0123", "www", "berth-0123.s-1.berth.local", "www.s-1.berth.local");
    assertThat(DockerBackend.networkAliases(request, null)).as("without DNS").containsExactly("berth-0123", "www");
  }

  /**
   * Podman answers a taken name 500 where Docker answers 409; its wording is what tells it from other failures, a
   * taken host port among them.
   */
  @Test
  void podmansAnswerToATakenNameIsKnownByItsWording() {
    String podman = "container create: creating container storage: the container name \"berth-s-1\" is already in"
        + " use by bb671bf2503a. You have to remove that container to be able to reuse that name: that name is"
        + " already in use";
    assertThat(DockerBackend.namesTaken(podman, "berth-s-1")).isTrue();
    assertThat(DockerBackend.namesTaken(podman, "berth-s-2")).as("another name").isFalse();
    assertThat(DockerBackend.namesTaken("Status 500: {\"cause\":\"that name is already in use\",\"message\":\""
        + podman.replace("\"", "\\\"") + "\",\"response\":500}", "berth-s-1")).as("as docker-java words it").isTrue();
    assertThat(DockerBackend.namesTaken("cannot listen on the TCP port: listen tcp4 :6379: bind: address already in"
        + " use", "berth-s-1")).isFalse();
    assertThat(DockerBackend.namesTaken(null, "berth-s-1")).isFalse();
  }

  /**
   * A network another run's containers are still leaving is removed once they are gone, on either engine: each
   * words the refusal its own way (Swarm: while a removed service goes; Podman answered the second of two forks ending at once so, and the network stayed).
   */
  @Test
  void aNetworkStillInUseIsKnownOnEitherEngine() {
    assertThat(DockerBackend.inUse("Status 403: {\"message\":\"error while removing network: network berth-s id"
        + " 5e1c has active endpoints\"}")).isTrue();
    assertThat(DockerBackend.inUse("Status 500: {\"cause\":\"network is being used\",\"message\":\"\\\"berth-s\\\""
        + " has associated containers with it. Use -f to forcibly delete containers and pods: network is being"
        + " used\",\"response\":500}")).isTrue();
    assertThat(DockerBackend.inUse("Status 400: {\"message\":\"rpc error: code = FailedPrecondition desc = network"
        + " gxznjrsxp2wxn1xhiwkt4ymcn is in use by service q6ghocl104ta1dhz04mnknqbn\"}")).as("Swarm").isTrue();
    assertThat(DockerBackend.inUse("Status 500: no space left on device")).isFalse();
    assertThat(DockerBackend.inUse(null)).isFalse();
  }

  /** Engines spell a built image's tag differently (Podman: docker.io/library/...); it is the same image. */
  @Test
  void aTagNamesTheImageHoweverTheEngineSpellsIt() {
    var built = ImageReference.parse("berth-build:0123abcd");
    assertThat(DockerImages.names("berth-build:0123abcd", built)).isTrue();
    assertThat(DockerImages.names("docker.io/library/berth-build:0123abcd", built)).isTrue();
    assertThat(DockerImages.names("docker.io/library/berth-build:99", built)).isFalse();
    assertThat(DockerImages.names("<none>:<none>", built)).isFalse();
  }
}
