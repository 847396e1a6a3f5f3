package dev.berth.spring;

import dev.berth.ConnectionInfo;
import dev.berth.Protocol;
import dev.berth.Service;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code berth.services.<name>.*} properties of a context's services, for what has no connection details: an
 * application property set to {@code http://${berth.services.weather.address}} reaches the service.
 *
 * <ul>
 *   <li>{@code host}, {@code port}, {@code address} ({@code host:port}): the main port as this JVM reaches it;
 *   <li>{@code url}: {@code http://host:port}; {@code hostname}: the name other containers reach it by;
 *   <li>{@code jdbc-url}, {@code r2dbc-url}, {@code username}, {@code password} of a database; {@code redis-uri} of a
 *       Redis.
 * </ul>
 */
final class ServiceProperties {

  static final String PREFIX = "berth.services.";

  private ServiceProperties() {
  }

  static Map<String, Object> of(Map<String, Service> services) {
    var properties = new LinkedHashMap<String, Object>();
    services.forEach((name, service) -> {
      String prefix = PREFIX + name + ".";
      properties.put(prefix + "hostname", service.hostname());
      Optional<ConnectionInfo> connection = Connections.of(service);
      if (connection.isEmpty()) {
        return;   // exposes no port: its hostname is all there is
      }
      ConnectionInfo info = connection.get();
      properties.put(prefix + "host", info.host());
      properties.put(prefix + "port", info.port());
      properties.put(prefix + "address", info.httpUri().getRawAuthority());
      properties.put(prefix + "url", info.httpUri().toString());
      switch (info.protocol()) {
        case POSTGRES, MYSQL -> {
          properties.put(prefix + "jdbc-url", info.jdbcUrl());
          properties.put(prefix + "r2dbc-url", "r2dbc:" + info.jdbcUrl().substring("jdbc:".length()));
          properties.put(prefix + "username", info.username());
          properties.put(prefix + "password", info.password());
        }
        case REDIS -> {
          properties.put(prefix + "redis-uri", info.redisUri().toString());
          properties.put(prefix + "password", info.password());
        }
        default -> {
        }
      }
    });
    return properties;
  }

  /** The driver's name in a JDBC or R2DBC URL: {@code postgresql}, {@code mysql} or {@code mariadb}. */
  static String driver(ConnectionInfo database) {
    String url = database.jdbcUrl();
    return url.substring("jdbc:".length(), url.indexOf(':', "jdbc:".length()));
  }

  /** Whether the protocol is one a JDBC driver speaks. */
  static boolean isJdbc(Protocol protocol) {
    return protocol == Protocol.POSTGRES || protocol == Protocol.MYSQL;
  }
}
