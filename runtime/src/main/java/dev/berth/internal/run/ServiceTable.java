package dev.berth.internal.run;

import dev.berth.BerthException;
import dev.berth.ServiceStartException;
import dev.berth.internal.container.RunningService;
import dev.berth.internal.container.ServiceDeath;
import dev.berth.internal.container.ServiceStarter;
import dev.berth.internal.container.StartFailure;
import dev.berth.internal.report.Phase;
import dev.berth.internal.report.RunTimeline;
import dev.berth.internal.spec.Definition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's table of services, keyed by digest: the one place that decides when a service container starts and
 * stops. Read it top to bottom:
 *
 * <ol>
 *   <li>{@link #acquire} counts a user. The first user of a digest registers an entry and launches the start on
 *       the start executor; everyone else, now or later, waits on that entry's future. So a definition starts
 *       exactly once however many threads ask, and a failed start fails every waiter with the same cause (the
 *       entry is then dropped, so a later acquire tries again). A test's lease, not a start ahead of its class, puts
 *       the service's names into the session's DNS.</li>
 *   <li>{@link #launch} acquires the spec's bindings first, all in parallel, then starts the container with their
 *       addresses in its {@code /etc/hosts}. The bindings stay held while the service runs.</li>
 *   <li>{@link Lease#close()} releases a user. At zero users the service is not stopped at once: a stop is
 *       scheduled after the grace period, and an acquire before then cancels it (the next test class reuses the
 *       running service). When it ends, the starter {@linkplain ServiceStarter#release releases} the service: it
 *       stops, or, reused ({@code berth.reuse}), stays up for later runs. {@link Lease#closeNow()} skips the grace
 *       period and stops it.</li>
 *   <li>A service dies when its container exits after it was ready, or when a service it binds dies: its
 *       {@linkplain Lease#death() death} completes, saying which service exited and through which binding aliases
 *       it was reached. Whoever needs it hears at once: its start waiters fail (a binding died while it started,
 *       and the container it was starting is stopped), and client containers abandon their execs. The table's own
 *       stops, and the end of the run, are no deaths.</li>
 *   <li>A dead service is retired on the next acquire: that acquire starts a new container (a dead binding's
 *       dependent too, as its {@code /etc/hosts} names the dead address), and the dead one's holders release into
 *       nothing.</li>
 *   <li>{@link #close()} ends the run: nothing new starts and pending stops are dropped; the caller then removes
 *       every container of the run.</li>
 * </ol>
 * The lock guards only the map and the counters; starting and stopping happen outside it.
 */
final class ServiceTable implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  /** Schedules a task after a delay; returns the action that cancels it. */
  interface Timer {
    Runnable schedule(Duration delay, Runnable task);
  }

  private final ServiceStarter starter;
  private final Executor executor;
  private final Timer timer;
  private final Duration gracePeriod;
  private final RunTimeline timeline;
  private final Map<String, Entry> entries = new HashMap<>();
  /** Stops in progress, by digest: a new start of the same definition waits for the old container to be gone. */
  private final Map<String, CompletableFuture<Void>> stopping = new HashMap<>();
  private boolean closed;

  ServiceTable(ServiceStarter starter, Executor executor, Timer timer, Duration gracePeriod) {
    this(starter, executor, timer, gracePeriod, new RunTimeline());
  }

  /** @param timeline where the table notes each service's waits, users, grace periods, failures and deaths */
  ServiceTable(ServiceStarter starter, Executor executor, Timer timer, Duration gracePeriod, RunTimeline timeline) {
    this.starter = starter;
    this.executor = executor;
    this.timer = timer;
    this.gracePeriod = gracePeriod;
    this.timeline = timeline;
  }

  /** Counts a user of the service; the lease completes once the service is running and healthy. */
  CompletableFuture<Lease> acquire(String name, Definition spec) {
    return acquire(name, spec, true, "service " + name);
  }

  /**
   * As above; {@code forTest} false for a start ahead of the tests, which leaves the service out of DNS until a
   * test takes it ({@link ServiceStarter#announce}); {@code user} says who takes it, for the run report.
   */
  CompletableFuture<Lease> acquire(String name, Definition spec, boolean forTest, String user) {
    Entry entry;
    boolean first;
    CompletableFuture<Void> previousStop = null;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new BerthException("Service " + RunningService.describe(name, spec)
            + " was requested after the run ended"));
      }
      entry = entries.get(spec.digest());
      if (entry != null && entry.isDead()) {
        previousStop = retire(entry);
        entry = null;
      }
      first = entry == null;
      if (first) {
        entry = new Entry(name, spec);
        entries.put(spec.digest(), entry);
        if (previousStop == null) {
          previousStop = stopping.get(spec.digest());
        }
      }
      entry.users++;
      if (entry.pendingStop != null) {
        timeline.enter(spec.digest(), Phase.READY, "");
      }
      entry.cancelPendingStop();
    }
    if (first) {
      timeline.service(spec.digest(), name, spec.image(), spec.hostname());
      timeline.enter(spec.digest(), Phase.WAITING, previousStop != null ? "for its last container to go"
          : spec.serviceBindings().isEmpty() ? "" : "for its bindings: " + String.join(", ",
              spec.serviceBindings().keySet()));
    }
    timeline.used(spec.digest(), user);
    Entry acquired = entry;
    if (first && previousStop != null) {
      previousStop.whenCompleteAsync((stopped, failure) -> launch(acquired), executor);
    } else if (first) {
      executor.execute(() -> launch(acquired));
    }
    return acquired.running.thenApply(running -> {
      if (forTest) {
        starter.announce(running);
      }
      return new Lease(this, acquired, running, name);
    });
  }

  /** Whether the definition's container is up: started, healthy and not dead since. */
  synchronized boolean isRunning(Definition spec) {
    Entry entry = entries.get(spec.digest());
    return entry != null && entry.running.isDone() && !entry.running.isCompletedExceptionally()
        && !entry.isDead();
  }

  private void launch(Entry entry) {
    var bindings = new TreeMap<String, CompletableFuture<Lease>>();
    entry.spec.serviceBindings().forEach((alias, bound) -> bindings.put(alias,
        acquire(alias, bound, true, "service " + entry.name + " (binding " + alias + ")")));
    var held = new ArrayList<Lease>();
    var hosts = new TreeMap<String, String>();
    Throwable failure = null;
    for (Map.Entry<String, CompletableFuture<Lease>> binding : bindings.entrySet()) {
      try {
        Lease lease = binding.getValue().join();
        held.add(lease);
        hosts.put(binding.getKey(), lease.service().address());
      } catch (CompletionException e) {
        if (failure == null) {
          failure = new BerthException("Service " + RunningService.describe(entry.name, entry.spec)
              + " cannot start because its binding '" + binding.getKey() + "' failed: " + e.getCause().getMessage(),
              e.getCause());
        }
      }
    }
    if (failure == null) {
      entry.bindingLeases = held;
      held.forEach(binding -> binding.death().thenAccept(death -> die(entry, death)));
      try {
        if (!entry.dead.isDone()) {
          RunningService started = starter.start(entry.name, entry.spec, hosts);
          if (!entry.dead.isDone() && entry.running.complete(started)) {
            started.exit().whenComplete((code, gone) -> noteExit(entry, started));
            return;
          }
          starter.stop(started); // a binding died while it started; die() told its waiters
        }
      } catch (RuntimeException | Error e) {
        failure = e; // an Error too: waiters must never hang on an entry that will not complete
      }
    }
    held.forEach(Lease::close);
    synchronized (this) {
      entries.remove(entry.spec.digest(), entry);
    }
    if (failure != null) {
      timeline.fail(entry.spec.digest(), failure.getMessage() == null ? failure.toString() : failure.getMessage(),
          failure instanceof ServiceStartException start ? start.logTail() : List.of());
      entry.running.completeExceptionally(failure);
    }
  }

  /** Its container exited: its death waits for the last log lines, on the executor (not the engine's thread). */
  private void noteExit(Entry entry, RunningService exited) {
    try {
      executor.execute(() -> die(entry, ServiceDeath.of(exited)));
    } catch (RejectedExecutionException e) {
      LOG.debug("{} exited after the end of the run", exited.describe());
    }
  }

  /**
   * The entry's container exited, or a binding of it died: tells whoever needs it, once. A start in progress fails
   * at once; the start itself ends in {@link #launch}.
   */
  private void die(Entry entry, ServiceDeath death) {
    synchronized (this) {
      if (closed || entry.stopped) {
        return;
      }
    }
    boolean first = entry.dead.complete(death);
    if (first) {
      timeline.mark(entry.spec.digest(), "died", death.describe());
      timeline.end(entry.spec.digest(), "died");
    }
    if (first && !entry.running.isDone()) {
      entry.running.completeExceptionally(new BerthException("Service "
          + RunningService.describe(entry.name, entry.spec) + " cannot start: its binding " + death.describe()));
    }
  }

  /**
   * Takes a dead service out of the table, so that the next acquire starts a new one (once the old container is
   * removed). Its holders keep their leases; releasing them does nothing more.
   */
  private CompletableFuture<Void> retire(Entry entry) {
    // Its death may still wait for the last log lines (see ServiceDeath.of); the warning takes what came so far.
    ServiceDeath death = entry.dead.getNow(null);
    if (death == null) {
      death = ServiceDeath.of(entry.running.join(), Duration.ZERO);
    }
    boolean own = death.aliases().isEmpty();
    LOG.warn("Service {} {}; starting a new container for the next user: {}{}",
        RunningService.describe(entry.name, entry.spec), own ? "died" : "lost a binding, so it is stopped",
        own ? "" : "its binding ", death.describe());
    entries.remove(entry.spec.digest(), entry);
    entry.cancelPendingStop();
    entry.retired = true;
    return stop(entry);
  }

  /** As {@link #release(Entry, boolean, Duration)}, stopping a last user's service after its grace period. */
  private CompletableFuture<Void> release(Entry entry, boolean now) {
    return release(entry, now, null);
  }

  /** {@code stopTimeout} is for a stop {@code now}; null for {@code berth.stopTimeout}. */
  private CompletableFuture<Void> release(Entry entry, boolean now, Duration stopTimeout) {
    synchronized (this) {
      entry.users--;
      if (entry.users > 0 || closed || entry.retired) {
        return CompletableFuture.completedFuture(null);
      }
      if (!now && !gracePeriod.isZero()) {
        timeline.enter(entry.spec.digest(), Phase.GRACE, "grace period " + gracePeriod.toMillis() + " ms");
        long generation = ++entry.releases;
        entry.pendingStop = timer.schedule(gracePeriod, () -> expire(entry, generation));
        return CompletableFuture.completedFuture(null);
      }
      entries.remove(entry.spec.digest(), entry);
      return stop(entry, stopTimeout, !now);
    }
  }

  /** A grace period ended; it counts only if no acquire and no later release came since it was scheduled. */
  private void expire(Entry entry, long generation) {
    synchronized (this) {
      if (entry.users > 0 || closed || entry.releases != generation || entries.get(entry.spec.digest()) != entry) {
        return;
      }
      entries.remove(entry.spec.digest());
      entry.pendingStop = null;
      LOG.debug("Grace period of {} ended", RunningService.describe(entry.name, entry.spec));
      stop(entry, null, true);
    }
  }

  private CompletableFuture<Void> stop(Entry entry) {
    return stop(entry, null, false);
  }

  private CompletableFuture<Void> stop(Entry entry, Duration timeout) {
    return stop(entry, timeout, false);
  }

  /**
   * Stops the entry's container in the background, killing it {@code timeout} after its stop signal (null: after
   * {@code berth.stopTimeout}); or, for a {@code release} (the last user is gone), lets the starter decide whether
   * it stops or stays up for later runs. Called with the lock held, right after the entry left the map.
   */
  private CompletableFuture<Void> stop(Entry entry, Duration timeout, boolean release) {
    String digest = entry.spec.digest();
    entry.stopped = true;
    CompletableFuture<Void> stopped = entry.running.handleAsync((running, failure) -> {
      try {
        if (running != null && !isClosed()) {
          if (release) {
            starter.release(running);
          } else if (timeout == null) {
            starter.stop(running);
          } else {
            starter.stop(running, timeout);
          }
        }
      } catch (RuntimeException e) {
        if (isClosed()) {
          LOG.debug("Stop of {} cut short by the end of the run", RunningService.describe(entry.name, entry.spec), e);
        } else {
          LOG.warn("Stopping service {} failed", RunningService.describe(entry.name, entry.spec), e);
        }
      } finally {
        entry.bindingLeases.forEach(Lease::close);
      }
      return null;
    }, executor);
    stopping.put(digest, stopped);
    stopped.whenComplete((v, t) -> {
      synchronized (this) {
        stopping.remove(digest, stopped);
      }
    });
    return stopped;
  }

  /**
   * Stops a service now, explicitly: allowed only when nothing holds it (a service in its grace period stops at
   * once). Completes when its container is gone.
   *
   * @param timeout how long after its stop signal it is killed; null for {@code berth.stopTimeout}
   * @throws IllegalStateException if tests or clients still hold it, saying how many
   */
  CompletableFuture<Void> stopNow(String name, Definition spec, Duration timeout) {
    synchronized (this) {
      Entry entry = entries.get(spec.digest());
      if (entry == null) {
        return stopping.getOrDefault(spec.digest(), CompletableFuture.completedFuture(null));
      }
      if (entry.users > 0) {
        throw new IllegalStateException("Service " + RunningService.describe(name, spec) + " cannot stop: "
            + entry.users + " other user(s) (test classes or clients) still hold it. Stop it only after they end,"
            + " or give this test its own instance with withInstanceId(...)");
      }
      entries.remove(spec.digest());
      entry.cancelPendingStop();
      return stop(entry, timeout);
    }
  }

  /** Once closed, the runtime removes every container itself; a stop racing it has nothing left to do. */
  private synchronized boolean isClosed() {
    return closed;
  }

  /** Ends the run: nothing starts any more and no grace period is waited for. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      entries.values().forEach(Entry::cancelPendingStop);
      entries.clear();
    }
  }

  /**
   * Waits for a lease. A failed start fails with an exception of its own that carries the shared cause (and its
   * message); an interrupted waiter abandons only its own wait, releasing the lease once the start ends.
   */
  static Lease await(CompletableFuture<Lease> lease, String what) {
    try {
      return lease.get();
    } catch (InterruptedException e) {
      lease.thenAccept(Lease::close);
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while waiting for " + what, e);
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    }
  }

  private static RuntimeException rethrown(Throwable cause) {
    if (cause instanceof ServiceStartException s) {
      return new StartFailure(s);
    }
    return new BerthException(cause.getMessage(), cause);
  }

  private static final class Entry {
    final String name;
    final Definition spec;
    final CompletableFuture<RunningService> running = new CompletableFuture<>();
    /** Completes when it dies (see {@link #die}); never for a service the table stops itself. */
    final CompletableFuture<ServiceDeath> dead = new CompletableFuture<>();
    int users;
    long releases;
    boolean retired;
    /** Set when the table stops it: its container's exit is then no death. */
    boolean stopped;
    Runnable pendingStop;
    List<Lease> bindingLeases = List.of();

    Entry(String name, Definition spec) {
      this.name = name;
      this.spec = spec;
    }

    /**
     * Whether it was ready once and is dead since; its own exit counts at once, before its death has its last log
     * lines.
     */
    boolean isDead() {
      return dead.isDone()
          || running.isDone() && !running.isCompletedExceptionally() && running.join().exit().isDone();
    }

    void cancelPendingStop() {
      releases++;
      if (pendingStop != null) {
        pendingStop.run();
        pendingStop = null;
      }
    }
  }

  /** One user's hold on a running service; closing it twice releases once. */
  static final class Lease implements AutoCloseable {
    private final ServiceTable table;
    private final Entry entry;
    private final RunningService service;
    private final String alias;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(ServiceTable table, Entry entry, RunningService service, String alias) {
      this.table = table;
      this.entry = entry;
      this.service = service;
      this.alias = alias;
    }

    RunningService service() {
      return service;
    }

    /** The name its holder acquired it under: a service's own name, or a binding's alias. */
    String name() {
      return alias;
    }

    /**
     * Completes when the service dies (never if it is stopped), seen through the name this lease's holder knows it
     * by: a binding's alias.
     */
    CompletableFuture<ServiceDeath> death() {
      return entry.dead.thenApply(death -> death.boundAs(alias));
    }

    /** Whether this lease no longer stands for a live service: released, or the service died. */
    boolean isStale() {
      return released.get() || entry.isDead();
    }

    /** Releases; the service stops after the grace period if this was its last user. */
    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        table.release(entry, false);
      }
    }

    /** Releases; the service stops now if this was its last user. Completes when it has stopped. */
    CompletableFuture<Void> closeNow() {
      return closeNow(null);
    }

    /**
     * Releases; the service stops now if this was its last user, killed {@code stopTimeout} after its stop signal
     * (null: {@code berth.stopTimeout}). Completes when it has stopped.
     */
    CompletableFuture<Void> closeNow(Duration stopTimeout) {
      if (released.compareAndSet(false, true)) {
        return table.release(entry, true, stopTimeout);
      }
      return CompletableFuture.completedFuture(null);
    }
  }
}
