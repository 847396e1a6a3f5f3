package dev.berth.internal.run;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.berth.BerthException;
import dev.berth.ServiceSpec;
import dev.berth.ServiceStartException;
import dev.berth.internal.container.LogTail;
import dev.berth.internal.container.RunningService;
import dev.berth.internal.container.ServiceDeath;
import dev.berth.internal.container.ServiceOperations;
import dev.berth.internal.container.ServiceStarter;
import dev.berth.internal.container.StartFailure;
import dev.berth.internal.net.PublishedPorts;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.SpecAccess;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServiceTableTest {

  private static final Duration GRACE = Duration.ofSeconds(10);

  private static final ServiceSpec CACHE = ServiceSpec.from("redis:7.0").withExposedPort(6379);
  private static final ServiceSpec DB = ServiceSpec.from("postgres:16").withExposedPort(5432);
  private static final ServiceSpec QUEUE = ServiceSpec.from("rabbitmq:3").withExposedPort(5672);

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final TrackingExecutor executor = new TrackingExecutor(pool);
  private final ManualTimer timer = new ManualTimer();
  private final FakeStarter starter = new FakeStarter();
  private final ServiceTable table = new ServiceTable(starter, executor, timer, GRACE);

  @AfterEach
  void shutDown() throws InterruptedException {
    table.close();
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, SECONDS)).as("the table's executor ends").isTrue();
  }

  @Test
  void concurrentAcquiresOfOneSpecStartItOnce() throws Exception {
    CountDownLatch allAsked = new CountDownLatch(16);
    starter.before("cache", allAsked::await);
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      CyclicBarrier go = new CyclicBarrier(16);
      var futures = new ArrayList<CompletableFuture<CompletableFuture<ServiceTable.Lease>>>();
      for (int i = 0; i < 16; i++) {
        futures.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await(5, SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          CompletableFuture<ServiceTable.Lease> lease = table.acquire("cache", def(CACHE));
          allAsked.countDown();
          return lease;
        }, callers));
      }

      var leases = new ArrayList<ServiceTable.Lease>();
      for (var future : futures) {
        leases.add(get(get(future)));
      }

      assertThat(starter.starts()).hasSize(1);
      assertThat(leases).extracting(ServiceTable.Lease::service).containsOnly(leases.get(0).service());
      assertThat(leases).extracting(lease -> lease.service().containerId()).containsOnly("id-1");
      assertThat(leases).doesNotHaveDuplicates();
      assertThat(table.isRunning(def(CACHE))).isTrue();
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void laterAcquiresJoinTheRunningService() throws Exception {
    ServiceTable.Lease first = get(table.acquire("cache", def(CACHE)));
    ServiceTable.Lease second = get(table.acquire("other-name", def(ServiceSpec.from("redis:7.0").withExposedPort(6379))));

    assertThat(second.service()).isSameAs(first.service());
    assertThat(second.service().name()).isEqualTo("cache");
    assertThat(starter.starts()).hasSize(1);
  }

  @Test
  void differentSpecsStartDifferentContainers() throws Exception {
    ServiceTable.Lease one = get(table.acquire("cache", def(CACHE)));
    ServiceTable.Lease two = get(table.acquire("cache", def(CACHE.withInstanceId("two"))));

    assertThat(two.service()).isNotSameAs(one.service());
    assertThat(starter.starts()).hasSize(2);
  }

  @Test
  void failedStartFailsEveryWaiterWithTheSameCause() throws Exception {
    CountDownLatch fail = new CountDownLatch(1);
    ServiceStartException cause = new StartFailure("cache", def(ServiceSpec.from("redis:7.0")), 6379, 1,
        "it exited with code 1", List.of("FATAL: bad config"), null);
    starter.before("cache", () -> {
      fail.await();
      throw cause;
    });
    var waiters = new ArrayList<CompletableFuture<ServiceTable.Lease>>();
    for (int i = 0; i < 5; i++) {
      waiters.add(table.acquire("cache", def(CACHE)));
    }
    fail.countDown();

    var thrown = new ArrayList<ServiceStartException>();
    for (var waiter : waiters) {
      Throwable t = catchThrowable(() -> ServiceTable.await(waiter, "cache"));
      assertThat(t).isInstanceOf(ServiceStartException.class);
      thrown.add((ServiceStartException) t);
    }

    assertThat(thrown).extracting(Throwable::getMessage).containsOnly(cause.getMessage());
    assertThat(thrown).allSatisfy(e -> assertThat(e.getCause()).isSameAs(cause));
    assertThat(thrown).doesNotHaveDuplicates();
    assertThat(starter.calls()).containsExactly("cache");
    assertThat(table.isRunning(def(CACHE))).isFalse();
  }

  @Test
  void acquireAfterAFailedStartStartsAgain() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    starter.before("cache", () -> {
      if (attempts.incrementAndGet() == 1) {
        throw new IllegalStateException("engine hiccup");
      }
    });

    assertThatThrownBy(() -> get(table.acquire("cache", def(CACHE))))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IllegalStateException.class).hasMessage("engine hiccup");
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));

    assertThat(starter.calls()).containsExactly("cache", "cache");
    assertThat(lease.service().containerId()).isEqualTo("id-1");
    assertThat(table.isRunning(def(CACHE))).isTrue();
  }

  @Test
  void releasingTheLastLeaseSchedulesAStopAfterTheGracePeriod() throws Exception {
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));

    lease.close();
    executor.awaitIdle();

    assertThat(timer.scheduled()).singleElement().satisfies(task -> {
      assertThat(task.delay).isEqualTo(GRACE);
      assertThat(task.cancelled).isFalse();
    });
    assertThat(starter.stops()).isEmpty();
    assertThat(table.isRunning(def(CACHE))).isTrue();

    timer.scheduled().get(0).fire();

    assertThat(starter.awaitStop()).isSameAs(lease.service());
    assertThat(table.isRunning(def(CACHE))).isFalse();
    executor.awaitIdle();
    assertThat(starter.stops()).hasSize(1);
  }

  @Test
  void releasingOneOfSeveralLeasesSchedulesNothing() throws Exception {
    ServiceTable.Lease one = get(table.acquire("cache", def(CACHE)));
    ServiceTable.Lease two = get(table.acquire("cache", def(CACHE)));

    one.close();

    assertThat(timer.scheduled()).isEmpty();
    two.close();
    assertThat(timer.scheduled()).hasSize(1);
  }

  @Test
  void acquireBeforeTheTimerFiresCancelsTheStop() throws Exception {
    ServiceTable.Lease first = get(table.acquire("cache", def(CACHE)));
    first.close();
    ManualTimer.Task pending = timer.scheduled().get(0);

    ServiceTable.Lease second = get(table.acquire("cache", def(CACHE)));

    assertThat(pending.cancelled).isTrue();
    assertThat(second.service()).isSameAs(first.service());

    pending.fire();
    executor.awaitIdle();

    assertThat(starter.stops()).isEmpty();
    assertThat(table.isRunning(def(CACHE))).isTrue();
    assertThat(starter.starts()).hasSize(1);

    second.close();
    assertThat(timer.scheduled()).hasSize(2);
    timer.scheduled().get(1).fire();
    assertThat(starter.awaitStop()).isSameAs(first.service());
  }

  @Test
  void aCancelledStopFiringAfterALaterReleaseDoesNotStop() throws Exception {
    get(table.acquire("cache", def(CACHE))).close();
    ManualTimer.Task stale = timer.scheduled().get(0);
    get(table.acquire("cache", def(CACHE))).close();
    assertThat(stale.cancelled).isTrue();
    assertThat(timer.scheduled()).hasSize(2);

    stale.fire();
    executor.awaitIdle();

    assertThat(starter.stops()).isEmpty();
    assertThat(table.isRunning(def(CACHE))).isTrue();
  }

  @Test
  void aServiceStoppedByItsTimerIsStartedAfreshByTheNextAcquire() throws Exception {
    ServiceTable.Lease first = get(table.acquire("cache", def(CACHE)));
    first.close();
    timer.scheduled().get(0).fire();
    starter.awaitStop();

    ServiceTable.Lease second = get(table.acquire("cache", def(CACHE)));

    assertThat(second.service()).isNotSameAs(first.service());
    assertThat(starter.starts()).hasSize(2);
  }

  @Test
  void closeNowStopsAtOnceWithoutTheTimer() throws Exception {
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));

    get(lease.closeNow());

    assertThat(starter.stops()).containsExactly(lease.service());
    assertThat(timer.scheduled()).isEmpty();
    assertThat(table.isRunning(def(CACHE))).isFalse();
  }

  @Test
  void closeNowOfOneOfSeveralLeasesKeepsTheServiceRunning() throws Exception {
    ServiceTable.Lease one = get(table.acquire("cache", def(CACHE)));
    ServiceTable.Lease two = get(table.acquire("cache", def(CACHE)));

    get(one.closeNow());
    executor.awaitIdle();

    assertThat(starter.stops()).isEmpty();
    assertThat(table.isRunning(def(CACHE))).isTrue();
    get(two.closeNow());
    assertThat(starter.stops()).containsExactly(two.service());
  }

  @Test
  void zeroGracePeriodStopsAtOnce() throws Exception {
    try (ServiceTable immediate = new ServiceTable(starter, executor, timer, Duration.ZERO)) {
      ServiceTable.Lease lease = get(immediate.acquire("cache", def(CACHE)));

      lease.close();

      assertThat(starter.awaitStop()).isSameAs(lease.service());
      assertThat(timer.scheduled()).isEmpty();
    }
  }

  @Test
  void stopFailureIsLoggedAndTheBindingsAreStillReleased() throws Exception {
    starter.failStops();
    ServiceTable.Lease lease = get(table.acquire("app", def(ServiceSpec.from("app").withServiceBinding("db", DB))));

    get(lease.closeNow());

    assertThat(starter.stops()).hasSize(1);
    executor.awaitIdle();
    assertThat(timer.scheduled()).hasSize(1);
    assertThat(table.isRunning(def(DB))).isTrue();
  }

  @Test
  void leaseCloseIsIdempotent() throws Exception {
    ServiceTable.Lease one = get(table.acquire("cache", def(CACHE)));
    ServiceTable.Lease two = get(table.acquire("cache", def(CACHE)));

    one.close();
    one.close();
    get(one.closeNow());

    assertThat(timer.scheduled()).isEmpty();
    assertThat(table.isRunning(def(CACHE))).isTrue();

    two.close();
    two.close();

    assertThat(timer.scheduled()).hasSize(1);
  }

  @Test
  void closeNowAfterCloseDoesNotReleaseAgain() throws Exception {
    ServiceTable.Lease one = get(table.acquire("cache", def(CACHE)));
    get(table.acquire("cache", def(CACHE)));

    one.close();
    CompletableFuture<Void> again = one.closeNow();

    assertThat(again).isCompleted();
    executor.awaitIdle();
    assertThat(starter.stops()).isEmpty();
    assertThat(table.isRunning(def(CACHE))).isTrue();
  }

  @Test
  void bindingStartsFirstAndItsAddressIsPassedOn() throws Exception {
    ServiceSpec app = ServiceSpec.from("app:1").withServiceBinding("db", DB);

    ServiceTable.Lease lease = get(table.acquire("app", def(app)));

    assertThat(starter.starts()).extracting(Start::name).containsExactly("db", "app");
    Start db = starter.starts().get(0);
    Start appStart = starter.starts().get(1);
    assertThat(db.spec()).isEqualTo(def(DB));
    assertThat(db.boundHosts()).isEmpty();
    assertThat(appStart.boundHosts()).containsExactly(Map.entry("db", db.service().address()));
    assertThat(lease.service()).isSameAs(appStart.service());
    assertThat(table.isRunning(def(DB))).isTrue();
  }

  @Test
  void bindingsOfBindingsStartInDependencyOrder() throws Exception {
    ServiceSpec api = ServiceSpec.from("api:1").withServiceBinding("db", DB);
    ServiceSpec web = ServiceSpec.from("web:1").withServiceBinding("api", api);

    get(table.acquire("web", def(web)));

    assertThat(starter.starts()).extracting(Start::name).containsExactly("db", "api", "web");
    assertThat(starter.starts().get(2).boundHosts())
        .containsExactly(Map.entry("api", starter.starts().get(1).service().address()));
  }

  @Test
  void bindingSharedByTwoBindingsStartsOnce() throws Exception {
    ServiceSpec api = ServiceSpec.from("api:1").withServiceBinding("db", DB);
    ServiceSpec worker = ServiceSpec.from("worker:1").withServiceBinding("db", DB);
    ServiceSpec app = ServiceSpec.from("app:1").withServiceBinding("api", api).withServiceBinding("worker", worker);

    get(table.acquire("app", def(app)));

    assertThat(starter.calls()).filteredOn("db"::equals).hasSize(1);
    assertThat(starter.starts()).extracting(Start::name).containsExactlyInAnyOrder("db", "api", "worker", "app");
    assertThat(starter.starts().get(0).name()).isEqualTo("db");
    assertThat(starter.starts().get(3).name()).isEqualTo("app");
  }

  @Test
  void bindingAlreadyRunningIsReused() throws Exception {
    ServiceTable.Lease db = get(table.acquire("db", def(DB)));

    get(table.acquire("app", def(ServiceSpec.from("app:1").withServiceBinding("database", DB))));

    assertThat(starter.starts()).extracting(Start::name).containsExactly("db", "app");
    assertThat(starter.starts().get(1).boundHosts()).containsExactly(Map.entry("database", db.service().address()));
  }

  @Test
  void independentBindingsStartInParallel() throws Exception {
    CyclicBarrier bothStarting = new CyclicBarrier(2);
    starter.before("cache", () -> bothStarting.await(5, SECONDS));
    starter.before("queue", () -> bothStarting.await(5, SECONDS));
    ServiceSpec app = ServiceSpec.from("app:1").withServiceBinding("cache", CACHE).withServiceBinding("queue", QUEUE);

    ServiceTable.Lease lease = get(table.acquire("app", def(app)));

    assertThat(starter.starts()).extracting(Start::name).containsExactlyInAnyOrder("cache", "queue", "app");
    assertThat(starter.starts().get(2).name()).isEqualTo("app");
    assertThat(starter.starts().get(2).boundHosts()).containsOnlyKeys("cache", "queue");
    assertThat(lease.service().name()).isEqualTo("app");
  }

  @Test
  void failedBindingFailsTheDependentNamingTheAliasAndTheDependentNeverStarts() throws Exception {
    ServiceStartException cause = new StartFailure("db", def(ServiceSpec.from("postgres:16")), 5432, null,
        "port 5432 was not ready within PT1M", List.of(), null);
    starter.before("db", () -> {
      throw cause;
    });
    ServiceSpec app = ServiceSpec.from("app:1").withServiceBinding("db", DB);

    CompletableFuture<ServiceTable.Lease> lease = table.acquire("app", def(app));
    Throwable thrown = catchThrowable(() -> ServiceTable.await(lease, "app"));

    assertThat(thrown).isInstanceOf(BerthException.class)
        .hasMessageContaining("'app'")
        .hasMessageContaining("binding 'db' failed")
        .hasMessageContaining(cause.getMessage());
    assertThat(thrown.getCause()).isInstanceOf(BerthException.class);
    assertThat(thrown.getCause().getCause()).isSameAs(cause);
    assertThat(starter.calls()).containsExactly("db");
    assertThat(table.isRunning(def(app))).isFalse();
  }

  @Test
  void failedBindingReleasesTheBindingsThatStarted() throws Exception {
    starter.before("db", () -> {
      throw new IllegalStateException("no space left on device");
    });
    ServiceSpec app = ServiceSpec.from("app:1").withServiceBinding("cache", CACHE).withServiceBinding("db", DB);

    assertThatThrownBy(() -> get(table.acquire("app", def(app))))
        .cause().hasMessageContaining("binding 'db' failed: no space left on device");

    assertThat(starter.calls()).containsExactlyInAnyOrder("cache", "db");
    assertThat(timer.scheduled()).hasSize(1);
    timer.scheduled().get(0).fire();
    assertThat(starter.awaitStop().name()).isEqualTo("cache");
  }

  @Test
  void failedStartReleasesItsBindings() throws Exception {
    starter.before("app", () -> {
      throw new IllegalStateException("image not found");
    });
    ServiceSpec app = ServiceSpec.from("app:1").withServiceBinding("db", DB);

    assertThatThrownBy(() -> get(table.acquire("app", def(app)))).cause().hasMessage("image not found");

    assertThat(timer.scheduled()).hasSize(1);
    timer.scheduled().get(0).fire();
    assertThat(starter.awaitStop().name()).isEqualTo("db");
  }

  @Test
  void stoppingAServiceReleasesItsBindings() throws Exception {
    ServiceSpec app = ServiceSpec.from("app:1").withServiceBinding("db", DB).withServiceBinding("cache", CACHE);
    ServiceTable.Lease lease = get(table.acquire("app", def(app)));

    lease.close();
    assertThat(timer.scheduled()).hasSize(1);
    timer.scheduled().get(0).fire();

    assertThat(starter.awaitStop()).isSameAs(lease.service());
    executor.awaitIdle();
    assertThat(timer.scheduled()).hasSize(3);
    assertThat(starter.stops()).hasSize(1);
    assertThat(table.isRunning(def(DB))).isTrue();
    assertThat(table.isRunning(def(CACHE))).isTrue();

    timer.scheduled().get(1).fire();
    timer.scheduled().get(2).fire();

    assertThat(List.of(starter.awaitStop().name(), starter.awaitStop().name()))
        .containsExactlyInAnyOrder("db", "cache");
    assertThat(table.isRunning(def(DB))).isFalse();
    assertThat(table.isRunning(def(CACHE))).isFalse();
  }

  @Test
  void bindingWithAnotherUserKeepsRunningWhenTheDependentStops() throws Exception {
    ServiceTable.Lease db = get(table.acquire("db", def(DB)));
    ServiceTable.Lease app = get(table.acquire("app", def(ServiceSpec.from("app:1").withServiceBinding("db", DB))));

    get(app.closeNow());
    executor.awaitIdle();

    assertThat(starter.stops()).containsExactly(app.service());
    assertThat(timer.scheduled()).isEmpty();
    assertThat(table.isRunning(def(DB))).isTrue();
    db.close();
    assertThat(timer.scheduled()).hasSize(1);
  }

  @Test
  void isRunningTurnsFalseWhenTheContainerExits() throws Exception {
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));
    assertThat(table.isRunning(def(CACHE))).isTrue();

    lease.service().exit().complete(137);

    assertThat(table.isRunning(def(CACHE))).isFalse();
  }

  @Test
  void isRunningIsFalseWhileStarting() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    starter.before("cache", started::await);

    CompletableFuture<ServiceTable.Lease> lease = table.acquire("cache", def(CACHE));

    assertThat(table.isRunning(def(CACHE))).isFalse();
    started.countDown();
    get(lease);
    assertThat(table.isRunning(def(CACHE))).isTrue();
  }

  @Test
  void aServiceDiesWhenItsContainerExitsNamingItsHostnameAliasExitCodeAndLastLines() throws Exception {
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));
    CompletableFuture<ServiceDeath> death = lease.death();
    assertThat(death).isNotDone();

    exit(lease.service(), 42, "ready", "out of memory");

    ServiceDeath dead = get(death);
    assertThat(dead.service()).isSameAs(lease.service());
    assertThat(dead.exitCode()).isEqualTo(42);
    assertThat(dead.lastLines()).containsExactly("ready", "out of memory");
    assertThat(dead.describe())
        .startsWith("service 'cache' (redis:7.0, ")
        .contains(", hostname " + CACHE.hostname() + ", bound as 'cache', exited with code 42 after it was ready.")
        .endsWith("Its last 2 log lines:\n  | ready\n  | out of memory");
    assertThat(lease.isStale()).isTrue();
  }

  @Test
  void aDeathShowsTheLastTwentyLines() throws Exception {
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));

    exit(lease.service(), 1, java.util.stream.IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i)
        .toArray(String[]::new));

    assertThat(get(lease.death()).lastLines()).hasSize(ServiceDeath.SHOWN_LINES).startsWith("line 11")
        .endsWith("line 30");
  }

  @Test
  void theDeathOfABindingIsTheDeathOfEveryServiceThatBindsItThroughTheChain() throws Exception {
    ServiceSpec api = ServiceSpec.from("api:1").withServiceBinding("db", DB);
    ServiceSpec web = ServiceSpec.from("web:1").withServiceBinding("api", api);
    ServiceTable.Lease lease = get(table.acquire("front", def(web)));
    CompletableFuture<ServiceDeath> death = lease.death();

    exit(started("db").service(), 42, "FATAL: terminating");

    ServiceDeath dead = get(death);
    assertThat(dead.service()).isSameAs(started("db").service());
    assertThat(dead.aliases()).containsExactly("front", "api", "db");
    assertThat(dead.describe()).contains(", hostname " + DB.hostname() + ", bound as 'db' through 'front' and 'api',"
        + " exited with code 42").contains("FATAL: terminating");
    assertThat(table.isRunning(def(web))).isFalse();
    assertThat(table.isRunning(def(api))).isFalse();
    assertThat(lease.isStale()).isTrue();
  }

  @Test
  void aServiceThatBindsADeadServiceIsStoppedAndStartedAfreshWithTheBindingOnTheNextAcquire() throws Exception {
    ServiceSpec app = ServiceSpec.from("app:1").withServiceBinding("db", DB);
    ServiceTable.Lease first = get(table.acquire("app", def(app)));
    exit(started("db").service(), 42);
    get(first.death());

    ServiceTable.Lease second = get(table.acquire("app", def(app)));

    assertThat(second.service()).isNotSameAs(first.service());
    assertThat(starter.calls()).containsExactly("db", "app", "db", "app");
    assertThat(starter.stops()).contains(first.service());
    assertThat(second.death()).isNotDone();
  }

  @Test
  void aBindingThatDiesWhileItsDependentStartsFailsTheDependentsWaitersAtOnce() throws Exception {
    CountDownLatch appStarting = new CountDownLatch(1);
    CountDownLatch appMayFinish = new CountDownLatch(1);
    starter.before("app", () -> {
      appStarting.countDown();
      appMayFinish.await();
    });
    ServiceSpec app = ServiceSpec.from("app:1").withServiceBinding("db", DB);
    CompletableFuture<ServiceTable.Lease> waiter = table.acquire("app", def(app));
    assertThat(appStarting.await(5, SECONDS)).isTrue();

    exit(started("db").service(), 42, "shutting down");

    Throwable thrown = catchThrowable(() -> waiter.get(2, SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class).cause().isInstanceOf(BerthException.class)
        .hasMessageStartingWith("Service 'app' (app:1, ")
        .hasMessageContaining(" cannot start: its binding service 'db' (postgres:16, ")
        .hasMessageContaining("hostname " + DB.hostname() + ", bound as 'db', exited with code 42")
        .hasMessageContaining("shutting down");
    assertThat(starter.stops()).isEmpty();

    appMayFinish.countDown();
    RunningService abandoned = starter.awaitStop();
    assertThat(abandoned.name()).isEqualTo("app");
    executor.awaitIdle();
    assertThat(table.isRunning(def(app))).isFalse();
    assertThat(timer.scheduled()).as("the dead binding, released, stops after the grace period").hasSize(1);
  }

  @Test
  void aServiceTheTableStopsDoesNotDie() throws Exception {
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));
    CompletableFuture<ServiceDeath> death = lease.death();

    get(lease.closeNow());
    exit(lease.service(), 143);
    executor.awaitIdle();

    assertThat(death).isNotDone();
  }

  @Test
  void nothingDiesAfterTheRunEnded() throws Exception {
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));
    CompletableFuture<ServiceDeath> death = lease.death();

    table.close();
    exit(lease.service(), 137);
    executor.awaitIdle();

    assertThat(death).isNotDone();
  }

  @Test
  void acquireAfterCloseFails() {
    table.close();

    CompletableFuture<ServiceTable.Lease> lease = table.acquire("cache", def(CACHE));

    assertThat(lease).isCompletedExceptionally();
    assertThatThrownBy(() -> ServiceTable.await(lease, "cache"))
        .isInstanceOf(BerthException.class)
        .hasMessageContaining("'cache'")
        .hasMessageContaining("redis:7.0")
        .hasMessageContaining("after the run ended");
    assertThat(starter.starts()).isEmpty();
  }

  @Test
  void closeDropsPendingStops() throws Exception {
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));
    lease.close();
    ManualTimer.Task pending = timer.scheduled().get(0);

    table.close();

    assertThat(pending.cancelled).isTrue();
    pending.fire();
    executor.awaitIdle();
    assertThat(starter.stops()).isEmpty();
  }

  @Test
  void releaseAfterCloseStopsNothing() throws Exception {
    ServiceTable.Lease lease = get(table.acquire("cache", def(CACHE)));
    table.close();

    lease.close();
    get(lease.closeNow());
    executor.awaitIdle();

    assertThat(timer.scheduled()).isEmpty();
    assertThat(starter.stops()).isEmpty();
  }

  @Test
  void awaitReturnsTheLease() throws Exception {
    CompletableFuture<ServiceTable.Lease> lease = table.acquire("cache", def(CACHE));

    assertThat(ServiceTable.await(lease, "cache")).isSameAs(get(lease));
  }

  @Test
  void awaitGivesEachWaiterItsOwnServiceStartExceptionWithTheSharedDetails() {
    ServiceStartException shared = new StartFailure("cache", def(ServiceSpec.from("redis:7.0")), 6379, 1,
        "it exited with code 1",
        List.of("line 1", "line 2"), null);
    CompletableFuture<ServiceTable.Lease> failed = CompletableFuture.failedFuture(shared);

    Throwable one = catchThrowable(() -> ServiceTable.await(failed, "cache"));
    Throwable two = catchThrowable(() -> ServiceTable.await(failed, "cache"));

    assertThat(one).isInstanceOf(ServiceStartException.class).isNotSameAs(shared).isNotSameAs(two)
        .hasMessage(shared.getMessage()).hasCause(shared);
    assertThat(one.getCause()).isSameAs(shared);
    assertThat(two.getCause()).isSameAs(shared);
    ServiceStartException copy = (ServiceStartException) one;
    assertThat(copy.serviceName()).isEqualTo("cache");
    assertThat(copy.image()).isEqualTo("redis:7.0");
    assertThat(copy.port()).isEqualTo(6379);
    assertThat(copy.exitCode()).hasValue(1);
    assertThat(copy.logTail()).containsExactly("line 1", "line 2");
    assertThat(copy.getMessage())
        .isEqualTo("Service 'cache' (redis:7.0, port 6379) did not start: it exited with code 1\n"
            + "  hostname " + ServiceSpec.from("redis:7.0").hostname() + ", the image's default command\n"
            + "  last 2 log lines:\n  | line 1\n  | line 2");
  }

  @Test
  void awaitWrapsOtherFailuresInABerthExceptionWithTheSameMessageAndCause() {
    IllegalStateException shared = new IllegalStateException("engine gone");
    CompletableFuture<ServiceTable.Lease> failed = CompletableFuture.failedFuture(shared);

    Throwable thrown = catchThrowable(() -> ServiceTable.await(failed, "cache"));

    assertThat(thrown).isExactlyInstanceOf(BerthException.class).hasMessage("engine gone");
    assertThat(thrown.getCause()).isSameAs(shared);
  }

  @Test
  void awaitUnwrapsFailuresOfDependentFutures() throws Exception {
    starter.before("cache", () -> {
      throw new IllegalStateException("engine gone");
    });

    Throwable thrown = catchThrowable(() -> ServiceTable.await(table.acquire("cache", def(CACHE)), "cache"));

    assertThat(thrown).isExactlyInstanceOf(BerthException.class).hasMessage("engine gone");
    assertThat(thrown.getCause()).isExactlyInstanceOf(IllegalStateException.class);
  }

  @Test
  void interruptedWaiterAbandonsOnlyItsOwnWaitAndReleasesItsLeaseOnceStarted() throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    starter.before("cache", start::await);
    CompletableFuture<ServiceTable.Lease> interrupted = table.acquire("cache", def(CACHE));
    CompletableFuture<ServiceTable.Lease> patient = table.acquire("cache", def(CACHE));

    Thread.currentThread().interrupt();
    Throwable thrown = catchThrowable(() -> ServiceTable.await(interrupted, "service 'cache'"));
    boolean stillInterrupted = Thread.interrupted();

    assertThat(thrown).isInstanceOf(BerthException.class)
        .hasMessage("Interrupted while waiting for service 'cache'")
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(stillInterrupted).isTrue();

    start.countDown();
    ServiceTable.Lease lease = ServiceTable.await(patient, "cache");
    get(interrupted);
    executor.awaitIdle();

    assertThat(timer.scheduled()).isEmpty();
    assertThat(table.isRunning(def(CACHE))).isTrue();
    lease.close();
    assertThat(timer.scheduled()).hasSize(1);
  }

  @Test
  void acquireWhileTheOldContainerIsStoppingStartsOnlyOnceItIsGone() throws Exception {
    ManualExecutor manual = new ManualExecutor();
    try (ServiceTable stepped = new ServiceTable(starter, manual, timer, GRACE)) {
      CompletableFuture<ServiceTable.Lease> first = stepped.acquire("cache", def(CACHE));
      manual.runNewestFirst();
      ServiceTable.Lease lease = first.getNow(null);
      CompletableFuture<Void> stopped = lease.closeNow();

      CompletableFuture<ServiceTable.Lease> again = stepped.acquire("cache", def(CACHE));
      manual.runNewestFirst();

      assertThat(stopped).isCompleted();
      assertThat(again).isCompleted();
      assertThat(again.getNow(null).service()).isNotSameAs(lease.service());
      assertThat(starter.calls()).containsExactly("cache", "cache");
    }
  }

  @Test
  void errorFromTheStarterFailsTheWaiters() throws Exception {
    starter.before("cache", () -> {
      throw new NoClassDefFoundError("com/github/dockerjava/api/DockerClient");
    });

    CompletableFuture<ServiceTable.Lease> lease = table.acquire("cache", def(CACHE));

    assertThatThrownBy(() -> lease.get(2, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(NoClassDefFoundError.class);
    assertThat(table.isRunning(def(CACHE))).isFalse();
  }

  /** The service's container prints these lines and exits with the code; its output ends with it. */
  private static void exit(RunningService service, int code, String... lines) {
    for (String line : lines) {
      service.logs().accept(line);
    }
    service.logs().end();
    service.exit().complete(code);
  }

  /** The one start of the service of this name so far. */
  private Start started(String name) {
    return starter.starts().stream().filter(start -> start.name().equals(name)).reduce((a, b) -> {
      throw new AssertionError(name + " started more than once");
    }).orElseThrow();
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(5, SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the future did not complete within 5 s", e);
    }
  }

  record Start(String name, Definition spec, Map<String, String> boundHosts, RunningService service) {
  }

  interface Hook {
    void run() throws Exception;
  }

  static final class FakeStarter implements ServiceStarter {
    private final AtomicInteger counter = new AtomicInteger();
    private final Map<String, Hook> hooks = new ConcurrentHashMap<>();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<Start> starts = Collections.synchronizedList(new ArrayList<>());
    private final List<RunningService> stops = Collections.synchronizedList(new ArrayList<>());
    private final BlockingQueue<RunningService> stopped = new LinkedBlockingQueue<>();
    private final Map<String, RunningService> live = new ConcurrentHashMap<>();
    private volatile boolean failStops;

    void before(String name, Hook hook) {
      hooks.put(name, hook);
    }

    void failStops() {
      failStops = true;
    }

    List<String> calls() {
      synchronized (calls) {
        return List.copyOf(calls);
      }
    }

    List<Start> starts() {
      synchronized (starts) {
        return List.copyOf(starts);
      }
    }

    List<RunningService> stops() {
      synchronized (stops) {
        return List.copyOf(stops);
      }
    }

    RunningService awaitStop() throws InterruptedException {
      RunningService service = stopped.poll(5, SECONDS);
      assertThat(service).as("a service stopped within 5 s").isNotNull();
      return service;
    }

    @Override
    public RunningService start(String name, Definition spec, Map<String, String> boundHosts) {
      calls.add(name);
      Hook hook = hooks.get(name);
      if (hook != null) {
        try {
          hook.run();
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException("the start hook of " + name + " failed", e);
        }
      }
      int n = counter.incrementAndGet();
      var service = new RunningService(name, spec, "id-" + n, "10.0.0." + n, Map.of(), PublishedPorts.loopback(),
          new LogTail("test"), new CompletableFuture<>(), () -> { }, ServiceOperations.none(name, "a test double"));
      RunningService existing = live.putIfAbsent(spec.hostname(), service);
      if (existing != null) {
        throw new IllegalStateException("Conflict: the container name of " + spec.hostname() + " is already in use"
            + " by " + existing.containerId());
      }
      starts.add(new Start(name, spec, Map.copyOf(boundHosts), service));
      return service;
    }

    @Override
    public void stop(RunningService service, java.time.Duration timeout) {
      stop(service);
    }

    @Override
    public void stop(RunningService service) {
      stops.add(service);
      live.remove(service.spec().hostname(), service);
      stopped.add(service);
      if (failStops) {
        throw new IllegalStateException("container " + service.containerId() + " is stuck");
      }
    }
  }

  static final class ManualTimer implements ServiceTable.Timer {
    private final List<Task> scheduled = Collections.synchronizedList(new ArrayList<>());

    static final class Task {
      final Duration delay;
      final Runnable task;
      volatile boolean cancelled;

      Task(Duration delay, Runnable task) {
        this.delay = delay;
        this.task = task;
      }

      void fire() {
        task.run();
      }
    }

    @Override
    public Runnable schedule(Duration delay, Runnable task) {
      Task t = new Task(delay, task);
      scheduled.add(t);
      return () -> t.cancelled = true;
    }

    List<Task> scheduled() {
      synchronized (scheduled) {
        return List.copyOf(scheduled);
      }
    }
  }

  static final class ManualExecutor implements Executor {
    private final Deque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.addLast(task);
    }

    void runNewestFirst() {
      for (Runnable task = next(); task != null; task = next()) {
        task.run();
      }
    }

    private synchronized Runnable next() {
      return tasks.pollLast();
    }
  }

  static final class TrackingExecutor implements Executor {
    private final Executor delegate;
    private final Object lock = new Object();
    private int pending;

    TrackingExecutor(Executor delegate) {
      this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
      synchronized (lock) {
        pending++;
      }
      try {
        delegate.execute(() -> {
          try {
            task.run();
          } finally {
            done();
          }
        });
      } catch (RuntimeException e) {
        done();
        throw e;
      }
    }

    private void done() {
      synchronized (lock) {
        pending--;
        lock.notifyAll();
      }
    }

    void awaitIdle() throws InterruptedException {
      long deadline = System.nanoTime() + SECONDS.toNanos(5);
      synchronized (lock) {
        while (pending > 0) {
          long left = deadline - System.nanoTime();
          assertThat(left).as("the table's tasks finished within 5 s").isPositive();
          lock.wait(left / 1_000_000 + 1);
        }
      }
    }
  }

  /** What Berth's internals read of a spec. */
  private static Definition def(ServiceSpec spec) {
    return SpecAccess.definition(spec);
  }
}
