package dev.berth.internal.engine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.transport.DockerHttpClient.Request;
import com.github.dockerjava.transport.DockerHttpClient.Response;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/1.1 of the Unix socket transport against a scripted server on a socket of its own: how replies are
 * framed, when a connection is kept for the next request, and what a stale one costs. The engine itself is behind
 * every test of the extension module.
 */
@Timeout(20)
class UnixSocketTransportTest {

  @TempDir
  Path dir;

  private ScriptedServer server;
  private UnixSocketTransport transport;

  @AfterEach
  void close() throws IOException {
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private UnixSocketTransport transport(Function<String, String> replies) throws IOException {
    server = new ScriptedServer(dir.resolve("engine.sock"), replies);
    transport = new UnixSocketTransport(server.path, () -> {
      throw new AssertionError("no request here takes over the connection");
    });
    return transport;
  }

  private static Request get(String path) {
    return Request.builder().method(Request.Method.GET).path(path).build();
  }

  private static String body(Response response) throws IOException {
    try (response) {
      return new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void readsLengthChunkedAndCloseDelimitedRepliesAndKeepsTheConnectionWhereItCan() throws Exception {
    transport(request -> switch (request.split(" ")[1]) {
      case "/length" -> "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
      case "/chunked" -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nhel\r\n2\r\nlo\r\n0\r\nT: 1\r\n\r\n";
      case "/empty" -> "HTTP/1.1 204 No Content\r\n\r\n";
      default -> "HTTP/1.1 200 OK\r\n\r\nuntil closed" + ScriptedServer.CLOSE_AFTER;
    });

    assertThat(body(transport.execute(get("/length")))).isEqualTo("hello");
    assertThat(body(transport.execute(get("/chunked")))).isEqualTo("hello");
    try (Response empty = transport.execute(get("/empty"))) {
      assertThat(empty.getStatusCode()).isEqualTo(204);
      assertThat(empty.getBody().read()).isEqualTo(-1);
    }
    assertThat(server.connections.get()).as("one connection for all three").isEqualTo(1);

    assertThat(body(transport.execute(get("/close")))).isEqualTo("until closed");
    assertThat(body(transport.execute(get("/length")))).isEqualTo("hello");
    assertThat(server.connections.get()).as("a reply ended by closing takes its connection along").isEqualTo(2);
  }

  @Test
  void sendsMethodPathHeadersAndBodyWithItsLength() throws Exception {
    transport(request -> "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");

    Response created = transport.execute(Request.builder().method(Request.Method.POST).path("/v1.41/networks/create")
        .putHeader("Content-Type", "application/json").bodyBytes("{\"Name\":\"n\"}".getBytes(StandardCharsets.UTF_8))
        .build());

    assertThat(created.getStatusCode()).isEqualTo(201);
    assertThat(created.getHeader("content-type")).isEqualTo("application/json");
    assertThat(body(created)).isEqualTo("{}");
    assertThat(server.requests.poll(5, TimeUnit.SECONDS)).startsWith("POST /v1.41/networks/create HTTP/1.1\r\n")
        .contains("Content-Type: application/json\r\n").contains("Content-Length: 12\r\n")
        .endsWith("\r\n\r\n{\"Name\":\"n\"}");
  }

  @Test
  void aStreamIsHandedOverAsItComesAndClosingItEndsTheConnection() throws Exception {
    transport(request -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nline 1\r\n" + ScriptedServer.HOLD);

    Response logs = transport.execute(get("/v1.41/containers/abc/logs?stdout=true&follow=true&tail=5"));
    byte[] first = new byte[6];
    assertThat(logs.getBody().readNBytes(first, 0, 6)).isEqualTo(6);
    assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("line 1");
    logs.close();

    assertThat(server.closedByClient.poll(5, TimeUnit.SECONDS)).as("the server saw the client leave").isTrue();
  }

  @Test
  void aKeptConnectionTheEngineClosedMeanwhileIsReplacedAndTheRequestSentOnce() throws Exception {
    var answered = new AtomicInteger();
    transport(request -> answered.incrementAndGet() == 1
        ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + ScriptedServer.CLOSE_AFTER
        : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain");
    assertThat(body(transport.execute(get("/first")))).isEqualTo("ok");
    server.awaitClosed();

    assertThat(body(transport.execute(get("/second")))).isEqualTo("again");
    assertThat(answered.get()).isEqualTo(2);
    assertThat(server.connections.get()).isEqualTo(2);
  }

  @Test
  void aRequestTheEngineTookWithoutAnsweringIsRepeatedOnlyIfThatDoesNoHarm() throws Exception {
    var gets = new AtomicInteger();
    transport(request -> {
      if (request.startsWith("GET /ok")) {
        return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      }
      if (request.startsWith("GET /again") && gets.incrementAndGet() > 1) {
        return "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain";
      }
      return ScriptedServer.CLOSE_AFTER; // read, not answered
    });

    assertThat(body(transport.execute(get("/ok")))).isEqualTo("ok");
    assertThat(body(transport.execute(get("/again")))).as("a GET, on a new connection").isEqualTo("again");
    assertThat(body(transport.execute(get("/ok")))).isEqualTo("ok");
    assertThatThrownBy(() -> transport.execute(Request.builder().method(Request.Method.POST)
        .path("/v1.41/containers/create").build())).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("POST /v1.41/containers/create").hasMessageContaining("closed the connection");
    assertThat(server.requests).as("sent once, not repeated").filteredOn(r -> r.startsWith("POST")).hasSize(1);
    assertThat(gets.get()).isEqualTo(2);
  }

  @Test
  void aReplyCutShortIsAnErrorNamingTheRequest() throws Exception {
    transport(request -> "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort" + ScriptedServer.CLOSE_AFTER);

    assertThatThrownBy(() -> transport.execute(get("/v1.41/containers/json")))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("GET /v1.41/containers/json")
        .hasMessageContaining("5 bytes early");
  }

  @Test
  void noEngineOnTheSocketSaysWhere() throws Exception {
    transport = new UnixSocketTransport(dir.resolve("none.sock"), () -> null);

    assertThatThrownBy(() -> transport.execute(get("/_ping"))).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("unix://" + dir.resolve("none.sock"));
  }

  @Test
  void repliesThatStreamAreToldByTheirEndpoint() {
    for (String streaming : List.of("/v1.41/containers/abc/logs?follow=true", "/containers/abc/logs?stdout=1&follow=1",
        "/v1.41/containers/abc/wait", "/v1.41/exec/e1/start", "/v1.41/images/create?fromImage=redis&tag=7.0",
        "/v1.41/events?since=1", "/v1.41/containers/abc/archive?path=/etc/hosts", "/v1.41/containers/abc/attach")) {
      assertThat(UnixSocketTransport.streams(streaming)).as(streaming).isTrue();
    }
    for (String whole : List.of("/v1.41/containers/abc/logs?stdout=true&tail=10", "/v1.41/containers/abc/json",
        "/v1.41/containers/create?name=x", "/v1.41/containers/json?all=true", "/v1.41/networks/create", "/_ping",
        "/v1.41/images/redis:7.0/json", "/v1.41/containers/abc/logs?followers=true")) {
      assertThat(UnixSocketTransport.streams(whole)).as(whole).isFalse();
    }
  }

  /**
   * Answers each request on a Unix socket with the reply its line gives; {@link #HOLD} in a reply keeps the
   * connection open without writing more, {@link #CLOSE_AFTER} closes it after the reply.
   */
  private static final class ScriptedServer implements AutoCloseable {
    static final String HOLD = "<hold>";
    static final String CLOSE_AFTER = "<close>";

    final Path path;
    final AtomicInteger connections = new AtomicInteger();
    final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    final BlockingQueue<Boolean> closedByClient = new LinkedBlockingQueue<>();
    private final BlockingQueue<Boolean> closedByServer = new LinkedBlockingQueue<>();
    private final ServerSocketChannel listener;
    private final Function<String, String> replies;
    private final List<SocketChannel> accepted = new ArrayList<>();

    ScriptedServer(Path path, Function<String, String> replies) throws IOException {
      this.path = path;
      this.replies = replies;
      listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      listener.bind(UnixDomainSocketAddress.of(path));
      var thread = new Thread(this::accept, "scripted-engine");
      thread.setDaemon(true);
      thread.start();
    }

    private void accept() {
      while (listener.isOpen()) {
        try {
          SocketChannel channel = listener.accept();
          connections.incrementAndGet();
          synchronized (accepted) {
            accepted.add(channel);
          }
          var thread = new Thread(() -> serve(channel), "scripted-connection");
          thread.setDaemon(true);
          thread.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(SocketChannel channel) {
      try (channel) {
        var in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        OutputStream out = Channels.newOutputStream(channel);
        while (true) {
          String requestLine = in.readLine();
          if (requestLine == null) {
            closedByClient.add(true);
            return;
          }
          var request = new StringBuilder(requestLine).append("\r\n");
          int length = 0;
          for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            request.append(line).append("\r\n");
            if (line.toLowerCase().startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          request.append("\r\n");
          char[] body = new char[length];
          for (int read = 0; read < length; ) {
            read += in.read(body, read, length - read);
          }
          requests.add(request.append(body).toString());
          String reply = replies.apply(requestLine);
          out.write(reply.replace(HOLD, "").replace(CLOSE_AFTER, "").getBytes(StandardCharsets.UTF_8));
          out.flush();
          if (reply.endsWith(CLOSE_AFTER)) {
            closedByServer.add(true);
            return;
          }
          if (reply.endsWith(HOLD)) {
            closedByClient.add(in.read() < 0);
            return;
          }
        }
      } catch (IOException e) {
        closedByClient.add(true);
      }
    }

    void awaitClosed() throws InterruptedException {
      assertThat(closedByServer.poll(5, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(50); // for the close to reach the client's side
    }

    @Override
    public void close() throws IOException {
      listener.close();
      synchronized (accepted) {
        for (SocketChannel channel : accepted) {
          channel.close();
        }
      }
      Files.deleteIfExists(path);
    }
  }
}
