package dev.berth.internal.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay as a balancer: a target that says nothing while the client waits for it is left for the next, and a
 * client's bytes never go to two targets. Plain sockets on this machine's loopback, no engine.
 */
class HostRelayTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  /** A server of a protocol whose server speaks first: it greets every connection, then echoes a line. */
  private InetSocketAddress greeter(String greeting) throws IOException {
    return server(socket -> {
      socket.getOutputStream().write((greeting + "\n").getBytes(StandardCharsets.UTF_8));
      socket.getInputStream().transferTo(socket.getOutputStream());
    });
  }

  /** A hung server: its listen backlog takes connections, and it never answers; it notes what it was sent. */
  private InetSocketAddress hung(StringBuffer received) throws IOException {
    return server(socket -> {
      byte[] buffer = new byte[64];
      int n = socket.getInputStream().read(buffer);
      if (n > 0) {
        received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
      Thread.sleep(60_000);
    });
  }

  private interface Handler {
    void handle(Socket socket) throws Exception;
  }

  private InetSocketAddress server(Handler handler) throws IOException {
    var server = new ServerSocket(0, 50, LOOPBACK);
    closing.add(server);
    var thread = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          closing.add(socket);
          var each = new Thread(() -> {
            try {
              handler.handle(socket);
            } catch (Exception e) {
              // the test has ended
            }
          });
          each.setDaemon(true);
          each.start();
        } catch (IOException e) {
          return;
        }
      }
    });
    thread.setDaemon(true);
    thread.start();
    return new InetSocketAddress(LOOPBACK, server.getLocalPort());
  }

  /** The targets in turn, as the VIP's rotation gives them; counts how often each was given. */
  private static java.util.function.Supplier<InetSocketAddress> roundRobin(AtomicInteger given,
      InetSocketAddress... targets) {
    return () -> targets[given.getAndIncrement() % targets.length];
  }

  private Socket client(HostRelay relay) throws IOException {
    var socket = new Socket(LOOPBACK, relay.port());
    socket.setSoTimeout(3000);
    closing.add(socket);
    return socket;
  }

  private static String line(InputStream in) throws IOException {
    var text = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      text.append((char) c);
    }
    return text.toString();
  }

  @Test
  void aClientWaitingForTheServerGoesOnToTheNextTargetWhenOneSaysNothing() throws Exception {
    var received = new StringBuffer();
    var given = new AtomicInteger();
    var relay = HostRelay.start("t", LOOPBACK, 0, roundRobin(given, hung(received), greeter("hello")), 300);
    closing.add(relay);

    Socket client = client(relay);
    assertThat(line(client.getInputStream())).isEqualTo("hello");
    client.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
    assertThat(line(client.getInputStream())).as("the connection goes on with the one that answered").isEqualTo("ping");
    assertThat(given).hasValue(2);
    assertThat(received).as("nothing reached the silent one").isEmpty();
  }

  @Test
  void aClientThatSpokeFirstStaysWithItsTargetAndItsBytesGoNowhereElse() throws Exception {
    var received = new StringBuffer();
    var given = new AtomicInteger();
    var relay = HostRelay.start("t", LOOPBACK, 0, roundRobin(given, hung(received), greeter("hello")), 300);
    closing.add(relay);

    Socket client = client(relay);
    client.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    client.setSoTimeout(1000);

    assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    assertThat(given).as("one target only").hasValue(1);
    assertThat(received.toString()).startsWith("GET / HTTP/1.0");
  }

  @Test
  void withoutADeadlineASilentTargetKeepsTheConnection() throws Exception {
    var given = new AtomicInteger();
    var relay = HostRelay.start("t", LOOPBACK, 0, roundRobin(given, hung(new StringBuffer()), greeter("hello")));
    closing.add(relay);

    Socket client = client(relay);
    client.setSoTimeout(1000);

    assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    assertThat(given).hasValue(1);
  }
}
