package dev.berth.internal.dns;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's DNS server in this JVM: answers for its {@link DnsRecords} over UDP and TCP on the host's address on
 * the session's network, port 53, where the engine's resolver in each container forwards what it cannot answer
 * itself. Names outside the zone go on to the test machine's own resolvers, so containers still resolve the outside
 * world.
 */
final class DnsServer implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  static final int PORT = 53;

  private final DnsRecords records;
  private final List<InetSocketAddress> upstream;
  private final InetSocketAddress address;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final ExecutorService workers;
  private DnsResponder responder;

  private DnsServer(DnsRecords records, List<InetSocketAddress> upstream, InetSocketAddress address,
      DatagramSocket udp, ServerSocket tcp) {
    this.records = records;
    this.upstream = upstream;
    this.address = address;
    this.udp = udp;
    this.tcp = tcp;
    var count = new AtomicInteger();
    this.workers = Executors.newCachedThreadPool(task -> {
      var thread = new Thread(task, "berth-dns-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts answering on {@code address:port}. Binding needs only the JDK; dnsjava, which takes a fresh JVM about
   * 100 ms of CPU to load, is loaded by the first query (a run whose containers ask nothing never loads it).
   *
   * @throws IOException if either socket cannot be bound (not root, or the port is taken)
   */
  static DnsServer start(DnsRecords records, InetAddress address, int port) throws IOException {
    return start(records, address, port, List.of());
  }

  /** Starts answering, asking {@code upstream} (empty: the machine's resolvers) about names outside the zone. */
  static DnsServer start(DnsRecords records, InetAddress address, int port, List<InetSocketAddress> upstream)
      throws IOException {
    var udp = new DatagramSocket(null);
    var tcp = new ServerSocket();
    try {
      udp.bind(new InetSocketAddress(address, port));
      tcp.bind(new InetSocketAddress(address, udp.getLocalPort()), 64);
    } catch (IOException e) {
      udp.close();
      tcp.close();
      throw e;
    }
    var server = new DnsServer(records, upstream, new InetSocketAddress(address, udp.getLocalPort()), udp, tcp);
    server.workers.execute(server::udpLoop);
    server.workers.execute(server::tcpLoop);
    return server;
  }

  InetSocketAddress address() {
    return address;
  }

  private void udpLoop() {
    while (!udp.isClosed()) {
      var packet = new DatagramPacket(new byte[4096], 4096);
      try {
        udp.receive(packet);
      } catch (IOException e) {
        if (!udp.isClosed()) {
          LOG.debug("DNS server on {} stopped receiving", address, e);
        }
        return;
      }
      workers.execute(() -> {
        byte[] reply = responder().respond(java.util.Arrays.copyOf(packet.getData(), packet.getLength()), 512);
        if (reply != null) {
          try {
            udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
          } catch (IOException e) {
            LOG.trace("DNS reply to {} failed", packet.getSocketAddress(), e);
          }
        }
      });
    }
  }

  private void tcpLoop() {
    while (!tcp.isClosed()) {
      Socket connection;
      try {
        connection = tcp.accept();
      } catch (IOException e) {
        if (!tcp.isClosed()) {
          LOG.debug("DNS server on {} stopped accepting", address, e);
        }
        return;
      }
      workers.execute(() -> serveTcp(connection));
    }
  }

  private void serveTcp(Socket connection) {
    try (connection) {
      connection.setSoTimeout(10_000);
      var in = new DataInputStream(connection.getInputStream());
      var out = new DataOutputStream(connection.getOutputStream());
      while (true) {
        int length;
        try {
          length = in.readUnsignedShort();
        } catch (java.io.EOFException e) {
          return;
        }
        byte[] query = new byte[length];
        in.readFully(query);
        byte[] reply = responder().respond(query, 65535);
        if (reply == null) {
          return;
        }
        out.writeShort(reply.length);
        out.write(reply);
        out.flush();
      }
    } catch (IOException e) {
      LOG.trace("DNS connection ended", e);
    }
  }

  /** Made by the first query: see {@link DnsResponder}. */
  private synchronized DnsResponder responder() {
    if (responder == null) {
      responder = new DnsResponder(records, upstream);
    }
    return responder;
  }

  @Override
  public void close() {
    try {
      udp.close();
      tcp.close();
    } catch (IOException e) {
      LOG.trace("closing the DNS server failed", e);
    }
    workers.shutdownNow();
  }
}
