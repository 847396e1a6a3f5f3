package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Service;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Databases declared the plain way, with their ports and nothing else, serve the moment Berth hands them over: the
 * real JDBC drivers connect at once, in a JVM where they are loaded and warm (the window a slower first test hides).
 * PostgreSQL opens its port while it still answers "the database system is starting up"; readiness waits that out.
 */
@Tag("repetitions") // 90 s: run by scripts/test on its own, not by every mvn verify
class HandOverTest {

  static final int REPETITIONS = 20;

  @Test
  void plainDatabasesServeTheMomentTheyAreHandedOver() {
    var run = new KitRun().run(LoadsTheDrivers.class, ConnectsAtOnce.class).assertSucceeded(1 + REPETITIONS);

    assertThat(run.leftovers()).isEmpty();
  }

  /** The first class of the JVM: loads both drivers and their connection code, as earlier tests of a suite would. */
  @ServiceTest
  static class LoadsTheDrivers {
    @Test
    void connectsNowhere() {
      for (String url : new String[] {"jdbc:postgresql://127.0.0.1:1/postgres", "jdbc:mariadb://127.0.0.1:1/mysql"}) {
        try (Connection ignored = DriverManager.getConnection(url, "root", "secret")) {
          throw new AssertionError("nothing listens on port 1");
        } catch (SQLException expected) {
          // loaded and tried
        }
      }
    }
  }

  /** Each repetition gets new containers: the previous ones are stopped after it. */
  @ServiceTest
  static class ConnectsAtOnce {
    @ServiceContainer(image = "postgres:15", ports = 5432, env = "POSTGRES_PASSWORD=secret")
    static Service postgres;

    @ServiceContainer(image = "mariadb:10.11", ports = 3306, env = "MARIADB_ROOT_PASSWORD=secret")
    static Service mariadb;

    @RepeatedTest(REPETITIONS)
    void connects(@ServiceEndpoint("postgres") String postgresAddress,
        @ServiceEndpoint("mariadb") String mariadbAddress) throws SQLException {
      assertThat(selectOne("jdbc:postgresql://" + postgresAddress + "/postgres", "postgres")).isEqualTo(1);
      assertThat(selectOne("jdbc:mariadb://" + mariadbAddress + "/mysql", "root")).isEqualTo(1);
    }

    @AfterEach
    void stopBoth() {
      postgres.stop();
      mariadb.stop();
    }

    private static int selectOne(String url, String user) throws SQLException {
      try (Connection connection = DriverManager.getConnection(url, user, "secret");
           Statement statement = connection.createStatement();
           ResultSet rows = statement.executeQuery("SELECT 1")) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }
}
