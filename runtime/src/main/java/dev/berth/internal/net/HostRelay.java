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
  /** How often, while neither side of a new connection has spoken, it looks whether the client has. */
  private static final int SILENCE_POLL_MILLIS = 2;

  private final String name;
  private final Supplier<InetSocketAddress> target;
  private final ServerSocket server;
  /** 0, or how long a target may stay silent, while the client is too, before the next target is tried. */
  private final int firstByteMillis;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private HostRelay(String name, Supplier<InetSocketAddress> target, ServerSocket server, int firstByteMillis) {
    this.name = name;
    this.target = target;
    this.server = server;
    this.firstByteMillis = firstByteMillis;
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
    return start(name, gateway, port, target, 0);
  }

  /**
   * Starts relaying {@code gateway:port} as a balancer does, to the address {@code target} gives for each connection:
   * a target that sends nothing within {@code firstByteMillis} while the client has sent nothing either (a hung
   * server of a protocol whose server speaks first, such as MySQL's or SMTP's) is left for the next target, which
   * is safe because nothing reached it yet. Once the client has sent a byte, the connection stays where it is.
   *
   * @throws IOException if the gateway's port cannot be bound
   */
  public static HostRelay start(String name, InetAddress gateway, int port, Supplier<InetSocketAddress> target,
      int firstByteMillis) throws IOException {
    var server = new ServerSocket();
    try {
      server.bind(new InetSocketAddress(gateway, port), 64);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    var relay = new HostRelay(name, target, server, firstByteMillis);
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
    int firstByte = -1;
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
        if (firstByteMillis > 0) {
          firstByte = firstByte(inbound, socket);
          if (firstByte == SILENT && attempt < CONNECT_ATTEMPTS) {
            LOG.debug("'{}': {} sent nothing in {} ms, nor did the client; trying the next target", name, to,
                firstByteMillis);
            closeQuietly(socket);
            open.remove(socket);
            continue;
          }
        }
        outbound = socket;
      } catch (IOException e) {
        closeQuietly(socket);
        open.remove(socket);
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
    if (firstByte >= 0) {
      try {
        inbound.getOutputStream().write(firstByte);
      } catch (IOException e) {
        LOG.trace("relay {}: a connection was reset", name, e);
      }
    }
    var back = new Thread(() -> pump(connected, inbound, ended), "berth-relay-" + name + "-back");
    back.setDaemon(true);
    back.start();
    pump(inbound, connected, ended);
  }

  /** What {@link #firstByte} says when neither side spoke in time, or the client spoke first. */
  private static final int SILENT = -2;
  private static final int CLIENT_FIRST = -1;

  /**
   * Waits, at most {@link #firstByteMillis}, for the first of the two to speak: the target's first byte (read, so
   * it is to be passed on), {@link #CLIENT_FIRST} when the client has bytes for it, {@link #SILENT} when neither
   * spoke, or the target closed the connection.
   */
  private int firstByte(Socket inbound, Socket outbound) throws IOException {
    long deadline = System.nanoTime() + firstByteMillis * 1_000_000L;
    outbound.setSoTimeout(SILENCE_POLL_MILLIS);
    try {
      while (true) {
        if (inbound.getInputStream().available() > 0) {
          return CLIENT_FIRST;
        }
        try {
          int b = outbound.getInputStream().read();
          return b < 0 ? SILENT : b;
        } catch (java.net.SocketTimeoutException e) {
          if (System.nanoTime() >= deadline) {
            return SILENT;
          }
        }
      }
    } finally {
      outbound.setSoTimeout(0);
    }
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

  /** The port it accepts connections on: the one asked for, or the one the system chose for port 0. */
  public int port() {
    return server.getLocalPort();
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
