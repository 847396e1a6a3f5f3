package dev.berth;

import java.net.URI;

/**
 * How a client connects to a service, read from its definition: the address (this JVM's published one from
 * {@link Service#connection()}, the run's hostname from {@link Service#connectionFromContainers()}), and for the
 * services Berth knows by protocol, the URL a driver takes and the credentials the image's environment sets up.
 *
 * <p>The protocol is the one of the service's main port: the first exposed port that speaks PostgreSQL, MySQL, Redis
 * or HTTP (declared, or known by the image, as {@code postgres} on 5432), else the first exposed port.
 */
public interface ConnectionInfo {

  /** The host to connect to: 127.0.0.1 (or {@code berth.hostAddress}) from the JVM, the hostname from containers. */
  String host();

  /** The port to connect to: the published port from the JVM, the container port from containers. */
  int port();

  /** What the service speaks on that port. */
  Protocol protocol();

  /**
   * The JDBC URL of a PostgreSQL, MySQL or MariaDB service: {@code jdbc:postgresql://host:port/database},
   * {@code jdbc:mysql://...} or {@code jdbc:mariadb://...} (by the image).
   *
   * @throws IllegalStateException if the service speaks neither PostgreSQL nor MySQL
   */
  String jdbcUrl();

  /**
   * The database the image's environment creates ({@code POSTGRES_DB}, {@code MYSQL_DATABASE},
   * {@code MARIADB_DATABASE}), or its default ({@code POSTGRES_USER}, else {@code postgres}); empty when a MySQL or
   * MariaDB service names none.
   */
  String database();

  /**
   * The user the image's environment sets up ({@code POSTGRES_USER}, else {@code postgres}; {@code MYSQL_USER} /
   * {@code MARIADB_USER}, else {@code root}); empty for other services.
   */
  String username();

  /**
   * That user's password from the image's environment ({@code POSTGRES_PASSWORD}, {@code MYSQL_PASSWORD} or the
   * root password, {@code REDIS_PASSWORD}); empty when it sets none.
   */
  String password();

  /**
   * {@code redis://host:port} (with {@code :password@} when the environment sets {@code REDIS_PASSWORD}).
   *
   * @throws IllegalStateException if the service does not speak Redis
   */
  URI redisUri();

  /** {@code http://host:port}: the base URI of a web service. */
  URI httpUri();

  /** {@code scheme://host:port}, for protocols without a method of their own. */
  URI uri(String scheme);
}
