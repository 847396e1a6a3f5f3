package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.BerthException;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.spec.Labels;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth against engines of other API versions, played by a relay in front of this machine's engine: Docker Engine
 * 29, which refuses every version below 1.44, and Docker 19.03, older than Berth supports. Needs the engine.
 */
class ApiNegotiationTest {

  @TempDir
  Path dir;

  @Test
  void aServiceStartsAndAnswersOnDocker29AtAVersionItServes() throws Exception {
    try (var docker29 = new VersionedEngineRelay(dir, "29.0.0", "1.44", "1.52")) {
      Map<String, String> keys = Map.of("berth.dockerHost", docker29.host());
      try (var runtime = ServiceRuntime.start(BerthConfig.from(key -> Optional.ofNullable(keys.get(key))));
          var scope = runtime.newScope()) {
        Service redis = scope.service("redis", ServiceSpec.from("redis:7.0").withExposedPort(6379));

        assertThat(ping(redis.hostAddress(6379))).isEqualTo("+PONG");
        assertThat(redis.exec("redis-cli", "ping").stdout().strip()).isEqualTo("PONG");
      }
      assertThat(docker29.refused()).isEmpty();
      assertThat(docker29.paths()).filteredOn(p -> !p.equals("/_ping") && !p.equals("/version"))
          .isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("/v1.44/"));
    }
  }

  /** A pin left from an older engine (docker-java's api.version) would have every request refused. */
  @Test
  void aPinnedVersionDocker29RefusesGivesWayToOneItServes() throws Exception {
    try (var docker29 = new VersionedEngineRelay(dir, "29.0.0", "1.44", "1.52")) {
      String before = System.getProperty("api.version");
      System.setProperty("api.version", "1.41");
      try (DockerBackend backend = DockerBackend.connect(Optional.of(docker29.host()))) {
        String name = "berth-api-test-" + ProcessHandle.current().pid();
        backend.createNetwork(name, Labels.of("api-test", "kit-" + name, "network"));
        try {
          assertThat(backend.gateway(name)).as("a JSON reply").isNotNull();
        } finally {
          backend.removeNetwork(name);
        }
      } finally {
        if (before == null) {
          System.clearProperty("api.version");
        } else {
          System.setProperty("api.version", before);
        }
      }
      assertThat(docker29.refused()).isEmpty();
      assertThat(docker29.paths()).contains("/version").filteredOn(p -> p.matches("/v[0-9].*"))
          .isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("/v1.44/"));
    }
  }

  @Test
  void anEngineOlderThanBerthSupportsIsRefusedByName() throws Exception {
    try (var docker1903 = new VersionedEngineRelay(dir, "19.03.15", "1.12", "1.40")) {
      assertThatThrownBy(() -> DockerBackend.connect(Optional.of(docker1903.host())).close())
          .isInstanceOf(BerthException.class)
          .hasMessageContaining("The Docker engine at " + docker1903.host() + " serves API versions up to 1.40")
          .hasMessageContaining("Berth needs 1.41 or newer");
      assertThat(docker1903.paths()).containsExactly("/_ping");
    }
  }

  /** This machine's engine, Docker Engine 20.10, is spoken to at its own newest version. */
  @Test
  void thisMachinesEngineIsSpokenToAtItsNewestVersion() {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      assertThat(backend.apiVersion()).isEqualTo("1.41");
    }
  }

  private static String ping(InetSocketAddress address) throws Exception {
    try (Socket socket = new Socket(address.getHostString(), address.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      var line = new StringBuilder();
      for (int c; (c = in.read()) >= 0 && c != '\r'; ) {
        line.append((char) c);
      }
      return line.toString();
    }
  }
}
