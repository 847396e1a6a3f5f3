package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;
import org.junit.jupiter.api.Test;

/**
 * A service's own tools: set it up and look into it with commands in its own container ({@code exec}, {@code
 * readFile}), and hand a client a script to run ({@code writeFile}). The instance id keeps this redis apart from the
 * other samples' (equal definitions share one container, and these tests change its data).
 */
@ServiceTest
class ServiceCommandsTest {

  @ServiceContainer(image = "redis:7.0", ports = 6379, instance = "commands")
  static Service redis;

  // tag::seed[]
  @Test
  void seedWithTheServicesOwnCli(@BindService("redis") @ClientContainer(image = "redis:7.0") Container cli) {
    assertThat(redis.exec("redis-cli", "SET", "greeting", "hello").stdout().strip()).isEqualTo("OK");

    cli.writeFile("/work/check.sh", "redis-cli -h redis GET greeting\n");
    assertThat(cli.exec("sh", "/work/check.sh").stdout().strip()).isEqualTo("hello");
  }
  // end::seed[]

  @Test
  void readWhatTheServiceWrote() {
    assertThat(redis.exec("redis-cli", "SAVE").stdout().strip()).isEqualTo("OK");
    String dir = redis.exec("redis-cli", "CONFIG", "GET", "dir").stdout().lines().skip(1).findFirst().orElseThrow();

    assertThat(redis.readFile(dir + "/dump.rdb")).startsWith("REDIS");
  }
}
