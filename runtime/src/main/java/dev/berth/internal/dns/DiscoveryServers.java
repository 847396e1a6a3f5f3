package dev.berth.internal.dns;

import java.net.InetSocketAddress;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;

/** The DNS servers of this JVM's runs, newest first: where {@code Discovery} sends its queries. */
public final class DiscoveryServers {

  private static final Deque<Server> SERVERS = new ConcurrentLinkedDeque<>();

  /** Where a run's session is served (by this JVM or another of the session), and its zone. */
  public record Server(InetSocketAddress address, String origin) {
  }

  private DiscoveryServers() {
  }

  static void activate(Server server) {
    SERVERS.addFirst(server);
  }

  static void deactivate(Server server) {
    SERVERS.remove(server);
  }

  /** The newest run's server, if a run of this JVM takes part in DNS. */
  public static Optional<Server> current() {
    return Optional.ofNullable(SERVERS.peekFirst());
  }
}
