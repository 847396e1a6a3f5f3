package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import org.junit.jupiter.api.Test;

/** Which HTTP transport a connection gets: {@code berth.transport} and the engine's address decide. */
class TransportChoiceTest {

  private static DockerClientConfig engineAt(String host) {
    return DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).withDockerTlsVerify(false)
        .build();
  }

  private static DockerHttpClient transport(String host, String choice) throws Exception {
    DockerHttpClient transport = EngineClient.transport(engineAt(host), choice);
    transport.close();
    return transport;
  }

  @Test
  void aUnixSocketGetsBerthsTransportUnlessApacheIsAskedFor() throws Exception {
    assertThat(transport("unix:///var/run/docker.sock", "auto")).isInstanceOf(UnixSocketTransport.class);
    assertThat(transport("unix:///var/run/docker.sock", " AUTO ")).isInstanceOf(UnixSocketTransport.class);
    assertThat(transport("unix:///var/run/docker.sock", "apache")).isNotInstanceOf(UnixSocketTransport.class);
  }

  @Test
  void tcpAlwaysGetsTheApacheTransport() throws Exception {
    assertThat(transport("tcp://127.0.0.1:2375", "auto")).isNotInstanceOf(UnixSocketTransport.class);
  }

  /** Engines on TCP or with TLS still get the Apache transport: it must go on working. Needs the engine. */
  @Test
  void theApacheTransportStillCarriesEveryKindOfRequest() {
    try (DockerBackend backend = DockerBackend.connect(java.util.Optional.empty(), "apache")) {
      String name = "berth-transport-test-" + ProcessHandle.current().pid();
      // Labelled like a run's network, so that the leak check would see it left behind.
      backend.createNetwork(name, Labels.of("transport-test", "kit-" + name, "network"));
      try {
        assertThat(backend.gateway(name)).as("a JSON reply").isNotBlank();
        assertThat(backend.containersLabelled(java.util.Map.of(Labels.RUN, "no-such-run"))).isEmpty();
      } finally {
        backend.removeNetwork(name);
      }
    }
  }

  /** An engine over plain TCP (a docker:dind service, say) is spoken to in plain HTTP. Needs the engine. */
  @Test
  void anEngineOverPlainTcpAnswers() throws Exception {
    try (var relay = new EngineTcpRelay("127.0.0.1");
         DockerBackend backend = DockerBackend.connect(java.util.Optional.of("tcp://127.0.0.1:" + relay.port()))) {
      assertThat(backend.containersLabelled(java.util.Map.of(Labels.RUN, "no-such-run"))).isEmpty();
    }
  }

  @Test
  void anUnknownChoiceSaysWhichOnesThereAre() {
    assertThatThrownBy(() -> EngineClient.transport(engineAt("unix:///var/run/docker.sock"), "okhttp"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("berth.transport has value 'okhttp'").hasMessageContaining("'auto'")
        .hasMessageContaining("'apache'").hasMessageContaining("BERTH_TRANSPORT");
  }
}
