package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceHandle;
import dev.berth.junit.ServiceTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Interdependent services: two services that each reach the other by name. Bindings cannot express that (a bound
 * service starts first), so each gets a global hostname, which every container of the run resolves, and the test
 * starts them explicitly.
 */
@ServiceTest
class InterdependentServicesTest {

  // tag::global-hostnames[]
  @ServiceContainer
  static final ServiceSpec ping = peer("ping", "pong");

  @ServiceContainer
  static final ServiceSpec pong = peer("pong", "ping");

  /** Serves its own name, and fetches the other's into /www/peer once the other answers. */
  static ServiceSpec peer(String self, String other) {
    return ServiceSpec.from("busybox:1.35")
        .withHostname(self)
        .withExposedPort(8080)
        .withCommand("sh", "-c", "mkdir -p /www && echo " + self + " > /www/name && httpd -p 8080 -h /www"
            + " && until wget -qO /www/peer http://" + other + ":8080/name; do sleep 0.1; done"
            + " && exec sleep 2147483647");
  }

  @Test
  void eachReachesTheOther(@ServiceHandle("ping") Service ping, @ServiceHandle("pong") Service pong,
      @ClientContainer(image = "busybox:1.35") Container client) {
    ping.start();
    pong.start();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(client.exec("wget", "-qO-", "http://ping:8080/peer").stdout()).isEqualTo("pong\n");
      assertThat(client.exec("wget", "-qO-", "http://pong:8080/peer").stdout()).isEqualTo("ping\n");
    });
  }
  // end::global-hostnames[]
}
