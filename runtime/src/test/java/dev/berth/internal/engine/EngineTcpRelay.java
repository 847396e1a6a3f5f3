package dev.berth.internal.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The engine's API on a TCP port, relayed byte for byte to its Unix socket: an engine over plain TCP, as a build
 * sees a {@code docker:dind} service or an engine started with {@code -H tcp://...}; or over TLS with client
 * certificates, as {@code dockerd --tlsverify} serves it.
 */
public final class EngineTcpRelay implements AutoCloseable {

  private static final String SOCKET = "/var/run/docker.sock";

  private final ServerSocket server;

  /** Plain TCP on a free port of {@code address}. */
  public EngineTcpRelay(String address) throws IOException {
    this(address, null);
  }

  /** TLS with {@code tls}'s key and trust, asking every client for a certificate, if {@code tls} is given. */
  public EngineTcpRelay(String address, SSLContext tls) throws IOException {
    ServerSocketFactory factory = tls == null ? ServerSocketFactory.getDefault() : tls.getServerSocketFactory();
    server = factory.createServerSocket(0, 50, InetAddress.getByName(address));
    if (server instanceof SSLServerSocket secure) {
      secure.setNeedClientAuth(true);
    }
    Thread accept = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          SocketChannel engine = SocketChannel.open(StandardProtocolFamily.UNIX);
          engine.connect(UnixDomainSocketAddress.of(SOCKET));
          var open = new AtomicInteger(2);
          start(() -> toEngine(client, engine, open));
          start(() -> fromEngine(engine, client, open));
        } catch (IOException e) {
          return;
        }
      }
    }, "engine-relay");
    accept.setDaemon(true);
    accept.start();
  }

  public int port() {
    return ((InetSocketAddress) server.getLocalSocketAddress()).getPort();
  }

  private static void start(Runnable copy) {
    Thread thread = new Thread(copy, "engine-relay-copy");
    thread.setDaemon(true);
    thread.start();
  }

  // The engine's side is read and written as a channel: a channel's streams share one lock between reading and
  // writing, and a blocked read would hold up the other direction.
  private static void toEngine(Socket client, SocketChannel engine, AtomicInteger open) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = client.getInputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
        while (bytes.hasRemaining()) {
          engine.write(bytes);
        }
      }
      engine.shutdownOutput();
    } catch (IOException e) {
      open.set(1); // one side went: nothing more can pass either way
    }
    ended(client, engine, open);
  }

  private static void fromEngine(SocketChannel engine, Socket client, AtomicInteger open) {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try {
      OutputStream out = client.getOutputStream();
      while (engine.read(buffer) >= 0) {
        out.write(buffer.array(), 0, buffer.position());
        out.flush();
        buffer.clear();
      }
      try {
        client.shutdownOutput();
      } catch (UnsupportedOperationException tls) {
        open.set(1); // TLS cannot half-close: the connection ends here
      }
    } catch (IOException e) {
      open.set(1);
    }
    ended(client, engine, open);
  }

  /** The last direction to end closes both sides. */
  private static void ended(Socket client, SocketChannel engine, AtomicInteger open) {
    if (open.decrementAndGet() <= 0) {
      try (client; engine) {
        // closed by leaving
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
