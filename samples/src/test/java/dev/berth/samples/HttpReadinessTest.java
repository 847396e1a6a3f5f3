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
 * A web service that says when it is ready through a health endpoint, defined by the annotation alone: its
 * configuration comes from the test classpath ({@code src/test/resources/nginx/health.conf}), and no test runs before
 * {@code GET /health} on port 8080 answers 2xx.
 */
@ServiceTest
class HttpReadinessTest {

  // tag::ready-http[]
  @ServiceContainer(image = "nginx:1.22", ports = 8080, files = "/etc/nginx/conf.d/health.conf=nginx/health.conf",
      readyHttp = "8080/health")
  static Service web;
  // end::ready-http[]

  @Test
  void servesOnceHealthy(@BindService("web") @ClientContainer(image = "busybox:1.35") Container client) {
    assertThat(client.exec("wget", "-qO-", "http://web:8080/").stdout()).isEqualTo("hello from nginx\n");
  }
}
