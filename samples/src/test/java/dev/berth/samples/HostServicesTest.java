package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.HostService;
import dev.berth.annotations.ServiceContainer;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.junit.ServiceTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Host services: a service that already runs on the test machine, listening on 127.0.0.1 only, is reachable from
 * client containers under an alias and its own port, with no helper image. {@code @HostService} declares it for a
 * class or method; {@code ServiceSpec.host(...)} declares it as a field.
 */
@ServiceTest
class HostServicesTest {

  /** A plain JDK server started by the test itself, on a random loopback port. */
  static final HttpServer JVM_SERVER = startServer();

  // tag::host-spec[]
  @ServiceContainer
  static final ServiceSpec jvm = ServiceSpec.host("tcp://localhost:" + JVM_SERVER.getAddress().getPort());
  // end::host-spec[]

  /**
   * Stands for a database that already runs on the machine: MariaDB published on 127.0.0.1 only, on a port free
   * now (a fixed 3306 would collide with another build running this sample), which the test finds in the system
   * property {@code samples.mariadb.port}. The port is below the kernel's ephemeral range, from which the engine
   * takes the random host ports of other builds' containers (one took the port this sample had just found free);
   * another build's sample may still take it first, so a taken port is tried again with another.
   */
  static ServiceRuntime machine;

  @BeforeAll
  static void startMariaDbOnTheHost() throws IOException {
    machine = ServiceRuntime.start(BerthConfig.from(BerthConfig::fromEnvironment));
    for (int attempt = 1; ; attempt++) {
      int port = freePortBelowTheEphemeralRange();
      System.setProperty("samples.mariadb.port", String.valueOf(port));
      try {
        machine.newScope().service("mariadb", ServiceSpec.from("mariadb:10.11")
            .withEnv("MARIADB_ROOT_PASSWORD", "secret")
            .withHostPort(port, 3306)).start();
        return;
      } catch (RuntimeException e) {
        if (attempt == 5 || !String.valueOf(e.getMessage()).contains("is taken")) {
          throw e;
        }
      }
    }
  }

  private static int freePortBelowTheEphemeralRange() throws IOException {
    while (true) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (var socket = new ServerSocket(port, 0, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (BindException taken) {
        // another one
      }
    }
  }

  @AfterAll
  static void stopThem() {
    machine.close();
    JVM_SERVER.stop(0);
  }

  // tag::host-service[]
  @Test
  @HostService(name = "db", value = "tcp://localhost", ports = "3306:${samples.mariadb.port:3306}")
  void mariadbOnTheHost(@ClientContainer(image = "mariadb:10.11") Container client) {
    ExecResult r = client.exec("mariadb", "-h", "db", "-uroot", "-psecret",
        "-e", "SELECT Host, User FROM mysql.user ORDER BY Host, User");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout().lines()).containsExactly("Host\tUser", "%\troot", "localhost\tmariadb.sys",
        "localhost\troot");
  }
  // end::host-service[]

  @Test
  void jdkServerStartedByTheTest(@BindService("jvm") @ClientContainer(image = "busybox:1.35") Container client) {
    int port = JVM_SERVER.getAddress().getPort();

    ExecResult r = client.exec("wget", "-qO-", "http://jvm:" + port + "/hello");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("hello from the test JVM: /hello");
  }

  private static HttpServer startServer() {
    try {
      var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", exchange -> {
        byte[] body = ("hello from the test JVM: " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
