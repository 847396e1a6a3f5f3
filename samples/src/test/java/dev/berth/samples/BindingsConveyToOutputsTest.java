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
 * Bindings convey to outputs: what a client produces with a bound service's help stays in the client's filesystem,
 * and the test reads it back with {@code readFile}.
 */
@ServiceTest
class BindingsConveyToOutputsTest {

  @ServiceContainer
  static final ServiceSpec www = ServiceSpec.from("python:3.11-slim")
      .withWorkdir("/srv")
      .withNewFile("/srv/index.html", "Hello, world!")
      .withExposedPort(8080)
      .withCommand("python", "-m", "http.server", "8080");

  @Test
  void clientWritesTheServicesAnswerToAFile(@BindService("www") @ClientContainer Container client) {
    ExecResult r = client.exec("sh", "-c", "wget -qO- http://www:8080 > /tmp/out.txt");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(client.readFile("/tmp/out.txt")).isEqualTo("Hello, world!");
  }
}
