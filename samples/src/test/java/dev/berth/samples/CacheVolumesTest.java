package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceHandle;
import dev.berth.junit.ServiceTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Persisted state: a cache volume outlives its container (and the run). A key saved by one redis is read back by
 * another instance mounted on the same cache volume. Instance ids keep equal definitions apart: two containers,
 * two hostnames. The cache is locked: the second instance starts once the first has stopped, and a redis of
 * another build on the machine waits for it too. Between the two instances another build's redis may take its
 * turn, so the key is this run's own: what the cache holds for others stays theirs.
 */
@ServiceTest
class CacheVolumesTest {

  // tag::cache-volumes[]
  @ServiceContainer
  static final ServiceSpec first = redisOnTheCache().withInstanceId("first");

  @ServiceContainer
  static final ServiceSpec second = redisOnTheCache().withInstanceId("second");

  static ServiceSpec redisOnTheCache() {
    // Locked: one redis at a time writes the cache, in this run and in any other build of this user on the machine.
    return ServiceSpec.from("redis:7.0").withExposedPort(6379).withLockedCacheVolume("/data", "redis-data");
  }
  // end::cache-volumes[]

  @Test
  void stateSurvivesIntoAnotherInstance(@ServiceHandle("first") Service first, @ServiceHandle("second") Service second,
      @ClientContainer(image = "redis:7.0") Container cli) {
    String key = "greeting-" + UUID.randomUUID();
    String value = UUID.randomUUID().toString();
    first.start();
    assertThat(redis(cli, first, "SET", key, value)).isEqualTo("OK");
    assertThat(redis(cli, first, "SAVE")).isEqualTo("OK");
    first.stop();

    second.start();
    assertThat(second.hostname()).isNotEqualTo(first.hostname());
    assertThat(redis(cli, second, "GET", key)).isEqualTo(value);
  }

  private static String redis(Container cli, Service server, String... command) {
    String[] args = new String[command.length + 3];
    args[0] = "redis-cli";
    args[1] = "-h";
    args[2] = server.hostname();
    System.arraycopy(command, 0, args, 3, command.length);
    return cli.exec(args).stdout().strip();
  }
}
