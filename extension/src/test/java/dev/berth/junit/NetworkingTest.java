package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Event;
import com.sun.net.httpserver.HttpServer;
import dev.berth.BerthException;
import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceHandle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Host services into containers, global hostnames, explicit stop, cache volumes and the "up" runner. */
class NetworkingTest {

  static volatile int port;
  static volatile String cacheName;
  private HttpServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void hostServiceListeningOnLoopbackOnlyIsReachableUnderItsAliasAndPort() throws IOException {
    serveOnLoopback();

    var run = new KitRun().run(HostHttp.class).assertSucceeded(1);

    assertThat(run.leftovers()).isEmpty();
  }

  /**
   * A host service's hostname resolves in the run's containers, as a container service's does, and it can be offered
   * on ports other than its own, several at once.
   */
  @Test
  void hostServicesAreReachedByTheirHostnameAndOnRelayedPorts() throws IOException {
    serveOnLoopback();

    var run = new KitRun().run(HostByHostname.class).assertSucceeded(1);

    assertThat(run.leftovers()).isEmpty();
  }

  /** An HTTP server of the test JVM on 127.0.0.1 only, at {@link #port}, answering "from the test JVM". */
  private void serveOnLoopback() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = "from the test JVM".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    port = server.getAddress().getPort();
  }

  @Test
  void closedHostPortFailsNamingTheAddress() throws IOException {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    var run = new KitRun().run(ClosedHostPort.class);

    assertThat(run.onlyFailure()).isInstanceOf(BerthException.class)
        .hasMessageContaining("Host service 'db' (tcp://localhost:" + port + ") is not listening")
        .hasMessageContaining("Start it before the first test that binds it");
  }

  @Test
  void globalHostnamesLetServicesReachEachOther() {
    new KitRun().run(Interdependent.class).assertSucceeded(1);
  }

  /** hostname() and endpoint() name the global hostname, alphabetically first of several, and a client reaches it. */
  @Test
  void theHandleOfAServiceWithGlobalHostnamesNamesTheFirst() {
    new KitRun().run(GloballyNamed.class).assertSucceeded(1);
  }

  @Test
  void twoServicesCannotShareAGlobalHostname() {
    var run = new KitRun().run(HostnameClash.class);

    assertThat(run.onlyFailure())
        .hasMessageContaining("Hostname 'api'")
        .hasMessageContaining("is taken in this run by another service");
  }

  @Test
  void stopIsRefusedWhileOthersHoldTheServiceAndThenStopsGentlyThenByForce() {
    var run = new KitRun().with("berth.stopTimeout", "2s").run(ExplicitStop.class).assertSucceeded(2);

    List<Event> kills = run.events("kill").stream()
        .filter(e -> "stubborn".equals(e.getActor().getAttributes().get("dev.berth.service"))).toList();
    assertThat(kills).extracting(e -> e.getActor().getAttributes().get("signal")).containsExactly("15", "9");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void cacheVolumeOutlivesTheRunUntilPruned() {
    String cache = "test-" + Long.toHexString(System.nanoTime());
    cacheName = cache;
    new KitRun().with("berth.cacheVolumes.prune", "false").run(CacheUser.class).assertSucceeded(1);
    String volume = "berth-cache-" + cache;

    var kept = Engine.docker().inspectVolumeCmd(volume).exec();
    assertThat(kept.getLabels()).containsEntry("dev.berth.cache", "true").containsEntry("dev.berth.cache.name", cache);

    new KitRun().with("berth.cacheVolumes.prune", "true").run(CacheUser.class).assertSucceeded(1);
    assertThat(Engine.docker().listVolumesCmd().withFilter("name", List.of(volume)).exec().getVolumes())
        .noneMatch(v -> v.getName().equals(volume));
  }

  @Test
  void aServiceRunsAsItsUserWithItsShmSize() {
    new KitRun().run(UserAndShm.class).assertSucceeded(1);
  }

  @Test
  void tmpfsIsMountedWithItsOptions() {
    var run = new KitRun().run(TmpfsUser.class);

    run.assertSucceeded(1);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void upStartsEveryServiceOnTheHostPortsAskedFor() throws Exception {
    int free;
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      free = socket.getLocalPort();
    }
    var printed = new ByteArrayOutputStream();
    String session = "up-" + Long.toHexString(System.nanoTime());
    System.setProperty("berth.session", session);
    try (BerthUp up = BerthUp.start(new String[] {UpTarget.class.getName(), "--ports", free + ":6379"},
        new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      assertThat(printed.toString(StandardCharsets.UTF_8)).contains("redis  berth-").contains("127.0.0.1:" + free
          + " -> 6379").containsPattern("www  berth-\\w+  127\\.0\\.0\\.1:\\d+ -> 8080");
      assertThat(Fixtures.ping(new InetSocketAddress("127.0.0.1", free))).isEqualTo("+PONG");
      assertThat(up.services()).containsOnlyKeys("redis", "www");
    } finally {
      System.clearProperty("berth.session");
    }
    assertThat(Engine.leftovers(session)).isEmpty();
  }

  @Test
  void upStopsEverythingOnCtrlC() throws Exception {
    // A build started with SIGINT ignored (a shell's background job without job control, some timing tools) passes
    // that on to every JVM it starts: BerthUp could not see the Ctrl-C.
    Assumptions.assumeFalse(ignoresSigint(), "SIGINT is ignored in this process, so in the runner it starts too");
    String session = "up-" + Long.toHexString(System.nanoTime());
    String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // No watchdog: what is removed here, the runner removed itself on SIGINT.
    Process up = new ProcessBuilder(javaBin, "-Dberth.session=" + session, "-Dberth.watchdog=false", "-cp",
        System.getProperty("java.class.path"),
        BerthUp.class.getName(), UpTarget.class.getName(), "--random").redirectErrorStream(true).start();
    try {
      var output = new java.io.BufferedReader(new java.io.InputStreamReader(up.getInputStream(),
          StandardCharsets.UTF_8));
      String line;
      var seen = new StringBuilder();
      while ((line = output.readLine()) != null && !line.startsWith("Press Ctrl-C")) {
        seen.append(line).append('\n');
      }
      assertThat(seen.toString()).contains("redis  berth-").contains("-> 6379").contains("www  berth-");
      assertThat(Engine.running(session, "service")).hasSize(2);

      new ProcessBuilder("kill", "-INT", String.valueOf(up.pid())).start().waitFor();

      assertThat(up.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(Engine.leftovers(session)).isEmpty();
    } finally {
      up.destroyForcibly().waitFor();
      // Without its watchdog, a runner killed here leaves its services: remove them so a failure leaks nothing.
      Engine.docker().listContainersCmd().withShowAll(true).withLabelFilter(java.util.Map.of("dev.berth.session",
          session)).exec().forEach(c -> Engine.docker().removeContainerCmd(c.getId()).withForce(true).exec());
      Engine.docker().listNetworksCmd().withFilter("label", List.of("dev.berth.session=" + session)).exec()
          .forEach(n -> Engine.docker().removeNetworkCmd(n.getId()).exec());
    }
  }

  /** Whether this process ignores SIGINT ({@code SigIgn} in its status: bit 1 is signal 2). */
  private static boolean ignoresSigint() throws IOException {
    return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
        .filter(line -> line.startsWith("SigIgn:")).findFirst()
        .map(line -> (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & 2L) != 0)
        .orElse(false);
  }

  @Test
  void upWithRandomPortsPublishesNothingFixed() throws Exception {
    var printed = new ByteArrayOutputStream();
    try (BerthUp up = BerthUp.start(new String[] {UpTarget.class.getName(), "--random"},
        new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      InetSocketAddress redis = up.services().get("redis").hostAddress(6379);
      assertThat(redis.getPort()).isNotEqualTo(6379);
      assertThat(Fixtures.ping(redis)).isEqualTo("+PONG");
    }
  }

  @ServiceTest
  static class HostHttp {
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.host("tcp://localhost:" + port);

    @Test
    void get(@BindService("web") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://web:" + port + "/").stdout()).isEqualTo("from the test JVM");
    }
  }

  @ServiceTest
  static class HostByHostname {
    @ServiceContainer
    static final ServiceSpec own = ServiceSpec.host("tcp://localhost:" + port);

    @ServiceContainer
    static final ServiceSpec relayed = ServiceSpec.host("tcp://localhost").withRelayedPort(8080, port)
        .withRelayedPort(9090, port);

    @Test
    void get(@ServiceHandle("own") Service own, @ServiceHandle("relayed") Service relayed,
        @ClientContainer Container client) {
      own.start();
      relayed.start();

      assertThat(client.exec("wget", "-qO-", "http://" + own.endpoint() + "/").stdout())
          .isEqualTo("from the test JVM");
      assertThat(client.exec("wget", "-qO-", "http://" + relayed.endpoint(8080) + "/").stdout())
          .isEqualTo("from the test JVM");
      assertThat(client.exec("wget", "-qO-", "http://" + relayed.hostname() + ":9090/").stdout())
          .isEqualTo("from the test JVM");
      assertThat(relayed.hostAddress(9090).getPort()).isEqualTo(port);
    }
  }

  @ServiceTest
  static class ClosedHostPort {
    @ServiceContainer
    static final ServiceSpec db = ServiceSpec.host("tcp://localhost:" + port);

    @Test
    void test(@BindService("db") Container client) {
    }
  }

  /** Each one serves its own name and fetches the other's by its global hostname: a cycle bindings cannot make. */
  @ServiceTest
  static class Interdependent {
    @ServiceContainer
    static final ServiceSpec alpha = peer("alpha", "beta");

    @ServiceContainer
    static final ServiceSpec beta = peer("beta", "alpha");

    static ServiceSpec peer(String self, String other) {
      return ServiceSpec.from("busybox:1.35").withHostname(self).withExposedPort(8080).withCommand("sh", "-c",
          "mkdir -p /www && echo " + self + " > /www/name && httpd -p 8080 -h /www"
              + " && until wget -qO /www/peer http://" + other + ":8080/name; do sleep 0.1; done"
              + " && exec sleep 2147483647");
    }

    @Test
    void eachReachesTheOther(@ServiceHandle("alpha") Service alpha, @ServiceHandle("beta") Service beta,
        @ClientContainer Container client) {
      alpha.start();
      beta.start();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(client.exec("wget", "-qO-", "http://alpha:8080/peer").stdout()).isEqualTo("beta\n");
        assertThat(client.exec("wget", "-qO-", "http://beta:8080/peer").stdout()).isEqualTo("alpha\n");
      });
    }
  }

  @ServiceTest
  static class GloballyNamed {
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.from("busybox:1.35").withHostname("www").withHostname("api")
        .withExposedPort(8080)
        .withCommand("sh", "-c", "mkdir -p /www && echo named > /www/name && exec httpd -f -p 8080 -h /www");

    @Test
    void reachedByItsEndpoint(@ServiceHandle("web") Service web, @ClientContainer Container client) {
      web.start();

      assertThat(web.hostname()).isEqualTo("api");
      assertThat(web.endpoint()).isEqualTo("api:8080");
      assertThat(client.exec("wget", "-qO-", "http://" + web.endpoint(8080) + "/name").stdout()).isEqualTo("named\n");
    }
  }

  @ServiceTest
  static class HostnameClash {
    @ServiceContainer
    static final ServiceSpec one = Fixtures.REDIS.withHostname("api");

    @ServiceContainer
    static final ServiceSpec two = Fixtures.REDIS.withInstanceId("two").withHostname("api");

    @Test
    void test(@ServiceHandle("one") Service one, @ServiceHandle("two") Service two) {
      one.start();
      two.start();
    }
  }

  @ServiceTest
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class ExplicitStop {
    /** Ignores SIGTERM, so a stop has to wait and then kill. */
    @ServiceContainer(name = "stubborn", image = "busybox:1.35", ports = 8080,
        command = {"sh", "-c", "trap '' TERM; httpd -p 8080; while true; do sleep 1; done"})
    static Service stubborn;

    @Test
    @Order(1)
    void refusedWhileAClientHoldsIt(@BindService("stubborn") Container client) {
      assertThatThrownBy(() -> stubborn.stop()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Service 'stubborn' (busybox:1.35")
          .hasMessageContaining("cannot stop: 1 other user(s) (test classes or clients) still hold it");
      assertThat(stubborn.isRunning()).isTrue();
    }

    @Test
    @Order(2)
    void stopsOnceNothingElseHoldsIt() {
      stubborn.start();
      stubborn.stop();
      assertThat(stubborn.isRunning()).isFalse();
      assertThat(Engine.running(Fixtures.session, "service")).isEmpty();
    }
  }

  @ServiceTest
  static class CacheUser {
    @ServiceContainer
    static final ServiceSpec store = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCacheVolume("/cache", cacheName).withCommand("sh", "-c", "date >> /cache/starts; exec httpd -f -p 8080");

    @Test
    void writes(@BindService("store") Container client) {
      assertThat(client.exec("nc", "-w", "1", "store", "8080", "-e", "true").exitCode()).isZero();
    }
  }

  @ServiceTest
  static class TmpfsUser {
    /** Serves its own mount table, as the service's processes see it. */
    @ServiceContainer
    static final ServiceSpec scratch = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withTmpfs("/scratch", "size=1m,mode=0700")
        .withCommand("sh", "-c", "mkdir -p /www && grep ' /scratch ' /proc/mounts > /www/mounts"
            + " && exec httpd -f -p 8080 -h /www");

    @Test
    void mounted(@BindService("scratch") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://scratch:8080/mounts").stdout())
          .startsWith("tmpfs /scratch tmpfs rw,").contains("size=1024k").contains("mode=700");
    }
  }

  @ServiceTest
  static class UserAndShm {
    /** Serves the uid its processes run as and the size of its /dev/shm. */
    @ServiceContainer
    static final ServiceSpec plain = ServiceSpec.from("busybox:1.35").withExposedPort(8080).withUser("1000:1000")
        .withShmSize(128L << 20)
        .withCommand("sh", "-c", "mkdir -p /dev/shm/www && id -u > /dev/shm/www/uid && df -k /dev/shm | tail -n 1"
            + " > /dev/shm/www/shm && exec httpd -f -p 8080 -h /dev/shm/www");

    @Test
    void seesThem(@BindService("plain") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://plain:8080/uid").stdout().strip()).isEqualTo("1000");
      assertThat(client.exec("wget", "-qO-", "http://plain:8080/shm").stdout()).matches("shm\\s+131072\\s.*\\s*");
    }
  }

  static class UpTarget {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @ServiceContainer
    static final ServiceSpec www = Fixtures.httpServer("up");
  }
}
