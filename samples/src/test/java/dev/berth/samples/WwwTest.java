package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.*;
import dev.berth.annotations.*;
import dev.berth.junit.ServiceTest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The example of docs/guides/declaring-services.md, exactly as a user writes it. */
// tag::www[]
@ServiceTest
class WwwTest {
  @ServiceContainer
  static final ServiceSpec www = ServiceSpec.from("python:3.11-slim")
      .withWorkdir("/srv")
      .withNewFile("/srv/index.html", "Hello, world!")
      .withExposedPort(8080)
      .withCommand("python", "-m", "http.server", "8080");

  @ServiceContainer(name = "cache", image = "redis:7.0", ports = 6379)
  static Service redis;

  @Test
  void get(@BindService("www") @ClientContainer(image = "busybox:1.35") Container client) {
    ExecResult r = client.exec("wget", "-qO-", "http://www:8080");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("Hello, world!");
  }

  @Test
  void fromHost(@ServiceEndpoint(value = "www", scheme = "http") URI url,
                @ServiceEndpoint("cache") InetSocketAddress redisAddr,
                @ServiceEndpoint("cache") String hostPort) throws Exception {
    HttpResponse<String> page = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.body()).isEqualTo("Hello, world!");
    assertThat(url.getHost()).isEqualTo("127.0.0.1");
    assertThat(redisAddr.getHostString()).isEqualTo("127.0.0.1");
    assertThat(hostPort).isEqualTo("127.0.0.1:" + redisAddr.getPort());
    assertThat(redis.hostAddress(6379)).isEqualTo(redisAddr);
    assertThat(redis.isRunning()).isTrue();
  }
}
// end::www[]
