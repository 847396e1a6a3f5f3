package dev.berth.internal.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/**
 * A resolver of the outside world for tests, on 127.0.0.1 (UDP and TCP, one port), that drops a given share of the
 * UDP queries it gets, as real networks do. Names outside {@code outside.test.} do not exist (NXDOMAIN, as the root
 * says of a top-level domain that is not there). Names under it: {@code missing-*} do not exist
 * (NXDOMAIN, negative TTL 30 s); {@code nocache-*} answer with TTL 0; {@code big-*} answer truncated over UDP and in
 * full (20 addresses) over TCP; any other name answers 192.0.2.1 with TTL 60.
 */
final class DroppingResolver implements AutoCloseable {

  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final double dropShare;
  private final Random random = new Random(42);
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger dropped = new AtomicInteger();
  private final AtomicInteger overTcp = new AtomicInteger();

  DroppingResolver(double dropShare) throws IOException {
    this.dropShare = dropShare;
    InetAddress loopback = InetAddress.getLoopbackAddress();
    udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
    tcp = new ServerSocket(udp.getLocalPort(), 50, loopback);
    start(this::udpLoop);
    start(this::tcpLoop);
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
  }

  /** Queries received over UDP, dropped ones included. */
  int received() {
    return received.get();
  }

  int dropped() {
    return dropped.get();
  }

  int overTcp() {
    return overTcp.get();
  }

  private void udpLoop() {
    while (!udp.isClosed()) {
      var packet = new DatagramPacket(new byte[4096], 4096);
      try {
        udp.receive(packet);
        received.incrementAndGet();
        boolean drop;
        synchronized (random) {
          drop = random.nextDouble() < dropShare;
        }
        if (drop) {
          dropped.incrementAndGet();
          continue;
        }
        byte[] reply = answer(new Message(packet.getData()), false).toWire(512);
        udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
      } catch (IOException e) {
        // closed, or a malformed query: go on
      }
    }
  }

  private void tcpLoop() {
    while (!tcp.isClosed()) {
      try (Socket connection = tcp.accept()) {
        overTcp.incrementAndGet();
        var in = new DataInputStream(connection.getInputStream());
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        byte[] reply = answer(new Message(query), true).toWire();
        var out = new DataOutputStream(connection.getOutputStream());
        out.writeShort(reply.length);
        out.write(reply);
        out.flush();
      } catch (IOException e) {
        // closed: the loop ends
      }
    }
  }

  private static Message answer(Message query, boolean tcp) throws IOException {
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setFlag(Flags.QR);
    reply.getHeader().setFlag(Flags.RA);
    Record question = query.getQuestion();
    reply.addRecord(question, Section.QUESTION);
    Name name = question.getName();
    String label = name.getLabelString(0);
    if (!name.subdomain(Name.fromString("outside.test.")) || label.startsWith("missing-")) {
      reply.getHeader().setRcode(Rcode.NXDOMAIN);
      Name zone = Name.fromString("outside.test.");
      reply.addRecord(new SOARecord(zone, DClass.IN, 30, Name.fromString("ns.outside.test."),
          Name.fromString("hostmaster.outside.test."), 1, 60, 60, 60, 30), Section.AUTHORITY);
    } else if (label.startsWith("big-") && !tcp) {
      reply.getHeader().setFlag(Flags.TC);
    } else {
      int count = label.startsWith("big-") ? 20 : 1;
      long ttl = label.startsWith("nocache-") ? 0 : 60;
      for (int i = 1; i <= count; i++) {
        reply.addRecord(new ARecord(name, DClass.IN, ttl, InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2,
            (byte) i})), Section.ANSWER);
      }
    }
    return reply;
  }

  private static void start(Runnable loop) {
    Thread thread = new Thread(loop, "dropping-resolver");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    udp.close();
    tcp.close();
  }
}
