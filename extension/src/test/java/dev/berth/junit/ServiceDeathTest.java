package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Event;
import dev.berth.BerthException;
import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A service that exits while something needs it fails that at once, naming it: a client's exec (its binding, or a
 * binding of its binding, died) and a test waiting for a service whose binding died while it started.
 */
class ServiceDeathTest {

  /** When the fixture's exec failed (the fixtures run one at a time). */
  static volatile Instant execFailedAt;

  /** Generous for two cores shared with other runs, and far below the exec's 10 s. */
  private static final Duration AT_ONCE = Duration.ofSeconds(2);

  /** Ready on its first line; exits with 42 once /tmp/die appears, which the fixture's test makes. */
  static final ServiceSpec DYING = ServiceSpec.from("busybox:1.35")
      .withCommand("sh", "-c", "echo ready; while [ ! -f /tmp/die ]; do sleep 0.1; done; echo going down now; exit 42")
      .withReadyLogLine("ready");

  /** A service that binds {@link #DYING} as 'back'. */
  static final ServiceSpec FRONT = ServiceSpec.from("busybox:1.35")
      .withCommand("sh", "-c", "echo up; exec sleep 3600")
      .withReadyLogLine("up")
      .withServiceBinding("back", DYING);

  @Test
  void aClientsExecFailsAtOnceWhenItsBoundServiceExits() {
    var run = new KitRun().run(ClientOfADyingService.class);

    assertThat(run.onlyFailure()).isInstanceOf(BerthException.class)
        .hasMessageStartingWith("Exec [sh, -c, sleep 10; echo should-not-run] in client 'client'")
        .hasMessageContaining("was abandoned: its binding service 'dying' (busybox:1.35, ")
        .hasMessageContaining("hostname " + DYING.hostname() + ", bound as 'doomed', exited with code 42")
        .hasMessageContaining("going down now")
        .hasMessageNotContaining("should-not-run\n");
    assertFailedSoonAfterTheExit(run, execFailedAt);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void aClientsExecFailsAtOnceWhenTheServiceItsBoundServiceBindsExits() {
    var run = new KitRun().run(ClientOfAChain.class);

    assertThat(run.onlyFailure()).isInstanceOf(BerthException.class)
        .hasMessageContaining("was abandoned: its binding service ")
        .hasMessageContaining("hostname " + DYING.hostname() + ", bound as 'back' through 'api', exited with code 42")
        .hasMessageContaining("going down now");
    assertFailedSoonAfterTheExit(run, execFailedAt);
    assertThat(run.leftovers()).isEmpty();
  }

  @Tag("slow") // about 10 s
  @Test
  void aTestWaitingForAServiceFailsAtOnceWhenItsBindingExitsMidStart() {
    var run = new KitRun().run(WaitsForAStart.class);

    Throwable failure = run.onlyFailure();
    assertThat(KitRun.stackTrace(failure))
        .contains("Service 'slow-front' (busybox:1.35, ")
        .contains(" cannot start: its binding service ")
        .contains("hostname " + WaitsForAStart.SHORT_LIVED.hostname() + ", bound as 'back', exited with code 42")
        .contains("going down now");
    Instant failedAt = run.tests().failed().stream().findFirst().orElseThrow().getTimestamp();
    assertFailedSoonAfterTheExit(run, failedAt);
    assertThat(run.leftovers()).isEmpty();
  }

  /** From the engine's report of the exit with code 42 to the failure, as this machine's clock tells both. */
  private static void assertFailedSoonAfterTheExit(KitRun run, Instant failedAt) {
    Event died = run.events("die").stream()
        .filter(e -> "42".equals(e.getActor().getAttributes().get("exitCode"))).findFirst().orElseThrow();
    Instant exited = Instant.ofEpochSecond(0, died.getTimeNano());
    Duration elapsed = Duration.between(exited, failedAt);
    System.out.println("ServiceDeathTest: failed " + elapsed.toMillis() + " ms after the service exited: "
        + run.tests().failed().stream().findFirst().orElseThrow().getTestDescriptor().getDisplayName());
    assertThat(elapsed).isPositive().isLessThan(AT_ONCE);
  }

  /** Has the service exit a second into the client's exec, then runs into the failure, noting when. */
  private static void execWhileItDies(Service dying, Container client) {
    CompletableFuture.runAsync(() -> dying.exec("touch", "/tmp/die"),
        CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS));
    try {
      client.exec("sh", "-c", "sleep 10; echo should-not-run");
    } catch (BerthException e) {
      execFailedAt = Instant.now();
      throw e;
    }
  }

  @ServiceTest
  static class ClientOfADyingService {
    @ServiceContainer
    static final ServiceSpec dying = DYING;

    @Test
    void execOutlivesTheService(@ServiceHandle("dying") Service dying,
        @BindService(value = "dying", alias = "doomed") Container client) {
      execWhileItDies(dying, client);
    }
  }

  @ServiceTest
  static class ClientOfAChain {
    @ServiceContainer
    static final ServiceSpec front = FRONT;

    @ServiceContainer
    static final ServiceSpec back = DYING;

    @Test
    void execOutlivesTheBindingOfItsService(@ServiceHandle("back") Service back,
        @BindService(value = "front", alias = "api") Container client) {
      execWhileItDies(back, client);
    }
  }

  @ServiceTest
  static class WaitsForAStart {
    /** Exits a second after it is ready, while its dependent still starts. */
    static final ServiceSpec SHORT_LIVED = ServiceSpec.from("busybox:1.35")
        .withCommand("sh", "-c", "echo ready; sleep 1; echo going down now; exit 42")
        .withReadyLogLine("ready");

    @ServiceContainer(name = "slow-front")
    static final ServiceSpec slowFront = ServiceSpec.from("busybox:1.35")
        .withCommand("sh", "-c", "sleep 8; echo up; exec sleep 3600")
        .withReadyLogLine("up")
        .withStartupTimeout(Duration.ofSeconds(60))
        .withServiceBinding("back", SHORT_LIVED);

    @Test
    void neverRuns(@BindService(value = "slow-front", alias = "api") Container client) {
      throw new AssertionError("the client's binding cannot have started");
    }
  }
}
