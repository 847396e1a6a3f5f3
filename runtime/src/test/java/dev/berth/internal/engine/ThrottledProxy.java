package dev.berth.internal.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP proxy on the loopback that passes what its target answers at a limited rate: a fast local registry made as
 * slow as a far one, so that a pull takes seconds.
 */
final class ThrottledProxy implements AutoCloseable {

  private static final int CHUNK = 16 * 1024;
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final long bytesPerSecond;

  ThrottledProxy(InetSocketAddress target, long bytesPerSecond) throws IOException {
    this.target = target;
    this.bytesPerSecond = bytesPerSecond;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accepting = new Thread(this::accept, "throttled-proxy");
    accepting.setDaemon(true);
    accepting.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        pump(client, upstream, Long.MAX_VALUE);
        pump(upstream, client, bytesPerSecond);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pump(Socket from, Socket to, long rate) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[CHUNK];
      long began = System.nanoTime();
      long sent = 0;
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
          out.flush();
          sent += n;
          long due = began + sent * 1_000_000_000L / rate;
          long wait = due - System.nanoTime();
          if (rate != Long.MAX_VALUE && wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
      } catch (IOException | InterruptedException e) {
        // one side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "throttled-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closed already
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
