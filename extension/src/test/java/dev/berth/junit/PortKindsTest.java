package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Discovery;
import dev.berth.Protocol;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.ServiceStartException;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ports other than checked TCP ports: UDP ports are published and listed as {@code _udp} SRV records but never
 * waited for; unchecked ports are published and not waited for either.
 */
class PortKindsTest {

  /** Echoes each datagram on UDP port 5353; listens on no TCP port at all. */
  static final String UDP_ECHO = "import socket\n"
      + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
      + "s.bind(('0.0.0.0', 5353))\n"
      + "while True:\n"
      + "    data, peer = s.recvfrom(512)\n"
      + "    s.sendto(b'echo:' + data, peer)\n";

  @Test
  void aUdpPortIsPublishedAndListedButNotWaitedFor() {
    var run = new KitRun().run(UdpEcho.class, UdpEchoAnnotated.class).assertSucceeded(2);

    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void anUncheckedPortIsNotWaitedFor() {
    new KitRun().run(UncheckedAdminPort.class).assertSucceeded(1);
  }

  /** The same port checked, to show what the unchecked one spares: a start that times out. */
  @Test
  void theSamePortCheckedFailsTheStart() {
    var run = new KitRun().run(CheckedAdminPort.class);

    assertThat(run.onlyFailure()).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("port 9090 did not accept connections");
    assertThat(run.leftovers()).isEmpty();
  }

  /** Sends datagrams until one is echoed: a UDP server is not waited for, so it may bind a moment after the start. */
  static String echo(InetSocketAddress address) throws IOException {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(200);
      byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        socket.send(new DatagramPacket(hello, hello.length, address));
        var reply = new DatagramPacket(new byte[64], 64);
        try {
          socket.receive(reply);
          return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
        }
      }
    }
  }

  @ServiceTest
  static class UdpEcho {
    @ServiceContainer
    static final ServiceSpec echo = ServiceSpec.from("python:3.11-slim").withExposedPort(5353, Protocol.UDP)
        .withCommand("python3", "-u", "-c", UDP_ECHO);

    @Test
    void echoes(@dev.berth.annotations.ServiceHandle("echo") Service echo) throws Exception {
      InetSocketAddress published = echo.hostAddress(5353);
      assertThat(published.getAddress().isLoopbackAddress()).as("bound to 127.0.0.1").isTrue();

      assertThat(echo(published)).isEqualTo("echo:hello");
      List<InetSocketAddress> udp = Discovery.srv("_echo._udp");
      assertThat(udp).extracting(InetSocketAddress::getPort).containsExactly(5353);
      assertThat(Discovery.srv("echo")).as("no TCP ports").isEmpty();
    }
  }

  @ServiceTest
  static class UdpEchoAnnotated {
    @ServiceContainer(image = "python:3.11-slim", ports = 8080, protocols = "5353/udp",
        command = {"sh", "-c", "python3 -m http.server 8080 & exec python3 -u -c \"$ECHO\""},
        env = "ECHO=" + UDP_ECHO)
    static Service both;

    @Test
    void echoesAndServes(@ServiceEndpoint(value = "both", port = 8080) String http) throws Exception {
      assertThat(echo(both.hostAddress(5353))).isEqualTo("echo:hello");
      assertThat(Discovery.srv("_both._udp")).extracting(InetSocketAddress::getPort).containsExactly(5353);
      assertThat(Discovery.srv("both")).extracting(InetSocketAddress::getPort).containsExactly(8080);
    }
  }

  @ServiceTest
  static class UncheckedAdminPort {
    @ServiceContainer(image = "busybox:1.35", ports = 8080, uncheckedPorts = 9090,
        command = {"httpd", "-f", "-p", "8080"})
    static Service web;

    @Test
    void runs(@ServiceEndpoint(value = "web", port = 9090) String admin) {
      assertThat(admin).startsWith("127.0.0.1:");
    }
  }

  @ServiceTest
  static class CheckedAdminPort {
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.from("busybox:1.35").withExposedPort(8080, 9090)
        .withCommand("httpd", "-f", "-p", "8080").withStartupTimeout(Duration.ofSeconds(2));

    @Test
    void needsIt(@ServiceEndpoint(value = "web", port = 9090) String admin) {
    }
  }
}
