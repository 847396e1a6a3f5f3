package dev.berth.internal.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The direct probe's ready requests, against servers in this JVM; the probe container's are in HealthTest. */
class PortProbeTest {

  @Test
  void statusLinesAreReadAndAnythingElseIsNoAnswer() {
    assertThat(PortProbe.status("HTTP/1.1 200 OK")).isEqualTo(200);
    assertThat(PortProbe.status("HTTP/1.0 503 Service Unavailable")).isEqualTo(503);
    assertThat(PortProbe.status("HTTP/2 204")).isEqualTo(204);
    assertThat(PortProbe.status("")).isEqualTo(-1);
    assertThat(PortProbe.status("SSH-2.0-OpenSSH_9.2")).isEqualTo(-1);
    assertThat(PortProbe.status("+PONG")).isEqualTo(-1);
  }

  @Test
  void theDirectProbeSendsTheRequestAndReadsTheStatus() throws IOException {
    var status = new AtomicInteger(503);
    var seen = new AtomicReference<String>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      seen.set(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + exchange.getProtocol() + " "
          + exchange.getRequestHeaders().getFirst("Host"));
      byte[] body = "state".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      int port = server.getAddress().getPort();
      PortProbe probe = PortProbe.direct();

      assertThat(probe.httpStatus("127.0.0.1", port, "/health?deep=true")).isEqualTo(503);
      assertThat(seen.get()).isEqualTo("GET /health?deep=true HTTP/1.0 127.0.0.1:" + port);
      status.set(200);
      assertThat(probe.httpStatus("127.0.0.1", port, "/health")).isEqualTo(200);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void noListenerOrNoHttpIsNoAnswer() throws IOException {
    int closed;
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    assertThat(PortProbe.direct().httpStatus("127.0.0.1", closed, "/")).isEqualTo(-1);

    try (var silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var hangsUp = new Thread(() -> {
        try (var connection = silent.accept()) {
          connection.getOutputStream().write("-ERR unknown command\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // the probe's side decides the test
        }
      });
      hangsUp.start();
      assertThat(PortProbe.direct().httpStatus("127.0.0.1", silent.getLocalPort(), "/")).isEqualTo(-1);
    }
  }
}
