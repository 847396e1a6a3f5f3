package dev.berth.internal.spec;

import dev.berth.Protocol;
import dev.berth.internal.spec.ImageReference;
import java.util.Map;

/**
 * The protocols of well-known images on their well-known ports, so that a service declared with ports alone is
 * checked by its protocol: {@code postgres} on 5432 speaks PostgreSQL, whichever registry or organisation it comes
 * from ({@code bitnami/postgresql}, a mirror's copy). Both must match: an image Berth does not know, or a port other
 * than its usual one, gets {@link Protocol#TCP}, so nothing is asked of a server that may not speak it.
 */
public final class KnownImages {

  /** The last component of a repository's path, to the protocol it speaks and the port it speaks it on. */
  private static final Map<String, Known> IMAGES = Map.ofEntries(
      Map.entry("postgres", new Known(Protocol.POSTGRES, 5432)),
      Map.entry("postgresql", new Known(Protocol.POSTGRES, 5432)),
      Map.entry("postgis", new Known(Protocol.POSTGRES, 5432)),
      Map.entry("timescaledb", new Known(Protocol.POSTGRES, 5432)),
      Map.entry("pgvector", new Known(Protocol.POSTGRES, 5432)),
      Map.entry("mysql", new Known(Protocol.MYSQL, 3306)),
      Map.entry("mariadb", new Known(Protocol.MYSQL, 3306)),
      Map.entry("percona", new Known(Protocol.MYSQL, 3306)),
      Map.entry("percona-server", new Known(Protocol.MYSQL, 3306)),
      Map.entry("redis", new Known(Protocol.REDIS, 6379)),
      Map.entry("redis-stack-server", new Known(Protocol.REDIS, 6379)),
      Map.entry("valkey", new Known(Protocol.REDIS, 6379)),
      Map.entry("keydb", new Known(Protocol.REDIS, 6379)),
      Map.entry("rabbitmq", new Known(Protocol.AMQP, 5672)),
      Map.entry("nginx", new Known(Protocol.HTTP, 80)),
      Map.entry("httpd", new Known(Protocol.HTTP, 80)));

  private record Known(Protocol protocol, int port) {
  }

  private KnownImages() {
  }

  public static Protocol protocol(ImageReference image, int port) {
    String path = image.path();
    Known known = IMAGES.get(path.substring(path.lastIndexOf('/') + 1));
    return known != null && known.port() == port ? known.protocol() : Protocol.TCP;
  }
}
