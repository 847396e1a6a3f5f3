package dev.berth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's API on a TCP port, relayed byte for byte to its Unix socket: an engine over plain TCP, as a build
 * sees a {@code docker:dind} service or an engine started with {@code -H tcp://...}.
 */
final class EngineTcpRelay implements AutoCloseable {

  private static final String SOCKET = "/var/run/docker.sock";

  private final ServerSocketChannel server;

  /** Listens on a free port of {@code address}. */
  EngineTcpRelay(String address) throws IOException {
    server = ServerSocketChannel.open().bind(new InetSocketAddress(address, 0));
    Thread accept = new Thread(() -> {
      while (server.isOpen()) {
        try {
          SocketChannel client = server.accept();
          SocketChannel engine = SocketChannel.open(StandardProtocolFamily.UNIX);
          engine.connect(UnixDomainSocketAddress.of(SOCKET));
          var open = new AtomicInteger(2);
          copy(client, engine, open);
          copy(engine, client, open);
        } catch (IOException e) {
          return;
        }
      }
    }, "engine-relay");
    accept.setDaemon(true);
    accept.start();
  }

  int port() throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  /** Copies one direction; an end of input is passed on as such, and the last direction to end closes both. */
  private static void copy(SocketChannel from, SocketChannel to, AtomicInteger open) {
    Thread copy = new Thread(() -> {
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      try {
        while (from.read(buffer) >= 0) {
          buffer.flip();
          while (buffer.hasRemaining()) {
            to.write(buffer);
          }
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
    }, "engine-relay-copy");
    copy.setDaemon(true);
    copy.start();
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
  }
}
