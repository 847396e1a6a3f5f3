package dev.berth.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.berth.Discovery;
import dev.berth.ExecResult;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.dns.DnsZone;
import dev.berth.internal.engine.TestDocker;
import dev.berth.internal.session.SessionDirectory;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.SpecAccess;
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

  /**
   * The end of a run interrupts its warm-up wherever it is: before the run's lease, after it, or after the engine
   * made the network. Whichever, nothing of the run may be left, on the engine, in the session's directory, or in
   * this JVM's DNS.
   */
  @Test
  void aRunEndingDuringItsWarmUpLeavesNeitherNetworkNorLease() throws Exception {
    ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);
    try (DockerClient docker = TestDocker.connect()) {
      var sessions = new java.util.ArrayList<String>();
      for (int i = 0; i < 8; i++) {   // ends 0 to 140 ms into the warm-up, about 2.5 s each
        String session = "warm-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        sessions.add(session);
        var early = ServiceRuntime.start(BerthConfig.from(key -> "berth.session".equals(key)
            ? java.util.Optional.of(session) : java.util.Optional.empty()));
        early.warmUp(java.util.List.of(redis));
        Thread.sleep(i * 20L);
        early.close();

        assertThat(docker.listNetworksCmd().withNameFilter("berth-" + session).exec()).as("after %d ms", i * 20)
            .isEmpty();
        assertThat(currentZone()).as("Discovery after %d ms", i * 20).isNotEqualTo(DnsZone.forSession(session));
        java.nio.file.Path dir = SessionDirectory.base().resolve(session);
        if (java.nio.file.Files.isDirectory(dir)) {
          try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("after %d ms", i * 20)
                .noneMatch(name -> name.endsWith(".lease"));
          }
        }
      }
      // A request cut short would still be carried out by the engine: look again once it had time to.
      Thread.sleep(1000);
      for (String session : sessions) {
        assertThat(docker.listNetworksCmd().withNameFilter("berth-" + session).exec()).as("made after the run")
            .isEmpty();
      }
    }
  }

  /** The zone Discovery asks now, if any run of this JVM takes part in DNS. */
  private static String currentZone() {
    try {
      return Discovery.zone();
    } catch (IllegalStateException e) {
      return "none";
    }
  }

  /** A spec's labels are on its container, beside Berth's own. */
  @Test
  void aServiceContainerCarriesItsLabels() throws Exception {
    ServiceSpec labelled = ServiceSpec.from("busybox:1.35").withCommand("sleep", "3600")
        .withLabel("com.example.team", "payments");
    try (var scope = runtime.newScope(); DockerClient docker = TestDocker.connect()) {
      String id = scope.acquire("labelled", def(labelled)).containerId();

      assertThat(docker.inspectContainerCmd(id).exec().getConfig().getLabels())
          .containsEntry("com.example.team", "payments")
          .containsEntry("dev.berth.run", runtime.runId())
          .containsEntry("dev.berth.digest", labelled.digest());
    }
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

  /** What Berth's internals read of a spec. */
  private static Definition def(ServiceSpec spec) {
    return SpecAccess.definition(spec);
  }
}
