package dev.berth.internal.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's VIP: accepts connections on the host's address on the run's network and passes each to the next
 * healthy replica, round robin. A replica leaves the rotation as soon as its container exits, or when it stops
 * accepting connections (checked every {@link #CHECK_MILLIS} ms), and comes back when it accepts them again.
 */
public final class VipBalancer implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  static final int CHECK_MILLIS = 200;

  /** A replica: where it listens, and the completion of its container. */
  public record Replica(String hostname, InetSocketAddress address, CompletableFuture<Integer> exit) {
  }

  private final String name;
  private final List<Replica> replicas;
  private final boolean[] healthy;
  private final Consumer<List<Replica>> onChange;
  private final AtomicInteger next = new AtomicInteger();
  private final ScheduledExecutorService checks;
  private volatile HostRelay relay;
  private boolean closed;

  private VipBalancer(String name, List<Replica> replicas, Consumer<List<Replica>> onChange) {
    this.name = name;
    this.replicas = List.copyOf(replicas);
    this.healthy = new boolean[replicas.size()];
    java.util.Arrays.fill(healthy, true);
    this.onChange = onChange;
    var executor = new ScheduledThreadPoolExecutor(1, task -> {
      var thread = new Thread(task, "berth-vip-" + name);
      thread.setDaemon(true);
      return thread;
    });
    this.checks = executor;
  }

  /**
   * Starts the VIP on {@code address:port}, or only the health checks if {@code address} is null;
   * {@code onChange} hears the healthy replicas whenever they change.
   *
   * @throws IOException if the port cannot be bound there
   */
  public static VipBalancer start(String name, InetAddress address, int port, List<Replica> replicas,
      Consumer<List<Replica>> onChange) throws IOException {
    var balancer = new VipBalancer(name, replicas, onChange);
    try {
      if (address != null) {
        balancer.relay = HostRelay.start("vip-" + name, address, port, balancer::pick);
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

  /** The next healthy replica's address, or null if none is healthy. */
  private InetSocketAddress pick() {
    int size = replicas.size();
    int start = Math.floorMod(next.getAndIncrement(), size);
    synchronized (healthy) {
      for (int i = 0; i < size; i++) {
        int index = (start + i) % size;
        if (healthy[index]) {
          return replicas.get(index).address();
        }
      }
    }
    return null;
  }

  private void check() {
    for (int i = 0; i < replicas.size(); i++) {
      Replica replica = replicas.get(i);
      boolean up = !replica.exit().isDone() && accepts(replica.address());
      set(i, up);
    }
  }

  private static boolean accepts(InetSocketAddress address) {
    try (var socket = new Socket()) {
      socket.connect(address, CHECK_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
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
    HostRelay r = relay;
    if (r != null) {
      r.close();
    }
  }
}
