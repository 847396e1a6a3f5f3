package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.Service;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle: a service starts just in time, when the first test that needs it runs, and is healthy before any
 * client execs against it. A {@code Service} handle can also start and stop it explicitly; a stopped service that
 * starts again is a fresh container.
 */
@ServiceTest
class LifecycleTest {

  @ServiceContainer(image = "redis:7.0", ports = 6379)
  static Service redis;

  /** Used only by {@link #startAndStopExplicitly}; the instance id keeps it apart from {@link #redis}. */
  @ServiceContainer(name = "scratch", image = "redis:7.0", ports = 6379, instance = "lifecycle")
  static Service scratch;

  @Test
  void boundServiceIsUpBeforeTheClientRuns(@BindService("redis") @ClientContainer(image = "redis:7.0")
      Container cli) {
    assertThat(redis.isRunning()).isTrue();

    ExecResult r = cli.exec("redis-cli", "-h", "redis", "ping");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout().strip()).isEqualTo("PONG");
  }

  // tag::start-stop[]
  @Test
  void startAndStopExplicitly(@ClientContainer(image = "redis:7.0") Container cli) {
    assertThat(scratch.isRunning()).isFalse();

    scratch.start();
    assertThat(scratch.isRunning()).isTrue();
    assertThat(redisCli(cli, "SET", "greeting", "hello")).isEqualTo("OK");

    scratch.stop();
    assertThat(scratch.isRunning()).isFalse();
    assertThat(cli.exec("redis-cli", "-h", scratch.hostname(), "ping").exitCode()).isNotZero();

    scratch.start();
    assertThat(scratch.isRunning()).isTrue();
    assertThat(redisCli(cli, "GET", "greeting")).isEmpty();
  }
  // end::start-stop[]

  private static String redisCli(Container cli, String... command) {
    String[] args = new String[command.length + 3];
    args[0] = "redis-cli";
    args[1] = "-h";
    args[2] = scratch.hostname();
    System.arraycopy(command, 0, args, 3, command.length);
    ExecResult r = cli.exec(args);
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    return r.stdout().strip();
  }
}
