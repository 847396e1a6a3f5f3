package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.ServiceStartException;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Readiness is checked from inside the run's network, never through the published port (whose proxy accepts
 * connections before the service listens), and never by exec into the service unless its spec has a ready command;
 * failures explain themselves.
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

    List<Event> execs = run.events("exec_create");
    assertThat(execs).isEmpty();
  }

  @Test
  void probeContainerChecksFromInsideTheNetworkWhereTheJvmCannotRoute() {
    var run = new KitRun().with("berth.readiness", "exec").run(SlowServer.class).assertSucceeded(1);

    assertExecsAllIn(run, "probe");
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
        .hasMessageContaining("| cannot find my config")
        .hasMessageContaining("\n  hostname " + ExitsAtStart.quitter.hostname()
            + ", command [sh, -c, echo starting; echo cannot find my config >&2; exit 7]\n");
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
        .hasMessageContaining("hostname " + NeverListens.mute.hostname()
            + ", command [sh, -c, echo waiting for nothing; exec sleep 600]")
        .hasMessageContaining("| waiting for nothing");
    assertThat(run.leftovers()).isEmpty();
  }

  /** Busybox's own command, a shell, ends at once without a terminal: the message says it ran the image's. */
  @Test
  void aServiceRunningTheImagesCommandSaysSoWhenItExits() {
    var run = new KitRun().run(ImageCommandExits.class);

    assertThat(run.onlyFailure()).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'shell' (busybox:1.35, port 8080) did not start: its container exited with code"
            + " 0 before port 8080 accepted connections\n  hostname " + ImageCommandExits.shell.hostname()
            + ", the image's default command");
    assertThat(run.leftovers()).isEmpty();
  }

  /** An entrypoint the engine cannot run fails the container's start itself, before any readiness check. */
  @Test
  void anEntrypointTheEngineCannotRunIsNamedWithTheHostname() {
    var run = new KitRun().run(MissingEntrypoint.class);

    assertThat(run.onlyFailure()).hasMessageContaining("The engine could not start service 'broken' (busybox:1.35, ")
        .hasMessageContaining("(hostname " + MissingEntrypoint.broken.hostname()
            + ", entrypoint [/no/such/app], command [serve]): ")
        .hasMessageContaining("/no/such/app");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void readyLogLinesHoldTestsBackUntilTheyAreSeen() {
    new KitRun().run(ReadyByLogLine.class).assertSucceeded(1);
  }

  @Test
  void aReadyLogLineThatNeverComesFailsTheStartWithTheOutput() {
    var run = new KitRun().run(SilentAboutReadiness.class);

    assertThat(run.onlyFailure()).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'quiet'")
        .hasMessageContaining("its output did not show a line matching 'accepting connections' within the spec's"
            + " withStartupTimeout (2000 ms)")
        .hasMessageContaining("| up, but not saying so");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void aReadyHttpRequestHoldsTestsBackUntilItIsAnsweredWith2xx() {
    new KitRun().run(ReadyByHttp.class).assertSucceeded(1);
  }

  @Test
  void withoutItTheSameServiceIsSeenStillStarting() {
    new KitRun().run(ReadyByPortOnly.class).assertSucceeded(1);
  }

  @Test
  void theProbeContainerSendsTheReadyRequestWhereTheJvmCannotRoute() {
    var run = new KitRun().with("berth.readiness", "exec").run(ReadyByHttp.class).assertSucceeded(1);

    List<Event> requests = run.events("exec_create").stream().filter(e -> e.getAction().contains("| nc -w")).toList();
    assertThat(requests).as("requests sent through nc in the probe").isNotEmpty()
        .allSatisfy(e -> assertThat(e.getActor().getAttributes()).containsEntry("dev.berth.role", "probe"));
  }

  @Test
  void aReadyHttpRequestNeverAnsweredWith2xxFailsTheStartWithTheLastStatus() {
    var run = new KitRun().run(NeverHealthy.class);

    assertThat(run.onlyFailure()).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'sick'")
        .hasMessageContaining("GET /cgi-bin/health on port 8080 was not answered with a 2xx status within the spec's"
            + " withStartupTimeout (2000 ms); the last answer was 503")
        .hasMessageContaining("| serving, unwell");
    assertThat(run.leftovers()).isEmpty();
  }

  @Tag("slow") // waits out a startup timeout
  @Test
  void aServicesOwnStartupTimeoutTakesThePlaceOfTheRuns() {
    var run = new KitRun().with("berth.startupTimeout", "1s").run(OwnStartupTimeouts.class);

    run.tests().assertStatistics(s -> s.succeeded(1).failed(1));
    assertThat(run.onlyFailure()).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'mute'")
        .hasMessageContaining("port 9000 did not accept connections within the spec's withStartupTimeout (2000 ms)")
        .hasMessageContaining("or raise the spec's withStartupTimeout");
    assertThat(run.leftovers()).isEmpty();
  }

  /** An image's build (or pull) does not use up the startup timeout: berth.pullTimeout limits it. */
  @Tag("slow") // waits out a startup timeout
  @Test
  void theStartupTimeoutCountsFromWhenTheImageIsPresent() {
    try {
      new KitRun().run(SlowBuild.class).assertSucceeded(1);
    } finally {
      Engine.docker().removeImageCmd(SlowBuild.slow.image()).withForce(true).exec();
    }
  }

  @Test
  void readyCommandHoldsTestsBackUntilItSucceeds() {
    var run = new KitRun().run(ReadyLater.class).assertSucceeded(1);

    assertExecsAllIn(run, "service");
    assertThat(run.leftovers()).isEmpty();
  }

  /** The same service without its ready command: the test runs as soon as the port accepts, too early. */
  @Test
  void withoutAReadyCommandAnOpenPortIsReady() {
    new KitRun().run(OpenPortIsEnough.class).assertSucceeded(1);
  }

  @Test
  void readyCommandThatNeverSucceedsTimesOutWithItsOutput() {
    var run = new KitRun().with("berth.startupTimeout", "3s").run(NeverReady.class);

    Throwable failure = run.onlyFailure();
    assertThat(failure).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'stuck' (busybox:1.35) did not start")
        .hasMessageContaining("its ready command [sh, -c, echo still loading; exit 3] did not succeed within"
            + " berth.startupTimeout (3000 ms); it last exited with code 3 and printed: still loading")
        .hasMessageContaining("| serving");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void readyCommandThatHangsIsCutOffAtTheStartupTimeout() {
    var run = new KitRun().with("berth.startupTimeout", "2s").run(ReadyCommandHangs.class);

    Throwable failure = run.onlyFailure();
    assertThat(failure).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'www' (busybox:1.35) did not start: its ready command did not finish.")
        .hasMessageContaining("Exec [sleep, 600] in service 'www'")
        .hasMessageContaining("ran past what was left of berth.startupTimeout")
        .hasMessageContaining("Give the command a time limit of its own");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void readyCommandTheImageLacksFailsAtOnceNamingIt() {
    var run = new KitRun().run(ReadyCommandMissing.class);

    Throwable failure = run.onlyFailure();
    assertThat(failure).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'www' (busybox:1.35) did not start: its ready command cannot run")
        .hasMessageContaining("Cannot run [pg_isready] in service 'www'")
        .hasMessageContaining("Give withReadyCommand a command the image has, or its full path");
    assertThat(run.leftovers()).isEmpty();
  }

  /**
   * The image's check runs at the engine's interval of 30 seconds, beyond the services' 15-second startup timeout:
   * the tests see the services ready because Berth runs the check's command itself, in both of its forms.
   */
  @Test
  void theImagesHealthcheckHoldsTestsBackUntilItSucceeds() {
    var run = new KitRun().run(HealthcheckReady.class).assertSucceeded(2);

    assertExecsAllIn(run, "service");
    assertThat(run.leftovers()).isEmpty();
  }

  /** The image's check is waited for by default, where the spec has no ready command of its own. */
  @Test
  void theImagesHealthcheckHoldsTestsBackByDefault() {
    var run = new KitRun().run(HealthcheckByDefault.class).assertSucceeded(1);

    assertExecsAllIn(run, "service");
    assertThat(run.leftovers()).isEmpty();
  }

  /** With withoutReadyHealthcheck the image's check is not waited for: the test comes in while it starts. */
  @Test
  void theImagesHealthcheckIsIgnoredWhenTheSpecSaysSo() {
    var run = new KitRun().run(HealthcheckIgnored.class).assertSucceeded(1);

    assertThat(run.events("exec_create")).isEmpty();
  }

  /**
   * A check that always fails gives up when Docker would call the container unhealthy (interval 1 s, retries 2), not
   * at the startup timeout, and says what the check printed.
   */
  @Test
  void aFailingHealthcheckGivesUpAfterItsRetries() {
    var run = new KitRun().run(HealthcheckGivesUp.class);

    assertThat(run.onlyFailure()).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("its image's HEALTHCHECK command [/bin/sh, -c, echo still warming up; exit 3] kept"
            + " failing until Docker would call the container unhealthy (interval 1000 ms, retries 2; 2000 ms after"
            + " the start); it last exited with code 3")
        .hasMessageContaining("still warming up")
        .hasMessageContaining("withoutReadyHealthcheck()");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void aHealthcheckThatNeverSucceedsTimesOutWithItsCommand() {
    var run = new KitRun().run(HealthcheckNeverPasses.class);

    Throwable failure = run.onlyFailure();
    assertThat(failure).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'picky' (berth-build:")
        .hasMessageContaining("its image's HEALTHCHECK command [/bin/sh, -c, grep -q \"${READY_WORD:-ready}\""
            + " /www/state] did not succeed within the spec's withStartupTimeout (2000 ms); it last exited with"
            + " code 1");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void anImageWithoutAHealthcheckFailsTheStartSayingWhatToDo() {
    var run = new KitRun().run(NoHealthcheck.class);

    assertThat(run.onlyFailure()).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'plain' (busybox:1.35) did not start: its image has no HEALTHCHECK to tell"
            + " when it is ready (withReadyHealthcheck). Give the spec a ready command (withReadyCommand) instead,"
            + " or build the image with a HEALTHCHECK instruction");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void anImageWhoseHealthcheckIsOffFailsTheStartAsOneWithout() {
    var run = new KitRun().run(HealthcheckOff.class);

    assertThat(run.onlyFailure()).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Service 'off' (berth-build:")
        .hasMessageContaining("its image has no HEALTHCHECK to tell when it is ready (withReadyHealthcheck): [NONE]");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void theAnnotationsReadyAttributeIsTheSpecsReadyCommand() {
    var run = new KitRun().run(ReadyAttribute.class).assertSucceeded(1);

    assertThat(run.servicesCreated()).isZero();
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
  static class ImageCommandExits {
    @ServiceContainer
    static final ServiceSpec shell = ServiceSpec.from("busybox:1.35").withExposedPort(8080);

    @Test
    void needsIt(@ServiceEndpoint("shell") String address) {
    }
  }

  @ServiceTest
  static class MissingEntrypoint {
    @ServiceContainer
    static final ServiceSpec broken = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withEntrypoint("/no/such/app").withCommand("serve");

    @Test
    void needsIt(@ServiceEndpoint("broken") String address) {
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

  /**
   * Listens at once, says "ready to accept connections" after a second and again after two (on stderr), and only
   * then serves "ready" at /state.
   */
  @ServiceTest
  static class ReadyByLogLine {
    @ServiceContainer
    static final ServiceSpec db = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "mkdir -p /www; echo starting > /www/state; (sleep 1;"
            + " echo 'ready to accept connections (init)'; sleep 1; echo ready > /www/state;"
            + " echo 'ready to accept connections' >&2) & exec httpd -f -p 8080 -h /www")
        .withReadyLogLine("ready to accept connections", 2);

    @Test
    void seesItReady(@BindService("db") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://db:8080/state").stdout().strip()).isEqualTo("ready");
    }
  }

  /**
   * Listens at once; its health check answers 503 until, 1.5 s in, /state says "ready" and the check answers 200.
   */
  static final ServiceSpec startingApp = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
      .withNewFile("/www/cgi-bin/health", """
          #!/bin/sh
          if [ -f /www/up ]; then printf 'Content-Type: text/plain\r\n\r\nUP'
          else printf 'Status: 503 Starting\r\nContent-Type: text/plain\r\n\r\nSTARTING'; fi
          """)
      .withCommand("sh", "-c", "chmod +x /www/cgi-bin/health; echo starting > /www/state;"
          + " (sleep 1.5; echo ready > /www/state; touch /www/up) & exec httpd -f -p 8080 -h /www");

  @ServiceTest
  static class ReadyByHttp {
    @ServiceContainer
    static final ServiceSpec app = startingApp.withReadyHttp(8080, "/cgi-bin/health");

    @Test
    void seesItReady(@BindService("app") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://app:8080/state").stdout().strip()).isEqualTo("ready");
    }
  }

  /** The control: with only its port checked, the test comes while the service still starts. */
  @ServiceTest
  static class ReadyByPortOnly {
    @ServiceContainer
    static final ServiceSpec app = startingApp;

    @Test
    void seesItStarting(@BindService("app") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://app:8080/state").stdout().strip()).isEqualTo("starting");
    }
  }

  @ServiceTest
  static class NeverHealthy {
    @ServiceContainer
    static final ServiceSpec sick = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withNewFile("/www/cgi-bin/health", """
            #!/bin/sh
            printf 'Status: 503 Unwell\r\nContent-Type: text/plain\r\n\r\nno'
            """)
        .withCommand("sh", "-c", "chmod +x /www/cgi-bin/health; echo serving, unwell; exec httpd -f -p 8080 -h /www")
        .withReadyHttp(8080, "/cgi-bin/health").withStartupTimeout(Duration.ofSeconds(2));

    @Test
    void needsIt(@ServiceEndpoint("sick") String address) {
    }
  }

  @ServiceTest
  static class SilentAboutReadiness {
    @ServiceContainer
    static final ServiceSpec quiet = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "echo up, but not saying so; exec httpd -f -p 8080")
        .withReadyLogLine("accepting connections").withStartupTimeout(Duration.ofSeconds(2));

    @Test
    void needsIt(@ServiceEndpoint("quiet") String address) {
    }
  }

  /** Under berth.startupTimeout=1s: one service gets longer, and one fails after its own limit, not the run's. */
  @ServiceTest
  static class OwnStartupTimeouts {
    @ServiceContainer
    static final ServiceSpec patient = Fixtures.slowHttpServer("patient", 3)
        .withStartupTimeout(Duration.ofSeconds(30));

    @ServiceContainer
    static final ServiceSpec mute = NeverListens.mute.withStartupTimeout(Duration.ofSeconds(2));

    @Test
    void patientStarts(@BindService("patient") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://patient:8080").stdout()).isEqualTo("patient");
    }

    @Test
    void muteFails(@ServiceEndpoint("mute") String address) {
    }
  }

  /** The run exec'd, and only into containers of {@code role}. */
  private static void assertExecsAllIn(KitRun run, String role) {
    assertThat(run.events("exec_create")).isNotEmpty().allSatisfy(e ->
        assertThat(e.getActor().getAttributes()).containsEntry("dev.berth.role", role));
  }

  /** Serves /state, which says "starting" for its first three seconds and "ready" after. */
  static ServiceSpec readyAfterThreeSeconds() {
    return ServiceSpec.from("busybox:1.35").withExposedPort(8080).withCommand("sh", "-c",
        "mkdir -p /www; echo starting > /www/state; (sleep 3; echo ready > /www/state.new;"
            + " mv /www/state.new /www/state) & exec httpd -f -p 8080 -h /www");
  }

  static String state(URI url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.resolve("/state")).build(),
        HttpResponse.BodyHandlers.ofString()).body().strip();
  }

  @ServiceTest
  static class ReadyLater {
    @ServiceContainer
    static final ServiceSpec www = readyAfterThreeSeconds().withReadyCommand("grep", "-q", "ready", "/www/state");

    @Test
    void seesItReady(@ServiceEndpoint(value = "www", scheme = "http") URI url) throws Exception {
      assertThat(state(url)).isEqualTo("ready");
    }
  }

  @ServiceTest
  static class OpenPortIsEnough {
    @ServiceContainer
    static final ServiceSpec www = readyAfterThreeSeconds();

    @Test
    void seesItStarting(@ServiceEndpoint(value = "www", scheme = "http") URI url) throws Exception {
      assertThat(state(url)).isEqualTo("starting");
    }
  }

  @ServiceTest
  static class NeverReady {
    @ServiceContainer
    static final ServiceSpec stuck = ServiceSpec.from("busybox:1.35").withExposedPort(9000)
        .withCommand("sh", "-c", "echo serving; exec httpd -f -p 9000")
        .withReadyCommand("sh", "-c", "echo still loading; exit 3");

    @Test
    void needsIt(@ServiceEndpoint("stuck") String address) {
    }
  }

  @ServiceTest
  static class ReadyCommandHangs {
    @ServiceContainer
    static final ServiceSpec www = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("httpd", "-f", "-p", "8080").withReadyCommand("sleep", "600");

    @Test
    void needsIt(@ServiceEndpoint("www") String address) {
    }
  }

  @ServiceTest
  static class ReadyCommandMissing {
    @ServiceContainer
    static final ServiceSpec www = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("httpd", "-f", "-p", "8080").withReadyCommand("pg_isready");

    @Test
    void needsIt(@ServiceEndpoint("www") String address) {
    }
  }

  @ServiceTest
  static class SlowBuild {
    /** A new build argument in every JVM: the image is built by the test that needs it, taking four seconds. */
    @ServiceContainer
    static final ServiceSpec slow = ServiceSpec.fromDockerfile(Path.of("src/test/docker/slow-build"))
        .withBuildArg("NONCE", java.util.UUID.randomUUID().toString()).withExposedPort(8080)
        .withStartupTimeout(Duration.ofSeconds(3));

    @Test
    void needsIt(@ServiceEndpoint("slow") String address) {
    }
  }

  static final Path HEALTHCHECKED = Path.of("src/test/docker/healthcheck");

  @ServiceTest
  static class HealthcheckReady {
    @ServiceContainer
    static final ServiceSpec shell = ServiceSpec.fromDockerfile(HEALTHCHECKED).withExposedPort(8080)
        .withReadyHealthcheck().withStartupTimeout(Duration.ofSeconds(15));

    @ServiceContainer
    static final ServiceSpec exec = ServiceSpec.fromDockerfile(HEALTHCHECKED, "exec-form.Dockerfile")
        .withExposedPort(8080).withReadyHealthcheck().withStartupTimeout(Duration.ofSeconds(15));

    @Test
    void shellFormSeesItReady(@ServiceEndpoint(value = "shell", scheme = "http") URI url) throws Exception {
      assertThat(state(url)).isEqualTo("ready");
    }

    @Test
    void execFormSeesItReady(@ServiceEndpoint(value = "exec", scheme = "http") URI url) throws Exception {
      assertThat(state(url)).isEqualTo("ready");
    }
  }

  @ServiceTest
  static class HealthcheckByDefault {
    @ServiceContainer
    static final ServiceSpec www = ServiceSpec.fromDockerfile(HEALTHCHECKED).withExposedPort(8080)
        .withStartupTimeout(Duration.ofSeconds(15));

    @Test
    void seesItReady(@ServiceEndpoint(value = "www", scheme = "http") URI url) throws Exception {
      assertThat(state(url)).isEqualTo("ready");
    }
  }

  @ServiceTest
  static class HealthcheckIgnored {
    @ServiceContainer
    static final ServiceSpec www = ServiceSpec.fromDockerfile(HEALTHCHECKED).withExposedPort(8080)
        .withoutReadyHealthcheck();

    @Test
    void seesItStarting(@ServiceEndpoint(value = "www", scheme = "http") URI url) throws Exception {
      assertThat(state(url)).isEqualTo("starting");
    }
  }

  @ServiceTest
  static class HealthcheckGivesUp {
    @ServiceContainer
    static final ServiceSpec www = ServiceSpec.fromDockerfile(HEALTHCHECKED, "failing.Dockerfile")
        .withExposedPort(8080).withStartupTimeout(Duration.ofSeconds(30));

    @Test
    void needsIt(@ServiceEndpoint("www") String address) {
    }
  }

  @ServiceTest
  static class HealthcheckNeverPasses {
    @ServiceContainer
    static final ServiceSpec picky = ServiceSpec.fromDockerfile(HEALTHCHECKED).withExposedPort(8080)
        .withEnv("READY_WORD", "never").withReadyHealthcheck().withStartupTimeout(Duration.ofSeconds(2));

    @Test
    void needsIt(@ServiceEndpoint("picky") String address) {
    }
  }

  @ServiceTest
  static class NoHealthcheck {
    @ServiceContainer
    static final ServiceSpec plain = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("httpd", "-f", "-p", "8080").withReadyHealthcheck();

    @Test
    void needsIt(@ServiceEndpoint("plain") String address) {
    }
  }

  @ServiceTest
  static class HealthcheckOff {
    @ServiceContainer
    static final ServiceSpec off = ServiceSpec.fromDockerfile(HEALTHCHECKED, "none.Dockerfile").withExposedPort(8080)
        .withReadyHealthcheck();

    @Test
    void needsIt(@ServiceEndpoint("off") String address) {
    }
  }

  @ServiceTest
  static class ReadyAttribute {
    @ServiceContainer(image = "postgres:15", ports = 5432, env = "POSTGRES_PASSWORD=secret",
        ready = {"pg_isready", "-h", "127.0.0.1"})
    static Service db;

    @Test
    void sameDefinition() {
      assertThat(db.digest()).isEqualTo(ServiceSpec.from("postgres:15").withExposedPort(5432)
          .withEnv("POSTGRES_PASSWORD", "secret").withReadyCommand("pg_isready", "-h", "127.0.0.1").digest());
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
