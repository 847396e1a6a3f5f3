package dev.berth.samples.forks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.Container;
import dev.berth.Discovery;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * Sharing across Surefire forks: two classes in two JVMs need the same redis:7.0, at the same time. Each test
 * holds the service until the other fork holds it too (a file each in a directory of the build), so the forks
 * overlap for certain; {@code SharedAcrossForksCheck} then counts the redis containers the build created: one.
 * Each fork also starts a service of its own, and resolves the other fork's by name: the session has one DNS zone,
 * served by one of the two JVMs, with the services of both.
 */
@ServiceTest
abstract class SharedRedisAcrossForks {

  @ServiceContainer
  static final ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);

  /** A fork's own service, one per fork (the instance id keeps them apart). */
  static ServiceSpec web(String fork) {
    return ServiceSpec.from("busybox:1.35").withExposedPort(8080).withCommand("httpd", "-f", "-p", "8080")
        .withInstanceId(fork);
  }

  private Container client;

  @org.junit.jupiter.api.BeforeEach
  void client(@BindService("redis") @ClientContainer(image = "redis:7.0") Container client) {
    this.client = client;
  }

  void holdTogetherWithTheOtherFork(String self, String other) throws Exception {
    Path meeting = Path.of(System.getProperty("berth.forks.dir"));
    Files.createDirectories(meeting);
    assertThat(client.exec("redis-cli", "-h", "redis", "SET", self, String.valueOf(ProcessHandle.current().pid()))
        .stdout().strip()).isEqualTo("OK");
    Files.writeString(meeting.resolve(self), String.valueOf(ProcessHandle.current().pid()));
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(meeting.resolve(other)));
    String otherPid = Files.readString(meeting.resolve(other));
    assertThat(otherPid).isNotEqualTo(String.valueOf(ProcessHandle.current().pid()));
    // The other fork wrote its pid into the same redis: one container serves both JVMs.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        client.exec("redis-cli", "-h", "redis", "GET", other).stdout().strip().equals(otherPid));
  }

  /**
   * The other fork's service, which this JVM never declared, by its name (short: the zone is the client's search
   * domain), from this fork's client and from this JVM. Both forks have started their own before they meet.
   */
  void resolveTheOtherForksService(String self, String other) throws Exception {
    try {
      Discovery.zone();
    } catch (IllegalStateException e) {
      Assumptions.abort("No DNS in this build: Berth's DNS server needs port 53 (root); " + e.getMessage());
    }
    String address = client.exec("getent", "hosts", other).stdout().strip();
    assertThat(address).as("the client resolves the other fork's service '%s'", other).isNotEmpty();
    assertThat(Discovery.lookup(other)).extracting(InetAddress::getHostAddress)
        .containsExactly(address.split("\\s+")[0]);
    // The other fork's service goes when that fork's run ends: neither ends before both have looked.
    Path meeting = Path.of(System.getProperty("berth.forks.dir"));
    Files.writeString(meeting.resolve(self + ".resolved"), "");
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(meeting.resolve(other + ".resolved")));
  }
}
