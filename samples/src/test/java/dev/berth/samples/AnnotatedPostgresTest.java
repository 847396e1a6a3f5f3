package dev.berth.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Service;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;
import org.junit.jupiter.api.Test;

/**
 * A service declared by the annotation alone, with the entries in {@code docker run}'s forms: an environment
 * variable, a file from the test classpath, a tmpfs and a ready log line (PostgreSQL prints it twice: once for the
 * init run, once for the real server).
 */
@ServiceTest
class AnnotatedPostgresTest {

  // tag::annotation-form[]
  @ServiceContainer(image = "postgres:15", ports = 5432, env = "POSTGRES_PASSWORD=secret",
      files = "/docker-entrypoint-initdb.d/greetings.sql=sql/greetings.sql", tmpfs = "/var/lib/postgresql/data",
      readyLogLine = "ready to accept connections", readyLogLineTimes = 2)
  static Service db;
  // end::annotation-form[]

  @Test
  void theSchemaIsThere() {
    String tables = db.exec("psql", "-U", "postgres", "-tAc",
        "SELECT tablename FROM pg_tables WHERE tablename = 'greetings'").stdout();
    assertThat(tables.strip()).isEqualTo("greetings");
  }
}
