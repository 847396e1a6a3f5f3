package dev.berth.junit;

import dev.berth.ServiceSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Shared definitions and helpers for the fixture classes that {@link KitRun} executes. */
final class Fixtures {

  /** The session of the kit run in progress, for fixtures that look at the engine mid-run. */
  static volatile String session;

  static final ServiceSpec REDIS = ServiceSpec.from("redis:7.0").withExposedPort(6379);

  static ServiceSpec httpServer(String body) {
    return ServiceSpec.from("python:3.11-slim")
        .withWorkdir("/srv")
        .withNewFile("/srv/index.html", body)
        .withExposedPort(8080)
        .withCommand("python", "-m", "http.server", "8080");
  }

  /** An HTTP server that listens only after {@code seconds}: its published port's proxy accepts before that. */
  static ServiceSpec slowHttpServer(String body, int seconds) {
    return httpServer(body).withCommand("sh", "-c", "sleep " + seconds + "; exec python -m http.server 8080");
  }

  private Fixtures() {
  }

  /** Sends PING over RESP from the test JVM and returns the reply line. */
  static String ping(InetSocketAddress redis) {
    try (var socket = new Socket()) {
      socket.connect(redis, 2000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      var reply = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\r') {
        reply.append((char) c);
      }
      return reply.toString();
    } catch (IOException e) {
      throw new AssertionError("PING to " + redis + " failed", e);
    }
  }
}
