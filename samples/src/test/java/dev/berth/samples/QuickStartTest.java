package dev.berth.samples;

// tag::quick-start[]
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.junit.ServiceTest;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

// tag::quick-start-class[]
@ServiceTest
class QuickStartTest {

  @ServiceContainer                        // the service's name is the field's: "db"
  static final ServiceSpec db = ServiceSpec.from("postgres:15")
      .withEnv("POSTGRES_PASSWORD", "secret")
      .withExposedPort(5432);              // ready when PostgreSQL takes connections

  @Test
  void fromTheTestJvm(@ServiceEndpoint("db") String hostPort) throws Exception {   // "127.0.0.1:<port>"
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/postgres",
        "postgres", "secret")) {
      assertThat(c.isValid(1)).isTrue();
    }
  }

  @Test
  void fromAContainer(@BindService("db") @ClientContainer(image = "postgres:15") Container psql) {
    String answer = psql.exec("psql", "postgresql://postgres:secret@db/postgres", "-tAc", "SELECT 1 + 1").stdout();
    assertThat(answer.strip()).isEqualTo("2");
  }
}
// end::quick-start-class[]
// end::quick-start[]
