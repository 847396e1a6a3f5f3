package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.berth.ServiceSpec;
import dev.berth.ServiceStartException;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Readiness is checked from inside the run's network, never through the published port (whose proxy accepts
 * connections before the service listens), and never by exec into the service; failures explain themselves.
 */
class HealthTest {

  @Test
  void testRunsOnlyOnceTheServiceListens() {
    var run = new KitRun().run(SlowServer.class).assertSucceeded(1);

    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void readinessNeverExecsIntoTheService() {
    var run = new KitRun().run(SlowServer.class).assertSucceeded(1);

    List<Event> execs = Engine.containerEvents(run.session, run.started, "exec_create");
    assertThat(execs).isEmpty();
  }

  @Test
  void probeContainerChecksFromInsideTheNetworkWhereTheJvmCannotRoute() {
    var run = new KitRun().with("berth.readiness", "exec").run(SlowServer.class).assertSucceeded(1);

    List<Event> execs = Engine.containerEvents(run.session, run.started, "exec_create");
    assertThat(execs).isNotEmpty().allSatisfy(e ->
        assertThat(e.getActor().getAttributes()).containsEntry("dev.berth.role", "probe"));
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void serviceThatExitsFailsWithExitCodeAndLogs() {
    var run = new KitRun().run(ExitsAtStart.class);

    Throwable failure = run.onlyFailure();
    assertThat(failure).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'quitter'")
        .hasMessageContaining("busybox:1.35")
        .hasMessageContaining("port 8080")
        .hasMessageContaining("exited with code 7")
        .hasMessageContaining("| cannot find my config");
    assertThat(((ServiceStartException) failure).exitCode()).hasValue(7);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void serviceThatNeverListensTimesOutWithLogs() {
    var run = new KitRun().with("berth.startupTimeout", "2s").run(NeverListens.class);

    Throwable failure = run.onlyFailure();
    assertThat(failure).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'mute'")
        .hasMessageContaining("busybox:1.35")
        .hasMessageContaining("port 9000 did not accept connections within berth.startupTimeout (2000 ms)")
        .hasMessageContaining("| waiting for nothing");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void portsArePublishedOnLoopbackOnRandomPorts() {
    new KitRun().run(PublishedPorts.class).assertSucceeded(1);
  }


  @ServiceTest
  static class SlowServer {
    @ServiceContainer
    static final ServiceSpec www = Fixtures.slowHttpServer("ready", 3);

    @Test
    void getRightAway(@ServiceEndpoint(value = "www", scheme = "http") URI url) throws Exception {
      HttpResponse<String> response = HttpClient.newHttpClient()
          .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("ready");
    }
  }

  @ServiceTest
  static class ExitsAtStart {
    @ServiceContainer
    static final ServiceSpec quitter = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "echo starting; echo cannot find my config >&2; exit 7");

    @Test
    void needsIt(@ServiceEndpoint("quitter") String address) {
    }
  }

  @ServiceTest
  static class NeverListens {
    @ServiceContainer
    static final ServiceSpec mute = ServiceSpec.from("busybox:1.35").withExposedPort(9000)
        .withCommand("sh", "-c", "echo waiting for nothing; exec sleep 600");

    @Test
    void needsIt(@ServiceEndpoint("mute") String address) {
    }
  }

  @ServiceTest
  static class PublishedPorts {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    void loopbackOnly(@ServiceEndpoint("redis") int published) {
      List<InspectContainerResponse> services = Engine.running(Fixtures.session, "service");
      assertThat(services).hasSize(1);
      InspectContainerResponse service = services.get(0);
      Ports.Binding[] requested = service.getHostConfig().getPortBindings().getBindings().get(ExposedPort.tcp(6379));
      assertThat(requested).singleElement().satisfies(b -> {
        assertThat(b.getHostIp()).isEqualTo("127.0.0.1");
        assertThat(b.getHostPortSpec()).isNullOrEmpty();
      });
      Map<ExposedPort, Ports.Binding[]> actual = service.getNetworkSettings().getPorts().getBindings();
      assertThat(actual.get(ExposedPort.tcp(6379))).singleElement().satisfies(b -> {
        assertThat(b.getHostIp()).isEqualTo("127.0.0.1");
        assertThat(b.getHostPortSpec()).isEqualTo(String.valueOf(published));
      });
      assertThat(service.getConfig().getHostName()).isEqualTo(redis.hostname());
    }
  }
}
