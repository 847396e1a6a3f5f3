package dev.berth.junit;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A JVM of its own that runs once with {@code berth.reuse} in a session: starts (or attaches to) redis:7.0, sends
 * it one command ({@code SET left kept} or {@code GET left}) and prints the reply and the service's hostname; then,
 * once the run has ended, how many threads still read the engine's streams (each would hold the JVM's exit up).
 */
public final class ReuseJvm {

  private ReuseJvm() {
  }

  public static void main(String[] args) throws Exception {
    var values = Map.of("berth.session", args[0], "berth.reuse", "30s", "berth.startAhead", "0");
    var config = BerthConfig.from(key -> Optional.ofNullable(values.get(key)));
    try (var runtime = ServiceRuntime.start(config); var scope = runtime.newScope()) {
      Service redis = scope.service("redis", ServiceSpec.from("redis:7.0").withExposedPort(6379));
      String reply = send(redis.hostAddress(6379), args[1]);
      System.out.println("reply " + reply + " hostname " + redis.hostname());
    }
    System.out.println("streams " + streamsLeft());
  }

  /** The threads docker-java reads the engine's streams on, that have not ended 2 s after the run. */
  private static long streamsLeft() throws InterruptedException {
    long deadline = System.nanoTime() + 2_000_000_000L;
    long left;
    do {
      left = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && t.getName().startsWith("docker-java-stream")).count();
      Thread.sleep(50);
    } while (left > 0 && System.nanoTime() < deadline);
    return left;
  }

  private static String send(InetSocketAddress address, String command) throws IOException {
    try (var socket = new Socket(address.getHostString(), address.getPort())) {
      socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.setSoTimeout(5000);
      byte[] buffer = new byte[64];
      int read = socket.getInputStream().read(buffer);
      return new String(buffer, 0, Math.max(read, 0), StandardCharsets.US_ASCII).replace("\r\n", " ").strip();
    }
  }
}
