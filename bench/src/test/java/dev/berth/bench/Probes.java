package dev.berth.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Polls a service on its published port until it really answers (the engine's proxy accepts before it does). */
final class Probes {

  private static final long TIMEOUT_NANOS = 60_000_000_000L;
  private static final long POLL_MILLIS = 2;

  private Probes() {
  }

  static void awaitRedis(int port) {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    while (!"+PONG".equals(ping(port))) {
      pause(deadline, "redis on port " + port);
    }
  }

  static void awaitPostgres(int port) {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    while (true) {
      try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
          "secret")) {
        if (c.isValid(1)) {
          return;
        }
      } catch (SQLException e) {
        // not up yet
      }
      pause(deadline, "postgres on port " + port);
    }
  }

  static String ping(int port) {
    try (var socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(1000);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[5];
      int n = in.readNBytes(reply, 0, 5);
      return new String(reply, 0, n, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return "";
    }
  }

  private static void pause(long deadline, String what) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(what + " did not answer within 60 s");
    }
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
