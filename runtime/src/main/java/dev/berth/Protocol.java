package dev.berth;

import java.util.Locale;

/**
 * What a service speaks on an exposed port, which says when the port is ready: a test that needs the service runs
 * only once each port answers its protocol's cheapest exchange the way the server does when it serves, asked from
 * inside the run's network. Nothing in the service's image is needed for it.
 *
 * <p>A port without a declared protocol gets the one its image is known for on that port (PostgreSQL on 5432 of
 * {@code postgres}, MySQL on 3306 of {@code mysql} or {@code mariadb}, Redis on 6379 of {@code redis} or
 * {@code valkey}, AMQP on 5672 of {@code rabbitmq}, HTTP on 80 of {@code nginx} or {@code httpd}), else {@link #TCP}.
 * Declare one with {@link ServiceSpec#withExposedPort(int, Protocol)} or {@code protocols = "5432/postgres"}.
 */
public enum Protocol {

  /** Ready once the port accepts a connection. */
  TCP,
  /** Ready once a {@code GET /} is answered with a status line, whatever its status. */
  HTTP,
  /**
   * Ready once a startup message is answered by an authentication request (or an error other than "the database
   * system is starting up", "shutting down" or "in recovery", which are SQLSTATE class 57P).
   */
  POSTGRES,
  /** MySQL and MariaDB: ready once the server greets with a protocol 10 handshake, not an error packet. */
  MYSQL,
  /** Ready once {@code PING} is answered with {@code +PONG} or an authentication error, not {@code -LOADING}. */
  REDIS,
  /** AMQP 0-9-1 (RabbitMQ): ready once the protocol header is answered with a {@code Connection.Start} frame. */
  AMQP,
  /** Ready once the server greets with a 220 line, not 421 or 554. */
  SMTP,
  /**
   * A UDP port: published (as {@code port/udp}) and listed in SRV records under {@code _udp}, never waited for,
   * since UDP has no connection to accept.
   */
  UDP;

  /** The name in annotations: {@code postgres}, {@code udp}. */
  public String lowerCaseName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The protocol of an annotation entry's name, any case: {@code postgres}, {@code MySQL}, {@code udp}.
   *
   * @throws IllegalArgumentException naming the known ones
   */
  public static Protocol named(String name) {
    for (Protocol protocol : values()) {
      if (protocol.name().equalsIgnoreCase(name)) {
        return protocol;
      }
    }
    var known = new StringBuilder();
    for (Protocol protocol : values()) {
      known.append(known.length() == 0 ? "" : ", ").append(protocol.lowerCaseName());
    }
    throw new IllegalArgumentException("Protocol '" + name + "' is not one Berth knows: use one of " + known);
  }
}
