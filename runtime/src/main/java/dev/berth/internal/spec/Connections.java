package dev.berth.internal.spec;

import dev.berth.ConnectionInfo;
import dev.berth.Protocol;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads how to connect to a service from its definition: the protocol of its main port, and the user, password and
 * database that the official images take from their environment.
 */
public final class Connections {

  /** The protocols that make a port a service's main one, ahead of ports that accept connections only. */
  private static final Set<Protocol> SPOKEN = EnumSet.of(Protocol.POSTGRES, Protocol.MYSQL, Protocol.REDIS,
      Protocol.HTTP);

  private Connections() {
  }

  /**
   * The service's main port: the first exposed port that speaks a protocol Berth knows, else the first one.
   *
   * @throws IllegalStateException if the service exposes no port
   */
  public static int mainPort(String name, Definition definition) {
    var ports = definition.exposedPorts();
    if (ports.isEmpty()) {
      throw new IllegalStateException("Service '" + name + "' (" + definition.image() + ") exposes no port, so there"
          + " is nothing to connect to: add one with withExposedPort(...) or ports = ...");
    }
    return ports.stream().filter(p -> SPOKEN.contains(definition.protocol(p))).findFirst().orElse(ports.get(0));
  }

  /** The connection to the service's main port, reached at {@code host:port}. */
  public static ConnectionInfo of(String name, Definition definition, String host, int port) {
    int main = mainPort(name, definition);
    Protocol protocol = definition.protocol(main);
    Map<String, String> env = definition.env();
    String path = definition.imageReference().path();
    boolean mariadb = path.substring(path.lastIndexOf('/') + 1).startsWith("mariadb");
    String describe = "Service '" + name + "' (" + definition.image() + ")";
    return switch (protocol) {
      case POSTGRES -> {
        String user = env.getOrDefault("POSTGRES_USER", "postgres");
        yield new Info(describe, host, port, protocol, "postgresql", env.getOrDefault("POSTGRES_DB", user), user,
            env.getOrDefault("POSTGRES_PASSWORD", ""));
      }
      case MYSQL -> mysql(describe, host, port, env, mariadb);
      case REDIS -> new Info(describe, host, port, protocol, null, "", "", env.getOrDefault("REDIS_PASSWORD", ""));
      default -> new Info(describe, host, port, protocol, null, "", "", "");
    };
  }

  /** MySQL and MariaDB: the user the image creates, else root; MariaDB reads its own names first, then MySQL's. */
  private static Info mysql(String describe, String host, int port, Map<String, String> env, boolean mariadb) {
    String user = mariadb ? first(env, "MARIADB_USER", "MYSQL_USER") : env.get("MYSQL_USER");
    String password;
    if (user != null && !user.isEmpty() && !user.equals("root")) {
      password = mariadb ? first(env, "MARIADB_PASSWORD", "MYSQL_PASSWORD") : env.get("MYSQL_PASSWORD");
    } else {
      user = "root";
      password = mariadb ? first(env, "MARIADB_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD") : env.get("MYSQL_ROOT_PASSWORD");
    }
    String database = mariadb ? first(env, "MARIADB_DATABASE", "MYSQL_DATABASE") : env.get("MYSQL_DATABASE");
    return new Info(describe, host, port, Protocol.MYSQL, mariadb ? "mariadb" : "mysql",
        Objects.requireNonNullElse(database, ""), user, Objects.requireNonNullElse(password, ""));
  }

  private static String first(Map<String, String> env, String name, String fallback) {
    String value = env.get(name);
    return value != null ? value : env.get(fallback);
  }

  /** One side's view of a service's main port; {@code jdbc} is the JDBC subprotocol, null where there is none. */
  private record Info(String describe, String host, int port, Protocol protocol, String jdbc, String database,
      String username, String password) implements ConnectionInfo {

    @Override
    public String jdbcUrl() {
      if (jdbc == null) {
        throw new IllegalStateException(describe + " speaks " + protocol.lowerCaseName() + " on its main port, not"
            + " PostgreSQL or MySQL, so it has no JDBC URL. If it is a database Berth does not know by its image,"
            + " say so: withExposedPort(5432, Protocol.POSTGRES) or protocols = \"5432/postgres\"");
      }
      return "jdbc:" + jdbc + "://" + authority() + "/" + database;
    }

    @Override
    public URI redisUri() {
      if (protocol != Protocol.REDIS) {
        throw new IllegalStateException(describe + " speaks " + protocol.lowerCaseName() + " on its main port, not"
            + " Redis. If it is a Redis Berth does not know by its image, say so: withExposedPort(6379,"
            + " Protocol.REDIS) or protocols = \"6379/redis\"");
      }
      String secret = password.isEmpty() ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@";
      return URI.create("redis://" + secret + authority());
    }

    @Override
    public URI httpUri() {
      return uri("http");
    }

    @Override
    public URI uri(String scheme) {
      Objects.requireNonNull(scheme, "scheme");
      return URI.create(scheme + "://" + authority());
    }

    private String authority() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
      return protocol.lowerCaseName() + "://" + authority() + (username.isEmpty() ? "" : " as " + username);
    }
  }
}
