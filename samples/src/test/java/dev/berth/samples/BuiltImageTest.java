package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.junit.ServiceTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The application under test as an image built from its Dockerfile ({@code src/test/docker/greeter}), with a build
 * argument: Berth builds it when the first test needs it, once per engine while the files stay the same, and waits
 * for its health endpoint before the tests run.
 */
@ServiceTest
class BuiltImageTest {

  // tag::built[]
  @ServiceContainer(build = "src/test/docker/greeter", buildArgs = "GREETING=Ahoy", ports = 8080,
      readyHttp = "8080/health")
  static Service greeter;
  // end::built[]

  @Test
  void greetsFromTheTestJvm(@ServiceEndpoint(value = "greeter", scheme = "http") URI url) throws Exception {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(url.resolve("/greet?name=Berth")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("Ahoy, Berth!");
  }

  @Test
  void greetsOtherContainers(@BindService("greeter") @ClientContainer(image = "busybox:1.35") Container client) {
    assertThat(client.exec("wget", "-qO-", "http://greeter:8080/greet?name=client").stdout())
        .isEqualTo("Ahoy, client!");
  }
}
