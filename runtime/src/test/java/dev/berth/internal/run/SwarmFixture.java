package dev.berth.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the tests of services on a swarm share: the services, a client, the run, and the check that nothing is left. */
final class SwarmFixture {

  /** A web server that answers with its hostname, which tells replicas apart. */
  static final ServiceSpec WEB = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
      .withCommand("sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www");
  /** A client with an HTTP client and a resolver of its own (this machine's busybox stand-in cannot look up names). */
  static final ServiceSpec PYTHON = ServiceSpec.from("python:3.11-slim").withCommand("sleep", "3600");

  private SwarmFixture() {
  }

  /** A run of its own session on the swarm, whose services stop at once when let go. */
  static ServiceRuntime runtime(String session) {
    return ServiceRuntime.start(BerthConfig.from(key -> switch (key) {
      case "berth.session" -> Optional.of(session);
      case "berth.gracePeriod", "berth.stopTimeout" -> Optional.of("0");
      case "berth.engine" -> Optional.of("swarm");
      case "berth.swarm.nodeEngine" -> Optional.ofNullable(System.getenv("BERTH_SWARM_NODE_ENGINE"));
      default -> Optional.empty();
    }));
  }

  /** Neither swarm services, configs, containers nor networks of the session are left. */
  static void assertNothingLeft(DockerClient docker, String session) {
    assertThat(docker.listServicesCmd().withLabelFilter(Map.of("dev.berth.session", session)).exec()).isEmpty();
    assertThat(docker.listConfigsCmd().withFilters(Map.of("label", List.of("dev.berth.session=" + session))).exec())
        .isEmpty();
    assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("dev.berth.session", session))
        .exec()).isEmpty();
    assertThat(docker.listNetworksCmd().withFilter("label", List.of("dev.berth.session=" + session)).exec())
        .isEmpty();
  }

  /** {@code count} requests to {@code url}, one connection each, from the client: their answers, a line each. */
  static String requests(Container client, String url, int count) {
    ExecResult result = client.exec("python3", "-c", "import urllib.request\n"
        + "for i in range(" + count + "):\n"
        + "  try: print(urllib.request.urlopen('" + url + "', timeout=3).read().decode().strip())\n"
        + "  except Exception as e: print('')\n");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result.stdout();
  }

  /** The body of {@code GET /} at the address. */
  static String get(InetSocketAddress address) throws IOException {
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
