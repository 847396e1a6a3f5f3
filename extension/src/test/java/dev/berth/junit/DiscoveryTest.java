package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.Container;
import dev.berth.Discovery;
import dev.berth.ExecResult;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Service discovery by DNS: from containers through the engine's resolver, and from the test JVM. */
class DiscoveryTest {

  static volatile String zone;

  @Test
  void servicesAreFoundByDnsFromContainersAndTheJvmUntilTheyStop() {
    var run = new KitRun().run(RedisByDns.class).assertSucceeded(2);

    assertThat(zone).isEqualTo(run.session + ".berth.local");
    assertThat(run.leftovers()).isEmpty();
    // The run's server is closed with the run: discovery no longer answers for its zone.
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("berth-dns-"));
    String after;
    try {
      after = Discovery.zone();
    } catch (IllegalStateException e) {
      after = "none";
    }
    assertThat(after).isNotEqualTo(zone + ".");
  }

  @Test
  void withoutARunDiscoverySaysWhy() {
    assertThatThrownBy(() -> Discovery.lookup("redis")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No Berth run of this JVM serves DNS");
  }

  /** The redis container's address on its run's network, as the engine reports it. */
  static String address(String service) {
    var found = Engine.docker().listContainersCmd()
        .withLabelFilter(Map.of("dev.berth.session", Fixtures.session, "dev.berth.service", service)).exec();
    assertThat(found).hasSize(1);
    return found.get(0).getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
  }

  @ServiceTest
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class RedisByDns {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    @Order(1)
    void resolves(@ServiceHandle("redis") Service redis, @ClientContainer Container client) throws Exception {
      redis.start();
      zone = Discovery.zone().replaceAll("\\.$", "");
      String address = address("redis");

      // "redis" is no alias on the network and the client binds nothing: only the run's zone knows it.
      ExecResult srv = client.exec("nslookup", "-type=SRV", "_redis._tcp." + zone);
      assertThat(srv.stdout()).as(srv.toString())
          .containsPattern("_redis\\._tcp\\." + zone.replace(".", "\\.") + "\\s+service = 0 1 6379 "
              + redis.hostname() + "\\." + zone.replace(".", "\\."));
      ExecResult byHostname = client.exec("nslookup", redis.hostname());
      assertThat(byHostname.stdout()).as(byHostname.toString()).contains("Address: " + address);
      ExecResult byName = client.exec("nslookup", "redis");
      assertThat(byName.stdout()).as(byName.toString()).contains("redis." + zone).contains("Address: " + address);

      assertThat(Discovery.lookup("redis")).containsExactly(InetAddress.getByName(address));
      assertThat(Discovery.lookup(redis.hostname() + "." + zone)).containsExactly(InetAddress.getByName(address));
      List<InetSocketAddress> ports = Discovery.srv("redis");
      assertThat(ports).extracting(InetSocketAddress::getPort).containsExactly(6379);
      assertThat(ports.get(0).getAddress()).isEqualTo(InetAddress.getByName(address));
      assertThat(Discovery.srv(redis.hostname())).isEqualTo(ports);
      assertThat(Fixtures.ping(ports.get(0))).isEqualTo("+PONG");
    }

    @Test
    @Order(2)
    void goneAfterTheServiceStops(@ServiceHandle("redis") Service redis, @ClientContainer Container client) {
      redis.stop();

      assertThat(Discovery.lookup("redis")).isEmpty();
      assertThat(Discovery.srv("redis")).isEmpty();
      ExecResult srv = client.exec("nslookup", "-type=SRV", "_redis._tcp." + zone);
      assertThat(srv.stdout() + srv.stderr()).as(srv.toString()).doesNotContain("6379").contains("NXDOMAIN");
    }
  }
}
