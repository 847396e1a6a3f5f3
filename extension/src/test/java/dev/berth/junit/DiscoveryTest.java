package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.Container;
import dev.berth.Discovery;
import dev.berth.ExecResult;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.annotations.ServiceHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
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

  static volatile InetAddress hostServiceAddress;
  static volatile int hostPort;

  /** A run whose only service is on the test machine has no container, yet it takes part in DNS for that service. */
  @Test
  void aServiceOfTheTestMachineAloneIsFoundByDns() throws Exception {
    try (var server = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      hostPort = server.getLocalPort();
      var run = new KitRun().run(OnlyAHostService.class).assertSucceeded(1);

      assertThat(run.servicesCreated()).isZero();
      assertThat(hostServiceAddress).isNotNull();
    }
  }

  @ServiceTest
  static class OnlyAHostService {
    @ServiceContainer
    static final ServiceSpec jvm = ServiceSpec.host("tcp://localhost:" + hostPort);

    @Test
    void isFoundByItsName(@ServiceHandle("jvm") Service jvm) {
      jvm.start();
      hostServiceAddress = Discovery.lookup("jvm").get(0);
    }
  }

  @Test
  void withDnsOffContainersKeepTheEnginesResolverAndBoundAliasesWork() {
    new KitRun().with("berth.dns", "false").run(DnsOff.class).assertSucceeded(1);
  }

  @Test
  void withoutARunDiscoverySaysWhy() {
    assertThatThrownBy(() -> Discovery.lookup("redis")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No Berth run of this JVM takes part in DNS");
  }

  static volatile long removalMillis;
  static volatile long unhealthyMillis;

  @Tag("slow") // about 11 s
  @Test
  void aVipBalancesOverReplicasAndDropsADeadOneWithinASecond() {
    var run = new KitRun().run(Replicated.class).assertSucceeded(1);

    assertThat(removalMillis).isBetween(0L, 1000L);
    assertThat(unhealthyMillis).isBetween(0L, 1000L);
    assertThat(run.servicesCreated()).isEqualTo(3);
    assertThat(run.leftovers()).isEmpty();
  }

  @Tag("slow") // about 11 s
  @Test
  void aPausedReplicaLeavesTheRotationWithinASecondAndTheOthersShareEvenly() {
    var run = new KitRun().run(PausedReplica.class).assertSucceeded(1);

    assertThat(pausedOutMillis).as("ms from the pause until the SRV records had 2 replicas").isBetween(0L, 1000L);
    assertThat(run.leftovers()).isEmpty();
  }

  static volatile long pausedOutMillis;

  /**
   * Three nginx replicas behind the VIP "web". A paused one still accepts connections (nginx's listen backlog is 511)
   * but answers nothing: only its HTTP check tells.
   */
  @ServiceTest
  static class PausedReplica {
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.from("nginx:1.22").withExposedPort(80)
        .withCommand("sh", "-c", "hostname > /usr/share/nginx/html/name && exec nginx -g 'daemon off;'")
        .withReplicas(3).withVip("web", 80);

    @Test
    void pausedOut(@ServiceHandle("web") Service web, @ClientContainer Container client) throws Exception {
      web.start();
      assertThat(Discovery.srv("web")).hasSize(3);
      String paused = Replicated.id("web-0");
      long pausedAt = System.nanoTime();
      Engine.docker().pauseContainerCmd(paused).exec();
      try {
        var watcher = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return Replicated.millisUntilSrvHas(2, pausedAt);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
        ExecResult fifty = client.exec("sh", "-c", "for i in $(seq 50); do timeout 2 wget -qO- http://web/name"
            + " || echo FAILED; done");
        pausedOutMillis = watcher.join();
        long failed = fifty.stdout().lines().filter(l -> l.equals("FAILED")).count();
        System.out.println("a paused replica left the rotation " + pausedOutMillis + " ms after the pause; " + failed
            + " of 50 requests through the VIP failed");
        assertThat(failed).as(fifty.stdout()).isLessThanOrEqualTo(1);

        Map<String, Long> spread = answers(client, 300, "timeout 2 wget -qO- http://web/name");
        System.out.println("300 requests through the VIP with one replica paused: " + spread);
        assertThat(spread).doesNotContainKey("FAILED").hasSize(2);
        assertThat(spread.values()).allSatisfy(n -> assertThat(n).isBetween(135L, 165L));
      } finally {
        Engine.docker().unpauseContainerCmd(paused).exec();
      }
    }
  }

  @Test
  void aVipDeclaredInTheAnnotationListensOnAPortOfItsOwnAndBalancesTheJvmsConnectionsToo() {
    var run = new KitRun().run(AnnotatedVip.class).assertSucceeded(1);

    assertThat(run.servicesCreated()).isEqualTo(3);
    assertThat(run.leftovers()).isEmpty();
  }

  /** Three busybox web servers on 8080 behind the VIP web:80, declared by the annotation alone. */
  @ServiceTest
  static class AnnotatedVip {
    @ServiceContainer(image = "busybox:1.35", ports = 8080, replicas = 3, vip = "web:80->8080", portNames = "http=8080",
        command = {"sh", "-c", "mkdir -p /www && hostname > /www/name && httpd -p 8080 -h /www"
            + " && exec sleep 2147483647"})
    static Service web;

    @Test
    void balances(@ClientContainer Container client, @ServiceEndpoint(value = "web", port = 80) String vip)
        throws Exception {
      web.start();
      assertThat(vip).isEqualTo("127.0.0.1:" + web.hostAddress(80).getPort());
      assertThat(Discovery.srv("_http._web._tcp")).as("the named port's SRV records, of every replica").hasSize(3)
          .extracting(InetSocketAddress::getPort).containsOnly(8080);
      Map<String, Long> fromClient = answers(client, 90, "wget -qO- http://web/name");
      System.out.println("90 connections to web:80 from a client: " + fromClient);
      assertThat(fromClient).doesNotContainKey("FAILED").hasSize(3);
      assertThat(fromClient.values()).allSatisfy(n -> assertThat(n).isEqualTo(30L));

      // The test JVM's connections to the VIP's ports, the replicas' 8080 and the VIP's own 80, are balanced too.
      var fromJvm = new java.util.TreeMap<String, Long>();
      for (int port : new int[] {8080, 80}) {
        InetSocketAddress address = web.hostAddress(port);
        assertThat(address.getAddress().isLoopbackAddress()).as("%s", address).isTrue();
        for (int i = 0; i < 30; i++) {
          try (var in = new java.net.URL("http://" + address.getHostString() + ":" + address.getPort() + "/name")
              .openStream()) {
            fromJvm.merge(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip(), 1L,
                Long::sum);
          }
        }
      }
      System.out.println("60 connections to the VIP's published ports from the test JVM: " + fromJvm);
      assertThat(fromJvm).isEqualTo(fromClient.keySet().stream().collect(java.util.stream.Collectors.toMap(
          name -> name, name -> 20L, (a, b) -> a, java.util.TreeMap::new)));
    }
  }

  /** Runs {@code request} {@code count} times in one exec; counts its answers (FAILED for each that failed). */
  static Map<String, Long> answers(Container client, int count, String request) {
    ExecResult r = client.exec("sh", "-c", "for i in $(seq " + count + "); do " + request + " || echo FAILED; done");
    return r.stdout().lines().collect(java.util.stream.Collectors.groupingBy(l -> l, java.util.TreeMap::new,
        java.util.stream.Collectors.counting()));
  }

  /** The redis container's address on its run's network, as the engine reports it. */
  static String address(String service) {
    var found = Engine.docker().listContainersCmd()
        .withLabelFilter(Map.of("dev.berth.session", Fixtures.session, "dev.berth.service", service)).exec();
    assertThat(found).hasSize(1);
    return found.get(0).getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
  }

  /** Three busybox web servers answering with their hostname, behind the VIP "web". */
  @ServiceTest
  static class Replicated {
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "mkdir -p /www && hostname > /www/name && httpd -p 8080 -h /www"
            + " && exec sleep 2147483647")
        .withReplicas(3).withVip("web", 8080);

    static String id(String service) {
      return Engine.docker().listContainersCmd()
          .withLabelFilter(Map.of("dev.berth.session", Fixtures.session, "dev.berth.service", service)).exec()
          .get(0).getId();
    }

    static long millisUntilSrvHas(int count, long since) throws InterruptedException {
      while (Discovery.srv("web").size() != count && System.nanoTime() - since < 5_000_000_000L) {
        Thread.sleep(10);
      }
      return (System.nanoTime() - since) / 1_000_000;
    }

    /** Makes {@code count} connections to the VIP from one exec; counts the answers by replica. */
    static Map<String, Long> through(Container client, int count) {
      return answers(client, count, "wget -qO- http://web:8080/name");
    }

    static java.util.Set<String> names(Container client, int requests) {
      var seen = new java.util.TreeSet<String>();
      for (int i = 0; i < requests; i++) {
        ExecResult r = client.exec("wget", "-qO-", "http://web:8080/name");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        seen.add(r.stdout().trim());
      }
      return seen;
    }

    @Test
    void balances(@ServiceHandle("web") Service web, @ClientContainer Container client) throws Exception {
      web.start();
      String gateway = client.exec("sh", "-c", "ip route | awk '/default/ {print $3}'").stdout().trim();

      assertThat(Discovery.lookup("web")).containsExactly(InetAddress.getByName(gateway));
      List<InetSocketAddress> replicas = Discovery.srv("web");
      assertThat(replicas).hasSize(3).extracting(InetSocketAddress::getPort).containsOnly(8080);
      assertThat(names(client, 9)).hasSize(3);

      // 300 connections through the VIP reach every replica.
      Map<String, Long> spread = through(client, 300);
      System.out.println("300 connections through the VIP 'web': " + spread);
      assertThat(spread).hasSize(3).doesNotContainKey("FAILED");
      InetAddress vip = Discovery.lookup("web").get(0);

      // A container that exits leaves at once (the next 100 connections all succeed); one that stops listening
      // leaves at the next health check. The VIP's address stays.
      String exited = address("web-0");
      long killed = System.nanoTime();
      var watcher = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return millisUntilSrvHas(2, killed);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      Engine.docker().killContainerCmd(id("web-0")).exec();
      Map<String, Long> afterKill = through(client, 100);
      System.out.println("100 connections right after a replica was killed: " + afterKill);
      assertThat(afterKill).doesNotContainKey("FAILED");
      assertThat(afterKill.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(100);
      removalMillis = watcher.join();
      assertThat(Discovery.lookup("web")).containsExactly(vip);
      String deaf = address("web-1");
      var exec = Engine.docker().execCreateCmd(id("web-1")).withCmd("killall", "httpd").exec();
      Engine.docker().execStartCmd(exec.getId()).exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<>())
          .awaitCompletion();
      unhealthyMillis = millisUntilSrvHas(1, System.nanoTime());
      System.out.println("replicas left the SRV records " + removalMillis + " ms after a kill, " + unhealthyMillis
          + " ms after their server stopped");

      assertThat(Discovery.srv("web")).singleElement().satisfies(a -> assertThat(a.getAddress().getHostAddress())
          .isNotEqualTo(exited).isNotEqualTo(deaf).isEqualTo(address("web-2")));
      assertThat(names(client, 6)).hasSize(1);
    }
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

  /** Under berth.dns=false: no zone, no search domain, no Discovery; the binding's /etc/hosts entry as ever. */
  @ServiceTest
  static class DnsOff {
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "mkdir -p /www && echo off > /www/index.html && exec httpd -f -p 8080 -h /www");

    @Test
    void aliasesOnly(@BindService("web") @ClientContainer Container client) {
      assertThat(client.readFile("/etc/resolv.conf")).doesNotContain("berth.local");
      assertThat(client.exec("wget", "-qO-", "http://web:8080/").stdout()).isEqualTo("off\n");
      assertThatThrownBy(Discovery::zone).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("unless berth.dns=false");
    }
  }
}
