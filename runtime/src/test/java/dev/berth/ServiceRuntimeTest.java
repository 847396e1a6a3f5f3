package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServiceRuntimeTest {

  static ServiceRuntime runtime;

  @BeforeAll
  static void start() {
    runtime = ServiceRuntime.start(BerthConfig.defaults());
  }

  @AfterAll
  static void close() {
    runtime.close();
  }

  @Test
  void clientReachesBoundService() {
    ServiceSpec www = ServiceSpec.from("python:3.11-slim")
        .withWorkdir("/srv")
        .withNewFile("/srv/index.html", "Hello, world!")
        .withExposedPort(8080)
        .withCommand("python", "-m", "http.server", "8080");
    try (var client = runtime.newClient("client", ServiceSpec.from("busybox:1.35").withServiceBinding("www", www))) {
      ExecResult r = client.exec("wget", "-qO-", "http://www:8080");
      assertThat(r.exitCode()).isZero();
      assertThat(r.stdout()).isEqualTo("Hello, world!");
    }
  }
}
