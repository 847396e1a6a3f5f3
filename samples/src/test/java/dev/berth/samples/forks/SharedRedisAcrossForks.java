package dev.berth.samples.forks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.Container;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Sharing across Surefire forks: two classes in two JVMs need the same redis:7.0, at the same time. Each test
 * holds the service until the other fork holds it too (a file each in a directory of the build), so the forks
 * overlap for certain; {@code SharedAcrossForksCheck} then counts the containers the build created: one.
 */
@ServiceTest
abstract class SharedRedisAcrossForks {

  @ServiceContainer
  static final ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);

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
}
