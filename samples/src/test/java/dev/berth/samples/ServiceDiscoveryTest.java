package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.Discovery;
import dev.berth.Service;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceHandle;
import dev.berth.junit.ServiceTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Service discovery: the session's DNS zone names every ready service, with an SRV record per port, for containers
 * and for the test JVM. The instance id keeps this redis apart from the other samples'.
 */
@ServiceTest
class ServiceDiscoveryTest {

  @ServiceContainer(image = "redis:7.0", ports = 6379, instance = "discovery")
  static Service redis;

  /** Discovery works once a run has started a service and could bind port 53 (root). */
  @BeforeEach
  void needsDns() {
    redis.start();
    try {
      Discovery.zone();
    } catch (IllegalStateException e) {
      Assumptions.abort("No DNS in this run (port 53 needs root): " + e.getMessage());
    }
  }

  // tag::discovery[]
  @Test
  void find(@ServiceHandle("redis") Service redis, @ClientContainer Container client) {
    redis.start();
    String srv = client.exec("nslookup", "-type=SRV", "_redis._tcp." + Discovery.zone()).stdout();
    String a = client.exec("nslookup", "redis").stdout();          // short names: the zone is the search domain
    List<InetAddress> addresses = Discovery.lookup("redis");       // from the test JVM
    List<InetSocketAddress> ports = Discovery.srv("redis");        // [berth-....berth.local/172.18.0.2:6379]

    assertThat(srv).contains("6379 " + redis.hostname());
    assertThat(ports).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(6379));
    assertThat(a).contains(addresses.get(0).getHostAddress());
  }
  // end::discovery[]
}
