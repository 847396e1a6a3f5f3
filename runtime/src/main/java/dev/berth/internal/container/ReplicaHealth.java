package dev.berth.internal.container;

import dev.berth.internal.spec.Definition;
import java.net.InetSocketAddress;
import java.util.function.Predicate;

/**
 * Whether a replica serves, for its VIP and SRV records: by the readiness check of its port's protocol (an HTTP
 * request, a PostgreSQL startup, a Redis PING, ...) within a deadline, so that a replica that still accepts
 * connections but no longer answers (paused, stuck, its backlog full) leaves the rotation; by a connection where
 * the protocol has no check. The JVM checks directly: at a replica's address where it shares the engine's network,
 * at its published port on a swarm.
 */
public final class ReplicaHealth {

  private ReplicaHealth() {
  }

  /** The check of {@code spec}'s replicas on {@code port}, each answer due within {@code deadlineMillis}. */
  public static Predicate<InetSocketAddress> of(Definition spec, int port, int deadlineMillis) {
    Handshake handshake = Handshake.of(spec.protocol(port), spec.env());
    if (handshake == null) {
      return address -> PortProbe.acceptsDirect(address, deadlineMillis);
    }
    return address -> {
      Handshake.Verdict verdict = PortProbe.exchangeDirect(address, handshake, deadlineMillis);
      return verdict != null && verdict.ready();
    };
  }
}
