package dev.berth.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Discovery;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When the JVM that served the session's DNS ends, another takes the port over within about 100 ms; a lookup in that
 * moment waits for it instead of failing. Here the server comes up 300 ms after the lookup is sent, on a free port of
 * the loopback address, without an engine.
 */
class DiscoveryTakeoverTest {

  @Test
  void aLookupWaitsForTheServerToBeTakenOver() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    int port;
    try (var free = new DatagramSocket(0, loopback)) {
      port = free.getLocalPort();
    }
    var zone = new DnsZone(DnsZone.forSession("takeover"));
    zone.register("d1", "c1", "berth-aa", List.of("web"), List.of("web"), InetAddress.getByName("10.1.0.40"),
        List.of(8080));
    var server = new DiscoveryServers.Server(new InetSocketAddress(loopback, port), zone.origin());
    CompletableFuture<DnsServer> takenOver = CompletableFuture.supplyAsync(() -> {
      try {
        Thread.sleep(300);
        return DnsServer.start(zone, loopback, port);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    DiscoveryServers.activate(server);
    try {
      assertThat(Discovery.lookup("web")).containsExactly(InetAddress.getByName("10.1.0.40"));
    } finally {
      DiscoveryServers.deactivate(server);
      takenOver.get(10, TimeUnit.SECONDS).close();
    }
  }
}
