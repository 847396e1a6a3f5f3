package dev.berth.internal.run;

import dev.berth.BerthException;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.container.RunningService;
import dev.berth.internal.container.ServiceDeath;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.SpecAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The services one owner holds (a test class, a client container): at most one lease per definition, taken on
 * first need and released together by {@link #close()}. After the last owner releases a service it keeps running
 * for the grace period, so the next owner reuses it. A service whose container died is started again on the next
 * need.
 */
public final class ServiceScope implements AutoCloseable {

  private final ServiceTable table;
  private final boolean forTests;
  /** Who holds the scope, as the run report names the user of its services. */
  private final String owner;
  private final Map<String, CompletableFuture<ServiceTable.Lease>> leases = new ConcurrentHashMap<>();
  private volatile boolean closed;

  ServiceScope(ServiceTable table, String owner) {
    this(table, true, owner);
  }

  /**
   * @param forTests false for a scope that starts services ahead of the tests ({@link ServiceTable#acquire})
   * @param owner who holds it, as the run report names a service's users: a test class, a client
   */
  ServiceScope(ServiceTable table, boolean forTests, String owner) {
    this.forTests = forTests;
    this.table = table;
    this.owner = owner;
  }

  /**
   * Starts (or joins) every service, all in parallel, and returns once all are healthy.
   *
   * @param services service name to definition
   * @throws BerthException the first failure, after every start has ended
   */
  public void acquireAll(Map<String, ServiceSpec> services) {
    var definitions = new java.util.LinkedHashMap<String, Definition>();
    services.forEach((name, spec) -> definitions.put(name, SpecAccess.definition(spec)));
    acquireEach(definitions);
  }

  /** As {@link #acquireAll}, for definitions. */
  void acquireEach(Map<String, Definition> services) {
    var pending = new ArrayList<Map.Entry<String, CompletableFuture<ServiceTable.Lease>>>();
    services.forEach((name, spec) -> pending.add(Map.entry(name, lease(name, spec))));
    RuntimeException failure = null;
    for (var lease : pending) {
      try {
        ServiceTable.await(lease.getValue(), "service '" + lease.getKey() + "'");
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** A lazy handle on the service, bound to this scope. */
  public Service service(String name, ServiceSpec spec) {
    return new ServiceHandle(this, name, SpecAccess.definition(spec));
  }

  public RunningService acquire(String name, Definition spec) {
    return ServiceTable.await(lease(name, spec), "service " + RunningService.describe(name, spec)).service();
  }

  /**
   * Completes when a service this scope holds now dies, seen through the name this scope acquired it under (a
   * client's binding alias); never if none does. Take it once: each call adds a listener to every service.
   */
  CompletableFuture<ServiceDeath> death() {
    CompletableFuture<?>[] deaths = leases.values().stream()
        .filter(lease -> lease.isDone() && !lease.isCompletedExceptionally())
        .map(lease -> lease.join().death())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.anyOf(deaths).thenApply(ServiceDeath.class::cast);
  }

  /**
   * The services this scope holds that are running now, by the name it acquired them under, and their addresses on
   * the run's network; replicated services left out (one address would pin every lookup to one replica).
   */
  Map<String, String> runningByName() {
    var running = new TreeMap<String, String>();
    for (CompletableFuture<ServiceTable.Lease> lease : leases.values()) {
      if (lease.isDone() && !lease.isCompletedExceptionally() && !lease.join().isStale()) {
        RunningService service = lease.join().service();
        if (service.spec().replicas() <= 1) {
          running.put(lease.join().name(), service.address());
        }
      }
    }
    return running;
  }

  /**
   * The last lines of each service this scope holds that is running now, by the name it acquired it under: what a
   * failed test's report shows beside its failure.
   */
  public Map<String, List<String>> logTails() {
    var tails = new TreeMap<String, List<String>>();
    for (CompletableFuture<ServiceTable.Lease> lease : leases.values()) {
      if (lease.isDone() && !lease.isCompletedExceptionally()) {
        tails.put(lease.join().name(), lease.join().service().logs().lastLines(false));
      }
    }
    return tails;
  }

  boolean isRunning(Definition spec) {
    return table.isRunning(spec);
  }

  /**
   * Releases this scope's hold and stops the service now (its stop signal, then a kill after {@code timeout}, or
   * {@code berth.stopTimeout} if null), waiting until its container is gone.
   *
   * @throws IllegalStateException if others still hold it; this scope's hold is released all the same
   */
  void stop(String name, Definition spec, Duration timeout) {
    CompletableFuture<ServiceTable.Lease> lease = leases.remove(spec.digest());
    if (lease != null && lease.isDone() && !lease.isCompletedExceptionally()) {
      // Without the grace period: as the last user, this stops it right away (stopNow below then waits for that).
      lease.join().closeNow(timeout);
    } else if (lease != null) {
      lease.thenAccept(ServiceTable.Lease::close);
    }
    try {
      table.stopNow(name, spec, timeout).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while stopping service " + RunningService.describe(name, spec), e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new BerthException("Stopping service " + RunningService.describe(name, spec) + " failed: "
          + e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * One lease future per definition: the first need acquires, later needs (from any thread) share it. A failed
   * start stays recorded, so every later test of the same owner fails fast with the same cause.
   */
  private CompletableFuture<ServiceTable.Lease> lease(String name, Definition spec) {
    if (closed) {
      throw new IllegalStateException("Service " + RunningService.describe(name, spec) + " was used after its owner"
          + " (test class or client) ended; use a service handle only while its test class runs");
    }
    CompletableFuture<ServiceTable.Lease> held = leases.get(spec.digest());
    if (held != null && held.isDone() && !held.isCompletedExceptionally() && held.join().isStale()) {
      // Its container died (or it was stopped): let go of it, and take the table's new one below.
      if (leases.remove(spec.digest(), held)) {
        held.join().close();
      }
    }
    return leases.computeIfAbsent(spec.digest(), digest -> table.acquire(name, spec, forTests, owner));
  }

  /** Releases every service this scope holds (each then stops after its grace period if no one else holds it). */
  @Override
  public void close() {
    closed = true;
    List<CompletableFuture<ServiceTable.Lease>> held = new ArrayList<>(leases.values());
    leases.clear();
    for (CompletableFuture<ServiceTable.Lease> lease : held) {
      lease.thenAccept(ServiceTable.Lease::close);
    }
  }
}
