package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;
import org.junit.jupiter.api.Test;

/**
 * Client and server: a Redis server as a service and {@code redis-cli} as the client. The state lives in the
 * service, so it outlasts each exec and is shared by every client bound to it.
 */
@ServiceTest
class ClientServerRedisTest {

  // tag::redis-client[]
  @ServiceContainer
  static final ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);

  @Test
  void setThenGet(@BindService("redis") @ClientContainer(image = "redis:7.0") Container cli) {
    assertThat(run(cli, "redis-cli", "-h", "redis", "SET", "foo", "bar")).isEqualTo("OK");
    assertThat(run(cli, "redis-cli", "-h", "redis", "GET", "foo")).isEqualTo("bar");
  }
  // end::redis-client[]

  @Test
  void clientsShareTheServer(@BindService("redis") @ClientContainer(image = "redis:7.0") Container writer,
                             @BindService("redis") @ClientContainer(image = "redis:7.0") Container reader) {
    assertThat(run(writer, "redis-cli", "-h", "redis", "SET", "shared", "42")).isEqualTo("OK");
    assertThat(run(reader, "redis-cli", "-h", "redis", "GET", "shared")).isEqualTo("42");
  }

  private static String run(Container cli, String... command) {
    ExecResult r = cli.exec(command);
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    return r.stdout().strip();
  }
}
