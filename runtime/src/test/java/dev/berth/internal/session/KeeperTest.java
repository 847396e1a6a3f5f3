package dev.berth.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.internal.engine.ContainerRequest;
import dev.berth.internal.engine.DockerBackend;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.spec.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The keeper against a run that attaches at the moment it would remove: made to race, by the run holding the
 * definition's mutex while the keeper waits for it.
 */
class KeeperTest {

  private final String session = "keeper-" + UUID.randomUUID().toString().substring(0, 8);
  private final String digest = "a".repeat(64);
  private final Engine engine = DockerBackend.connect(Optional.empty());

  @AfterEach
  void removeWhatIsLeft() {
    engine.containersLabelled(Map.of(Labels.SESSION, session)).forEach(engine::remove);
    engine.removeNetwork(SessionNetwork.nameOf(session));
    engine.close();
    SessionDirectory.deleteTree(SessionDirectory.base().resolve(session));
  }

  @Test
  void aRunThatAttachesFirstKeepsItsServiceAndTheKeeperRemovesItOnceIdleAgain() throws Exception {
    var run = new SessionDirectory(session, "run-a");
    run.hold(SessionDirectory.RUN, "pid=" + ProcessHandle.current().pid() + "\n");
    var keeper = new SessionDirectory(session, "keeper");
    startService("service");
    WarmServices.markIdle(run, digest, Duration.ZERO, engine); // idle, and past its time at once

    CompletableFuture<Void> keeping = new CompletableFuture<>();
    run.locked(digest, () -> {
      CompletableFuture.runAsync(() -> {
        try {
          Keeper.keep(keeper, session); // waits for the mutex the run holds
          keeping.complete(null);
        } catch (Exception e) {
          keeping.completeExceptionally(e);
        }
      });
      sleepQuietly(500);
      assertThat(keeping).as("the keeper waits for the mutex").isNotDone();
      run.hold(digest, "run=run-a\n");
      assertThat(WarmServices.attached(run, digest)).isTrue();
      return null;
    });
    keeping.get(20, TimeUnit.SECONDS);
    assertThat(engine.containersLabelled(Map.of(Labels.SESSION, session))).as("the attached service").hasSize(1);

    run.locked(digest, () -> {
      run.release(digest);
      WarmServices.markIdle(run, digest, Duration.ZERO, engine);
      return null;
    });
    Keeper.keep(keeper, session);

    assertThat(engine.containersLabelled(Map.of(Labels.SESSION, session))).as("idle past its time").isEmpty();
    assertThat(WarmServices.any(run.dir())).isFalse();
  }

  @Test
  void aServiceALiveRunHoldsIsNeverRemoved() throws Exception {
    var run = new SessionDirectory(session, "run-b");
    run.hold(SessionDirectory.RUN, "pid=" + ProcessHandle.current().pid() + "\n");
    var keeper = new SessionDirectory(session, "keeper");
    startService("held");
    run.locked(digest, () -> {
      run.hold(digest, "run=run-b\n");
      // A marker a run left, say, before it was killed and its JVM's hold went on: the hold wins.
      WarmServices.markIdle(run, digest, Duration.ZERO, engine);
      return null;
    });

    var keeping = CompletableFuture.runAsync(() -> {
      try {
        Keeper.keep(keeper, session);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    sleepQuietly(1000);
    assertThat(engine.containersLabelled(Map.of(Labels.SESSION, session))).hasSize(1);

    run.locked(digest, () -> {
      run.release(digest);
      return null;
    });
    keeping.get(20, TimeUnit.SECONDS);
    assertThat(engine.containersLabelled(Map.of(Labels.SESSION, session))).isEmpty();
  }

  /**
   * A run's end starts the session's keeper only if none keeps it: another would copy Berth's classes and start a
   * JVM, only to find the lock taken and end. The keeper, once its last service went, lets the session go.
   */
  @Test
  void aRunsEndStartsAKeeperOnlyIfNoneKeepsTheSession() throws Exception {
    var run = new SessionDirectory(session, "run-c");
    WarmServices.markIdle(run, digest, Duration.ofSeconds(8), engine);
    assertThat(Keeper.keeping(run.dir())).as("before any keeper").isFalse();

    WarmServices.startKeeper(session);
    awaitKeeping(run.dir(), true);
    List<String> copiesBefore = keeperCopies();
    WarmServices.startKeeper(session);
    assertThat(keeperCopies()).as("no second keeper's copy of Berth's classes").isSubsetOf(copiesBefore);

    awaitKeeping(run.dir(), false);
    assertThat(WarmServices.any(run.dir())).as("removed once past its time").isFalse();
  }

  private static void awaitKeeping(Path sessionDir, boolean expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (Keeper.keeping(sessionDir) != expected) {
      assertThat(System.nanoTime() - deadline).as("a keeper " + (expected ? "begins" : "ends")).isNegative();
      sleepQuietly(100);
    }
  }

  /** The copies of Berth's classes the keepers this JVM started run from. */
  private static List<String> keeperCopies() throws IOException {
    try (Stream<Path> entries = Files.list(SessionDirectory.base())) {
      String prefix = "keeper-" + ProcessHandle.current().pid() + "-";
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix) && !n.endsWith(".log"))
          .toList();
    }
  }

  /** A container of the definition on the session's network, labelled as a run labels a service's. */
  private void startService(String name) {
    String network = engine.createNetwork(SessionNetwork.nameOf(session), Map.of(Labels.SESSION, session));
    engine.createAndStart(new ContainerRequest("berth-" + session + "-" + name, "busybox:1.35", name, List.of(),
        List.of(), Map.of(), List.of("sleep"), List.of("600"), null, null, null, Map.of(), Map.of(), null, Map.of(),
        Map.of(Labels.SESSION, session, Labels.DIGEST, digest, Labels.ROLE, "service")), network, null, "127.0.0.1");
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
