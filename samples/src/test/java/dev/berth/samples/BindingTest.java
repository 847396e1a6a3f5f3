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
 * Binding: {@code @BindService} starts a service before the client and makes it resolve in the client under its
 * name, or under any alias the client chooses.
 */
@ServiceTest
class BindingTest {

  @ServiceContainer
  static final ServiceSpec www = ServiceSpec.from("python:3.11-slim")
      .withWorkdir("/srv")
      .withNewFile("/srv/index.html", "Hello, world!")
      .withExposedPort(8080)
      .withCommand("python", "-m", "http.server", "8080");

  @Test
  void underItsName(@BindService("www") @ClientContainer(image = "busybox:1.35") Container client) {
    ExecResult r = client.exec("wget", "-qO-", "http://www:8080");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("Hello, world!");
  }

  // tag::alias[]
  @Test
  void underAnAlias(@BindService(value = "www", alias = "web") @ClientContainer(image = "busybox:1.35")
      Container client) {
    ExecResult r = client.exec("wget", "-qO-", "http://web:8080");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("Hello, world!");
    // The binding writes the alias into the client's /etc/hosts (the services its class runs are there under
    // their own names too).
    assertThat(client.readFile("/etc/hosts")).containsPattern("(?m)\\s+web$");
  }
  // end::alias[]
}
