package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.Service;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.junit.ServiceTest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Exposing ports: a service lists the ports it listens on; {@code endpoint()} names the first one as
 * {@code hostname:port} for other containers, {@code endpoint(port, scheme)} any other, and every exposed port is
 * also published on 127.0.0.1 for the test JVM.
 */
@ServiceTest
class ExposingPortsTest {

  /** Two HTTP servers in one container: "first" on 8080, "second" on 9090. */
  @ServiceContainer(image = "python:3.11-slim", ports = {8080, 9090}, command = {"sh", "-c",
      "mkdir -p /srv/a /srv/b && printf first > /srv/a/index.html && printf second > /srv/b/index.html;"
          + " python -m http.server -d /srv/b 9090 & exec python -m http.server -d /srv/a 8080"})
  static Service www;

  // tag::endpoints[]
  @Test
  void endpointsNameTheHostnameAndAPort() {
    assertThat(www.endpoint()).isEqualTo(www.hostname() + ":8080");
    assertThat(www.endpoint(9090)).isEqualTo(www.hostname() + ":9090");
    assertThat(www.endpoint(9090, "http")).isEqualTo("http://" + www.hostname() + ":9090");
    assertThatThrownBy(() -> www.endpoint(7000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not expose port 7000");
  }
  // end::endpoints[]

  @Test
  void clientsReachEachPortAtItsEndpoint(@ClientContainer Container client) {
    www.start();

    ExecResult first = client.exec("wget", "-qO-", www.endpoint(8080, "http"));
    ExecResult second = client.exec("wget", "-qO-", www.endpoint(9090, "http"));

    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(first.stdout()).isEqualTo("first");
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    assertThat(second.stdout()).isEqualTo("second");
  }

  // tag::host-address[]
  @Test
  void theTestReachesEachPortOnLocalhost(@ServiceEndpoint(value = "www", port = 9090, scheme = "http") URI second)
      throws Exception {
    InetSocketAddress first = www.hostAddress(8080);

    assertThat(get(URI.create("http://127.0.0.1:" + first.getPort()))).isEqualTo("first");
    assertThat(get(second)).isEqualTo("second");
    assertThat(second.getPort()).isNotEqualTo(first.getPort());
  }
  // end::host-address[]

  private static String get(URI url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
