package dev.berth.internal.engine;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * An engine that misbehaves as a wedged or starting one does, on a Unix socket or a TCP port of its own: it
 * accepts connections and answers each request as its {@link Script} says, which may be never. No Docker needed.
 */
final class FakeEngine implements AutoCloseable {

  /** How the engine answers one request: writes to {@code out}, or {@link #stall}s. */
  interface Script {
    void answer(String method, String path, OutputStream out) throws IOException;
  }

  /** Accepts, reads, and never says a word. */
  static final Script SILENT = (method, path, out) -> stall();

  private final ServerSocketChannel server;
  private final String host;
  private final Script script;
  private final List<Closeable> open = new CopyOnWriteArrayList<>();
  private final List<Thread> serving = new CopyOnWriteArrayList<>();

  private FakeEngine(ServerSocketChannel server, String host, Script script) {
    this.server = server;
    this.host = host;
    this.script = script;
    var accept = new Thread(this::accept, "fake-engine");
    accept.setDaemon(true);
    accept.start();
  }

  static FakeEngine onUnixSocket(Path socket, Script script) throws IOException {
    var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    return new FakeEngine(server, "unix://" + socket, script);
  }

  static FakeEngine onTcp(Script script) throws IOException {
    var server = ServerSocketChannel.open(StandardProtocolFamily.INET);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    return new FakeEngine(server, "tcp://127.0.0.1:" + port, script);
  }

  /** Where Berth finds it, as DOCKER_HOST or berth.dockerHost would say. */
  String host() {
    return host;
  }

  /**
   * Answers the ping and the version as an engine does (enough for Berth to connect), and every other request as
   * {@code rest} says.
   */
  static Script answeringPing(Script rest) {
    return (method, path, out) -> {
      if (path.endsWith("/_ping")) {
        reply(out, "200 OK", "text/plain", "OK");
      } else if (path.endsWith("/version")) {
        reply(out, "200 OK", "application/json",
            "{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\"}");
      } else {
        rest.answer(method, path, out);
      }
    };
  }

  static void reply(OutputStream out, String status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  /** Begins a chunked reply, as the engine streams a pull's progress. */
  static void beginStream(OutputStream out) throws IOException {
    out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  static void chunk(OutputStream out, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Holds the request's thread (and connection) until the fake engine is closed, which interrupts it. */
  static void stall() throws IOException {
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      throw new IOException("the fake engine is closed", e);
    }
  }

  private void accept() {
    while (server.isOpen()) {
      try {
        SocketChannel connection = server.accept();
        open.add(connection);
        var serve = new Thread(() -> serve(connection), "fake-engine-connection");
        serve.setDaemon(true);
        serving.add(serve);
        serve.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  /** Reads requests one after the other on a kept-alive connection; their bodies are skipped. */
  private void serve(SocketChannel connection) {
    try (connection) {
      InputStream in = new BufferedInputStream(Channels.newInputStream(connection));
      OutputStream out = Channels.newOutputStream(connection);
      for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
        long length = 0;
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
          if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
            length = Long.parseLong(header.substring(header.indexOf(':') + 1).trim());
          }
        }
        in.skipNBytes(length);
        String[] parts = line.split(" ");
        script.answer(parts[0], parts[1], out);
      }
    } catch (IOException e) {
      // the client went, or the test ended
    }
  }

  private static String line(InputStream in) throws IOException {
    var line = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        return null;
      }
      if (c != '\r') {
        line.write(c);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Closeable connection : open) {
      connection.close();
    }
    serving.forEach(Thread::interrupt);
  }
}
