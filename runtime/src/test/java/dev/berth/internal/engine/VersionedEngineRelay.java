package dev.berth.internal.engine;

import dev.berth.internal.engine.ApiVersions.ApiVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This machine's engine, on a Unix socket of its own, answering as an engine of other API versions does: a ping
 * that names its newest version, a {@code /version} that names its range, and a refusal, in Docker's words, of
 * every versioned request outside the range. Requests within it go on to the real engine (which serves them at its
 * own version), one connection each. Docker Engine 29 serves 1.44 to 1.52; Docker 19.03 served up to 1.40.
 */
final class VersionedEngineRelay implements AutoCloseable {

  private static final Path ENGINE = Path.of("/var/run/docker.sock");
  private static final Pattern VERSIONED = Pattern.compile("^/v(\\d+\\.\\d+)(/.*)$");

  private final ServerSocketChannel server;
  private final Path socket;
  private final String release;
  private final ApiVersion oldest;
  private final ApiVersion newest;
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final List<String> refused = new CopyOnWriteArrayList<>();

  /** An engine of {@code release} (such as {@code 29.0.0}) that serves {@code oldest} to {@code newest}. */
  VersionedEngineRelay(Path dir, String release, String oldest, String newest) throws IOException {
    this.release = release;
    this.oldest = ApiVersion.parse(oldest).orElseThrow();
    this.newest = ApiVersion.parse(newest).orElseThrow();
    this.socket = dir.resolve("engine-" + release + ".sock");
    Files.deleteIfExists(socket);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread accept = new Thread(() -> {
      while (server.isOpen()) {
        try {
          SocketChannel client = server.accept();
          start(() -> serve(client));
        } catch (IOException e) {
          return;
        }
      }
    }, "versioned-relay");
    accept.setDaemon(true);
    accept.start();
  }

  /** Where Berth finds it, as DOCKER_HOST would say. */
  String host() {
    return "unix://" + socket;
  }

  /** Every request's path, as it arrived. */
  List<String> paths() {
    return List.copyOf(paths);
  }

  /** The messages of the requests refused for their version. */
  List<String> refused() {
    return List.copyOf(refused);
  }

  private void serve(SocketChannel client) {
    try {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      ByteBuffer rest = readHead(client, head);
      if (rest == null) {
        client.close();
        return;
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      String[] requestLine = lines[0].split(" ");
      String path = requestLine[1];
      paths.add(path);
      Matcher versioned = VERSIONED.matcher(path);
      String unversioned = versioned.matches() ? versioned.group(2) : path;
      String route = unversioned.replaceFirst("\\?.*$", "");
      if (versioned.matches()) {
        ApiVersion asked = ApiVersion.parse(versioned.group(1)).orElseThrow();
        if (asked.below(oldest)) {
          refuse(client, "client version " + asked + " is too old. Minimum supported API version is " + oldest
              + ", please upgrade your client to a newer version");
          return;
        }
        if (newest.below(asked)) {
          refuse(client, "client version " + asked + " is too new. Maximum supported API version is " + newest);
          return;
        }
      }
      if (route.equals("/_ping")) {
        answer(client, 200, "text/plain; charset=utf-8", "OK");
        return;
      }
      if (route.equals("/version")) {
        answer(client, 200, "application/json", "{\"Platform\":{\"Name\":\"Docker Engine - Community\"},"
            + "\"Components\":[{\"Name\":\"Engine\",\"Version\":\"" + release + "\",\"Details\":{\"ApiVersion\":\""
            + newest + "\",\"MinAPIVersion\":\"" + oldest + "\",\"Os\":\"linux\"}}],\"Version\":\""
            + release + "\",\"ApiVersion\":\"" + newest + "\",\"MinAPIVersion\":\"" + oldest
            + "\",\"Os\":\"linux\",\"Arch\":\"amd64\"}");
        return;
      }
      forward(client, requestLine, lines, unversioned, rest);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  /** On to the real engine, unversioned, on a connection of its own that ends with the answer (or the upgrade). */
  private void forward(SocketChannel client, String[] requestLine, String[] lines, String unversioned,
      ByteBuffer rest) throws IOException {
    boolean upgrade = false;
    var out = new StringBuilder(requestLine[0] + " " + unversioned + " " + requestLine[2] + "\r\n");
    for (int i = 1; i < lines.length; i++) {
      String name = lines[i].substring(0, Math.max(0, lines[i].indexOf(':'))).trim().toLowerCase(Locale.ROOT);
      if (name.equals("upgrade")) {
        upgrade = true;
      }
      if (!name.equals("connection")) {
        out.append(lines[i]).append("\r\n");
      }
    }
    out.append(upgrade ? "Connection: Upgrade\r\n" : "Connection: close\r\n").append("\r\n");
    SocketChannel engine = SocketChannel.open(StandardProtocolFamily.UNIX);
    engine.connect(UnixDomainSocketAddress.of(ENGINE));
    writeAll(engine, ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.ISO_8859_1)));
    writeAll(engine, rest);
    var open = new AtomicInteger(2);
    start(() -> copy(client, engine, open));
    copy(engine, client, open);
  }

  private void refuse(SocketChannel client, String message) throws IOException {
    refused.add(message);
    answer(client, 400, "application/json", "{\"message\":\"" + message + "\"}");
  }

  private void answer(SocketChannel client, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Bad Request") + "\r\n"
        + "Api-Version: " + newest + "\r\nDocker-Experimental: false\r\nOstype: linux\r\n"
        + "Server: Docker/" + release + " (linux)\r\nContent-Type: " + type + "\r\n"
        + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
    writeAll(client, ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)));
    writeAll(client, ByteBuffer.wrap(bytes));
    client.close();
  }

  /** Reads up to the blank line that ends a request's head; returns what came after it, or null at the end. */
  private static ByteBuffer readHead(SocketChannel client, ByteArrayOutputStream head) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    while (client.read(buffer) >= 0) {
      byte[] seen = buffer.array();
      for (int i = 3; i < buffer.position(); i++) {
        if (seen[i - 3] == '\r' && seen[i - 2] == '\n' && seen[i - 1] == '\r' && seen[i] == '\n') {
          head.write(seen, 0, i - 3);
          return ByteBuffer.wrap(seen, i + 1, buffer.position() - i - 1);
        }
      }
      if (!buffer.hasRemaining()) {
        return null;
      }
    }
    return null;
  }

  /** Copies one direction to its end; the last direction to end closes both sides. */
  private static void copy(SocketChannel from, SocketChannel to, AtomicInteger open) {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        writeAll(to, buffer);
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      open.set(1); // one side went: nothing more can pass either way
    }
    if (open.decrementAndGet() <= 0) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void writeAll(SocketChannel to, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      to.write(bytes);
    }
  }

  private static void start(Runnable task) {
    Thread thread = new Thread(task, "versioned-relay-copy");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(socket);
  }
}
