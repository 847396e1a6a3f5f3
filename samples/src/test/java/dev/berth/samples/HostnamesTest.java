package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;
import org.junit.jupiter.api.Test;

/**
 * Hostnames: every service has a hostname derived from its definition, and any container of the run reaches the
 * service under it, with no binding at all.
 */
@ServiceTest
class HostnamesTest {

  @ServiceContainer(image = "python:3.11-slim", ports = 8080, command = {"python", "-m", "http.server", "8080"})
  static Service www;

  @Test
  void hostnameComesFromTheDefinition() {
    ServiceSpec same = ServiceSpec.from("python:3.11-slim")
        .withExposedPort(8080)
        .withCommand("python", "-m", "http.server", "8080");

    assertThat(www.hostname())
        .matches("berth-[0-9a-f]{16}")
        .isEqualTo(same.hostname())
        .isNotEqualTo(same.withExposedPort(9090).hostname());
  }

  @Test
  void otherContainersReachTheServiceByHostname(@ClientContainer Container client) {
    // The client binds nothing, so start the service explicitly before using it.
    www.start();

    ExecResult r = client.exec("wget", "-qO-", "http://" + www.hostname() + ":8080/");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("Directory listing for /");
    assertThat(client.readFile("/etc/hosts")).doesNotContain(www.hostname());
  }
}
