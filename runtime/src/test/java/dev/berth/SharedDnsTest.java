package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two runs of one session in one JVM (a test that starts a runtime of its own beside the extension's, say) share the
 * session's network, so only one DNS server can listen on its gateway: both publish their services on it, and it
 * stays up until the last of them ends. Needs the engine, and port 53 (root).
 */
class SharedDnsTest {

  private static final ServiceSpec WEB = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
      .withCommand("httpd", "-f", "-p", "8080");

  @Test
  void runsOfOneSessionInOneJvmPublishOnOneServerUntilTheLastEnds() {
    String session = "dns-" + UUID.randomUUID().toString().substring(0, 8);
    BerthConfig config = BerthConfig.from(key -> Optional.ofNullable(Map.of("berth.session", session).get(key)));
    ServiceRuntime first = ServiceRuntime.start(config);
    ServiceRuntime second = ServiceRuntime.start(config);
    try {
      first.newScope().service("one", WEB.withInstanceId("one")).start();
      first.newScope().service("both", WEB.withInstanceId("both")).start();
      second.newScope().service("two", WEB.withInstanceId("two")).start();
      second.newScope().service("both", WEB.withInstanceId("both")).start();

      assertThat(Discovery.lookup("one")).hasSize(1);
      assertThat(Discovery.lookup("two")).hasSize(1);
      try (Container client = second.newClient("client", ServiceSpec.from("busybox:1.35"))) {
        assertThat(client.exec("nslookup", "one").stdout()).contains(Discovery.lookup("one").get(0).getHostAddress());
        assertThat(client.exec("nslookup", "two").stdout()).contains(Discovery.lookup("two").get(0).getHostAddress());
      }

      first.close();

      assertThat(Discovery.lookup("one")).as("the first run's own service went with it").isEmpty();
      assertThat(Discovery.lookup("both")).as("the container both runs use is still up, held by the second")
          .hasSize(1);
      assertThat(Discovery.lookup("two")).hasSize(1);
    } finally {
      first.close();
      second.close();
    }
    assertThatThrownBy(() -> Discovery.lookup("two")).as("the last run closed the server")
        .isInstanceOf(IllegalStateException.class);
    try (ServiceRuntime third = ServiceRuntime.start(config)) {
      third.newScope().service("three", WEB.withInstanceId("three")).start();
      assertThat(Discovery.lookup("three")).as("the port is free again").hasSize(1);
    }
  }
}
