package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.junit.ServiceTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Exposing a service to the host: the test JVM talks JDBC to a PostgreSQL service through its published port.
 * PostgreSQL opens its port a moment before it takes connections (until then it answers "the database system is
 * starting up"); Berth knows the image's protocol on 5432 and hands the service over only once it would take a
 * connection, so the declaration needs no ready command. Its data directory is a tmpfs: the test throws the data
 * away anyway, and in memory it costs no disk writes or syncs. The schema comes from
 * {@code src/test/resources/sql/greetings.sql}, which the image runs from {@code /docker-entrypoint-initdb.d} when it
 * creates the database.
 */
@ServiceTest
class PostgresJdbcTest {

  // tag::postgres[]
  @ServiceContainer
  static final ServiceSpec db = ServiceSpec.from("postgres:15")
      .withEnv("POSTGRES_PASSWORD", "secret")
      .withExposedPort(5432)
      .withTmpfs("/var/lib/postgresql/data")
      .withClasspathResource("/docker-entrypoint-initdb.d/greetings.sql", "sql/greetings.sql");

  @Test
  void insertSelect(@ServiceEndpoint("db") String hostPort) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/postgres", "postgres",
            "secret");
         Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO greetings VALUES (1, 'Hello'), (2, 'world')");

      try (ResultSet rows = s.executeQuery("SELECT string_agg(text, ', ' ORDER BY id) FROM greetings")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1)).isEqualTo("Hello, world");
      }
    }
    assertThat(hostPort).startsWith("127.0.0.1:");
  }
  // end::postgres[]
}
