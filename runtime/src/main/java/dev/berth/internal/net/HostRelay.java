package dev.berth.internal.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a service of the test machine reachable from the run's containers: listens on the host's address on the
 * run's network (the bridge's gateway) at the service's port and relays every connection to the service's own
 * address. The service may listen on 127.0.0.1 only, and no helper image is needed, because the relay runs in the
 * test JVM.
 */
public final class HostRelay implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  private static final int CONNECT_ATTEMPTS = 3;

  private final String name;
  private final Supplier<InetSocketAddress> target;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private HostRelay(String name, Supplier<InetSocketAddress> target, ServerSocket server) {
    this.name = name;
    this.target = target;
    this.server = server;
  }

  /**
   * Starts relaying {@code gateway:port} to {@code target}.
   *
   * @throws IOException if the gateway's port cannot be bound
   */
  public static HostRelay start(String name, InetAddress gateway, int port, InetSocketAddress target) throws IOException {
    return start(name, gateway, port, () -> target);
  }

  /**
   * Starts relaying {@code gateway:port} to the address {@code target} gives for each connection; a connection
   * for which it gives none is closed at once.
   *
   * @throws IOException if the gateway's port cannot be bound
   */
  public static HostRelay start(String name, InetAddress gateway, int port, Supplier<InetSocketAddress> target)
      throws IOException {
    var server = new ServerSocket();
    try {
      server.bind(new InetSocketAddress(gateway, port), 64);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    var relay = new HostRelay(name, target, server);
    var acceptor = new Thread(relay::acceptLoop, "berth-relay-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
    return relay;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket inbound = server.accept();
        open.add(inbound);
        var connector = new Thread(() -> connect(inbound), "berth-relay-" + name + "-conn");
        connector.setDaemon(true);
        connector.start();
      } catch (IOException e) {
        if (!server.isClosed()) {
          LOG.debug("relay {} stopped accepting", name, e);
        }
        return;
      }
    }
  }

  private void connect(Socket inbound) {
    Socket outbound = null;
    // A target that just died may not have left the rotation yet: try the next one before giving up.
    for (int attempt = 1; outbound == null && attempt <= CONNECT_ATTEMPTS; attempt++) {
      InetSocketAddress to = target.get();
      if (to == null) {
        LOG.warn("'{}': no healthy target for a container's connection; closed it", name);
        break;
      }
      var socket = new Socket();
      try {
        socket.connect(to, 2000);
        open.add(socket);
        outbound = socket;
      } catch (IOException e) {
        closeQuietly(socket);
        LOG.debug("'{}': cannot reach {} (attempt {}): {}", name, to, attempt, e.getMessage());
      }
    }
    if (outbound == null) {
      LOG.warn("'{}': no target could take a container's connection; closed it", name);
      closeQuietly(inbound);
      open.remove(inbound);
      return;
    }
    Socket connected = outbound;
    var ends = new AtomicInteger(2);
    Runnable ended = () -> {
      if (ends.decrementAndGet() == 0) {
        closeQuietly(inbound);
        closeQuietly(connected);
        open.remove(inbound);
        open.remove(connected);
      }
    };
    var back = new Thread(() -> pump(connected, inbound, ended), "berth-relay-" + name + "-back");
    back.setDaemon(true);
    back.start();
    pump(inbound, connected, ended);
  }

  /** Copies one direction; at its end, half-closes the other side so that its peer sees the end too. */
  private void pump(Socket from, Socket to, Runnable ended) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
      to.shutdownOutput();
    } catch (IOException e) {
      LOG.trace("relay {}: a connection was reset", name, e);
      closeQuietly(from);
      closeQuietly(to);
    } finally {
      ended.run();
    }
  }

  @Override
  public void close() {
    closeQuietly(server);
    open.forEach(HostRelay::closeQuietly);
    open.clear();
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      LOG.trace("close failed", e);
    }
  }
}
