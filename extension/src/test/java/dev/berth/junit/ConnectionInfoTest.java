package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.ConnectionInfo;
import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.Protocol;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.ServiceSpecs;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.annotations.ServiceHandle;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Connection details read from the definitions, used by real clients: the JDBC drivers, a Redis exchange and an HTTP
 * client from this JVM; {@code psql}, {@code mariadb}, {@code redis-cli} and Python's HTTP client from containers.
 */
class ConnectionInfoTest {

  @Test
  void driversAndClientsConnectWithWhatTheDefinitionSays() {
    var run = new KitRun().run(WellKnown.class).assertSucceeded(2);

    assertThat(run.leftovers()).isEmpty();
  }

  @ServiceTest
  static class WellKnown {
    @ServiceContainer
    static final ServiceSpec pg = ServiceSpecs.postgres("postgres:15").withEnv("POSTGRES_DB", "shop");
    @ServiceContainer
    static final ServiceSpec maria = ServiceSpecs.mariadb("mariadb:10.11").withEnv("MARIADB_USER", "app")
        .withEnv("MARIADB_PASSWORD", "s3cret");
    @ServiceContainer
    static final ServiceSpec cache = ServiceSpecs.redis("redis:7.0");
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.from("python:3.11-slim").withExposedPort(8000, Protocol.HTTP)
        .withCommand("python3", "-m", "http.server", "8000");

    @Test
    void fromThisJvm(@ServiceEndpoint("pg") ConnectionInfo pg, @ServiceEndpoint("maria") ConnectionInfo maria,
        @ServiceEndpoint("cache") ConnectionInfo cache, @ServiceEndpoint("web") ConnectionInfo web) throws Exception {
      assertThat(pg.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:").endsWith("/shop");
      assertThat(query(pg, "SELECT current_database() || ' ' || current_user || ' ' || current_setting('fsync')"))
          .isEqualTo("shop postgres off");
      assertThat(maria.jdbcUrl()).startsWith("jdbc:mariadb://127.0.0.1:").endsWith("/test");
      assertThat(query(maria, "SELECT CONCAT(DATABASE(), ' ', CURRENT_USER())")).isEqualTo("test app@%");
      assertThat(cache.redisUri().getScheme()).isEqualTo("redis");
      assertThat(ping(cache)).isEqualTo("+PONG");
      assertThat(web.httpUri().toString()).startsWith("http://127.0.0.1:");
      var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(web.httpUri()).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void fromContainers(@ServiceHandle("pg") Service pg, @ServiceHandle("maria") Service maria,
        @ServiceHandle("cache") Service cache,
        @ClientContainer(image = "postgres:15", command = {"sleep", "3600"}) Container psql,
        @ClientContainer(image = "mariadb:10.11", command = {"sleep", "3600"}) Container mariadb,
        @ClientContainer(image = "redis:7.0", command = {"sleep", "3600"}) Container redisCli,
        @ServiceHandle("web") Service web,
        @ClientContainer(image = "python:3.11-slim", command = {"sleep", "3600"}) Container python) {
      ConnectionInfo pgInfo = pg.connectionFromContainers();
      assertThat(pgInfo.host()).isEqualTo(pg.hostname());
      assertThat(pgInfo.port()).isEqualTo(5432);
      pg.start();
      assertThat(out(psql.exec("sh", "-c", "PGPASSWORD='" + pgInfo.password() + "' psql -tA -h " + pgInfo.host()
          + " -p " + pgInfo.port() + " -U " + pgInfo.username() + " -d " + pgInfo.database()
          + " -c 'SELECT current_database()'"))).isEqualTo("shop");

      ConnectionInfo mariaInfo = maria.connectionFromContainers();
      maria.start();
      assertThat(out(mariadb.exec("mariadb", "-N", "-h", mariaInfo.host(), "-P", "" + mariaInfo.port(),
          "-u", mariaInfo.username(), "-p" + mariaInfo.password(), mariaInfo.database(), "-e", "SELECT USER()")))
          .startsWith("app@");

      ConnectionInfo cacheInfo = cache.connectionFromContainers();
      cache.start();
      assertThat(out(redisCli.exec("redis-cli", "-u", cacheInfo.redisUri().toString(), "PING"))).isEqualTo("PONG");

      URI webUri = web.connectionFromContainers().httpUri();
      assertThat(webUri).isEqualTo(URI.create("http://" + web.hostname() + ":8000"));
      web.start();
      assertThat(out(python.exec("python3", "-c", "import urllib.request\n"
          + "print(urllib.request.urlopen('" + webUri + "/', timeout=5).status)"))).isEqualTo("200");
    }

    private static String out(ExecResult result) {
      assertThat(result.exitCode()).as(result.toString()).isZero();
      return result.stdout().strip();
    }

    private static String query(ConnectionInfo info, String sql) throws SQLException {
      try (Connection connection = DriverManager.getConnection(info.jdbcUrl(), info.username(), info.password());
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery(sql)) {
        rows.next();
        return rows.getString(1);
      }
    }

    private static String ping(ConnectionInfo info) throws Exception {
      try (Socket socket = new Socket(info.redisUri().getHost(), info.redisUri().getPort())) {
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        var reply = new StringBuilder();
        for (int c = in.read(); c != '\r' && c >= 0; c = in.read()) {
          reply.append((char) c);
        }
        return reply.toString();
      }
    }
  }
}
