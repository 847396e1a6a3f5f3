package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceHandle;
import dev.berth.junit.ServiceTest;
import org.junit.jupiter.api.Test;

/**
 * Sharing without a singleton: classes that declare equal definitions share one container, here through a test
 * interface that declares the service once. The second class finds the container the first left in its grace period.
 */
// tag::shared[]
interface WithRedis {
  @ServiceContainer
  ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);
}

@ServiceTest
class SharedDefinitionsTest implements WithRedis {
  @Test
  void usesRedis(@ServiceHandle("redis") Service redis) {
    assertThat(redis.exec("redis-cli", "PING").stdout().strip()).isEqualTo("PONG");
  }
}

@ServiceTest
class SharedDefinitionsAgainTest implements WithRedis {   // same definition, same digest: the same container
  @Test
  void usesTheSameRedis(@ServiceHandle("redis") Service redis) {
    assertThat(redis.digest()).isEqualTo(ServiceSpec.from("redis:7.0").withExposedPort(6379).digest());
    assertThat(redis.exec("redis-cli", "PING").stdout().strip()).isEqualTo("PONG");
  }
}
// end::shared[]
