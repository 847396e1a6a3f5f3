package dev.berth.internal.dns;

import dev.berth.internal.engine.Engine;
import dev.berth.internal.session.SessionNetwork;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * This run's part in its session's DNS: started once the run has joined the session's network (the server listens
 * on its gateway), before the run's first container, so that every container is given the server; ended first
 * at the end of the run.
 */
public final class RunDns {

  private final SessionNetwork network;
  private final String session;
  /** Whether the run takes part: {@code berth.dns}, and a JVM on the engine's network. */
  private final BooleanSupplier wanted;
  private final List<InetSocketAddress> upstream;
  private final Object lock = new Object();
  private boolean decided;
  private boolean stopped;
  /** Null until decided, or without DNS. */
  private volatile SessionDns dns;

  /** With {@code upstream}, the resolvers of names outside the zone ({@code berth.dnsUpstream}; empty: the machine's). */
  public RunDns(SessionNetwork network, String session, BooleanSupplier wanted, List<InetSocketAddress> upstream) {
    this.network = network;
    this.session = session;
    this.wanted = wanted;
    this.upstream = upstream;
  }

  /** The DNS server and search domain containers are to use, or null if the run has no DNS. */
  public Engine.DnsSettings settings() {
    SessionDns started = started();
    return started == null ? null : started.settings();
  }

  /** The run's records in the session's zone, if the session has DNS. */
  public Optional<DnsZone> zone() {
    return Optional.ofNullable(dns).map(SessionDns::zone);
  }

  /**
   * Publishes a ready service in the session's zone (see {@link SessionDns#publish}), taking part in the session's
   * DNS first if the run has not yet: a service of the test machine may be the run's first, with no container.
   */
  public void publish(DnsEntry entry) {
    SessionDns current = started();
    if (current != null) {
      current.publish(entry);
    }
  }

  /** Takes a service's records out of the session's zone. */
  public void withdraw(DnsEntry entry) {
    SessionDns current = dns;
    if (current != null) {
      current.withdraw(entry);
    }
  }

  /** Ends the run's part in the session's DNS: the first step of a run's end. Nothing starts it again. */
  public void stop() {
    SessionDns current;
    synchronized (lock) {
      stopped = true;
      current = dns;
    }
    if (current != null) {
      current.stop();
    }
  }

  private SessionDns started() {
    SessionDns current = dns;
    if (current != null) {
      return current;
    }
    synchronized (lock) {
      if (!decided && !stopped) {
        // Joined first: the server listens on the network's gateway, and the wish may depend on where the JVM
        // stands relative to that network.
        String gateway = network.gateway();
        if (wanted.getAsBoolean()) {
          dns = SessionDns.start(session, gateway, network.directory(), upstream).orElse(null);
        }
        decided = true;
      }
      return dns;
    }
  }
}
