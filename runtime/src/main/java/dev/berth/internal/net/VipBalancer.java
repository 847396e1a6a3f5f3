package dev.berth.internal.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's VIP: accepts connections on the host's address on the run's network and passes each to the next
 * healthy replica, round robin over the healthy ones (so that after a loss the others share evenly). A replica leaves
 * the rotation as soon as its container exits, or when its health check fails: every {@link #CHECK_MILLIS} ms, the
 * readiness check of its protocol, due within {@link #DEADLINE_MILLIS} ms (a replica that accepts connections but
 * does not answer, paused or stuck, is out within about {@code CHECK_MILLIS + DEADLINE_MILLIS}); it comes back when
 * the check passes again. Until then, a connection whose replica says nothing within {@code DEADLINE_MILLIS}, while
 * the client has sent nothing either, goes to the next replica ({@link HostRelay}).
 */
public final class VipBalancer implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  static final int CHECK_MILLIS = 250;
  /** How long a replica may take to answer its check. */
  public static final int DEADLINE_MILLIS = 400;

  /** A replica: where it listens, and the completion of its container. */
  public record Replica(String hostname, InetSocketAddress address, CompletableFuture<Integer> exit) {
  }

  private final String name;
  private final List<Replica> replicas;
  private final boolean[] healthy;
  private final Consumer<List<Replica>> onChange;
  private final Predicate<InetSocketAddress> answers;
  private final AtomicInteger next = new AtomicInteger();
  /** The healthy replicas' addresses, in order: what {@link #pick} rotates over. */
  private volatile List<InetSocketAddress> rotation;
  private final ScheduledExecutorService checks;
  private volatile HostRelay relay;
  /** The VIP's port for the test JVM ({@link #publishOn}), if it has one. */
  private volatile HostRelay published;
  private boolean closed;

  private VipBalancer(String name, List<Replica> replicas, Predicate<InetSocketAddress> answers,
      Consumer<List<Replica>> onChange) {
    this.name = name;
    this.replicas = List.copyOf(replicas);
    this.healthy = new boolean[replicas.size()];
    java.util.Arrays.fill(healthy, true);
    this.rotation = this.replicas.stream().map(Replica::address).toList();
    this.answers = answers;
    this.onChange = onChange;
    var executor = new ScheduledThreadPoolExecutor(1, task -> {
      var thread = new Thread(task, "berth-vip-" + name);
      thread.setDaemon(true);
      return thread;
    });
    this.checks = executor;
  }

  /**
   * Starts the VIP on {@code address:port}, or only the health checks if {@code address} is null; {@code answers}
   * is the health check of one replica; {@code onChange} hears the healthy replicas whenever they change.
   *
   * @throws IOException if the port cannot be bound there
   */
  public static VipBalancer start(String name, InetAddress address, int port, List<Replica> replicas,
      Predicate<InetSocketAddress> answers, Consumer<List<Replica>> onChange) throws IOException {
    var balancer = new VipBalancer(name, replicas, answers, onChange);
    try {
      if (address != null) {
        balancer.relay = HostRelay.start("vip-" + name, address, port, balancer::pick, DEADLINE_MILLIS);
      }
    } catch (IOException e) {
      balancer.checks.shutdownNow();
      throw e;
    }
    for (int i = 0; i < replicas.size(); i++) {
      int index = i;
      replicas.get(i).exit().whenComplete((code, failure) -> balancer.set(index, false));
    }
    balancer.checks.scheduleWithFixedDelay(balancer::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    return balancer;
  }

  /**
   * Also takes connections on a port of {@code address} the system chooses, passing them on as the VIP does: the
   * VIP's published port, for the test JVM.
   *
   * @return the port
   */
  public int publishOn(InetAddress address) throws IOException {
    HostRelay relay = HostRelay.start("vip-" + name + "-published", address, 0, this::pick, DEADLINE_MILLIS);
    published = relay;
    return relay.port();
  }

  /**
   * The next healthy replica's address, or null if none is healthy. Rotating over the healthy ones, not over all
   * and skipping the unhealthy, keeps the split even: skipping gave the replica after a lost one two shares.
   */
  InetSocketAddress pick() {
    List<InetSocketAddress> now = rotation;
    return now.isEmpty() ? null : now.get(Math.floorMod(next.getAndIncrement(), now.size()));
  }

  private void check() {
    for (int i = 0; i < replicas.size(); i++) {
      Replica replica = replicas.get(i);
      boolean up = !replica.exit().isDone() && answers.test(replica.address());
      set(i, up);
    }
  }

  private void set(int index, boolean up) {
    List<Replica> now;
    synchronized (healthy) {
      if (closed) {
        return;
      }
      if (healthy[index] == up) {
        return;
      }
      if (up && replicas.get(index).exit().isDone()) {
        return;
      }
      healthy[index] = up;
      now = healthyReplicas();
      rotation = now.stream().map(Replica::address).toList();
      // Under the lock, so that listeners hear the changes in order.
      onChange.accept(now);
    }
    LOG.info("Service '{}': replica {} {} the rotation", name, replicas.get(index).hostname(),
        up ? "rejoins" : "leaves");
  }

  public List<Replica> healthyReplicas() {
    synchronized (healthy) {
      var list = new ArrayList<Replica>();
      for (int i = 0; i < replicas.size(); i++) {
        if (healthy[i]) {
          list.add(replicas.get(i));
        }
      }
      return list;
    }
  }

  @Override
  public void close() {
    synchronized (healthy) {
      closed = true;
    }
    checks.shutdownNow();
    for (HostRelay r : new HostRelay[] {relay, published}) {
      if (r != null) {
        r.close();
      }
    }
  }
}
