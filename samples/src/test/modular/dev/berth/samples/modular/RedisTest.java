package dev.berth.samples.modular;

import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.junit.ServiceTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

@ServiceTest
class RedisTest {

  @ServiceContainer
  static final ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);

  @Test
  void aClientReachesTheServiceByItsAlias(@BindService("redis") @ClientContainer(image = "redis:7.0") Container client) {
    ExecResult pong = client.exec("redis-cli", "-h", "redis", "ping");
    if (!pong.stdout().trim().equals("PONG")) {
      throw new AssertionError("redis-cli ping said: " + pong);
    }
  }

  @Test
  void theJvmReachesItsPublishedPort(@ServiceEndpoint("redis") InetSocketAddress address) throws IOException {
    try (var socket = new Socket(address.getHostString(), address.getPort())) {
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readNBytes(7), StandardCharsets.US_ASCII);
      if (!answer.equals("+PONG\r\n")) {
        throw new AssertionError("PING was answered " + answer);
      }
    }
  }
}
