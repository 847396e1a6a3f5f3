package dev.berth.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.ConnectionInfo;
import dev.berth.Protocol;
import dev.berth.ServiceSpec;
import dev.berth.ServiceSpecs;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** What a definition says about connecting to it, read as the official images read their environment. */
class ConnectionsTest {

  @Test
  void postgresDefaultsItsUserAndDatabaseAsTheImageDoes() {
    ConnectionInfo info = connect(ServiceSpec.from("postgres:15").withExposedPort(5432)
        .withEnv("POSTGRES_PASSWORD", "pw"));

    assertThat(info.protocol()).isEqualTo(Protocol.POSTGRES);
    assertThat(info.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:49000/postgres");
    assertThat(info.username()).isEqualTo("postgres");
    assertThat(info.password()).isEqualTo("pw");
  }

  @Test
  void postgresDatabaseFollowsItsUserUnlessNamed() {
    var spec = ServiceSpec.from("registry.example/team/postgres:15").withExposedPort(5432)
        .withEnv("POSTGRES_USER", "shop");

    assertThat(connect(spec).database()).isEqualTo("shop");
    assertThat(connect(spec.withEnv("POSTGRES_DB", "orders")).jdbcUrl()).endsWith(":49000/orders");
  }

  @Test
  void mysqlTakesTheUserItCreatesElseRoot() {
    var root = ServiceSpec.from("mysql:8.4").withExposedPort(3306).withEnv("MYSQL_ROOT_PASSWORD", "rpw");
    assertThat(connect(root).jdbcUrl()).isEqualTo("jdbc:mysql://127.0.0.1:49000/");
    assertThat(connect(root).username()).isEqualTo("root");
    assertThat(connect(root).password()).isEqualTo("rpw");

    var app = root.withEnv("MYSQL_USER", "app").withEnv("MYSQL_PASSWORD", "apw").withEnv("MYSQL_DATABASE", "shop");
    assertThat(connect(app).jdbcUrl()).isEqualTo("jdbc:mysql://127.0.0.1:49000/shop");
    assertThat(connect(app).username()).isEqualTo("app");
    assertThat(connect(app).password()).isEqualTo("apw");
  }

  @Test
  void mariadbReadsItsOwnNamesThenMysqls() {
    var spec = ServiceSpec.from("mariadb:10.11").withExposedPort(3306).withEnv("MYSQL_ROOT_PASSWORD", "old")
        .withEnv("MARIADB_ROOT_PASSWORD", "new").withEnv("MYSQL_DATABASE", "shop");

    ConnectionInfo info = connect(spec);
    assertThat(info.jdbcUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:49000/shop");
    assertThat(info.password()).isEqualTo("new");
  }

  @Test
  void redisUriCarriesAPasswordOnlyWhenOneIsSet() {
    assertThat(connect(ServiceSpecs.redis("redis:7.0")).redisUri()).isEqualTo(URI.create("redis://127.0.0.1:49000"));
    assertThat(connect(ServiceSpec.from("bitnami/redis:7.0").withExposedPort(6379).withEnv("REDIS_PASSWORD", "a b"))
        .redisUri()).isEqualTo(URI.create("redis://:a+b@127.0.0.1:49000"));
  }

  @Test
  void theMainPortIsTheFirstThatSpeaksAKnownProtocol() {
    var spec = ServiceSpec.from("example/app:1").withExposedPort(9090).withExposedPort(8080, Protocol.HTTP);

    assertThat(Connections.mainPort("app", SpecAccess.definition(spec))).isEqualTo(8080);
    assertThat(connect(spec).httpUri()).isEqualTo(URI.create("http://127.0.0.1:49000"));
    assertThat(Connections.mainPort("plain", SpecAccess.definition(ServiceSpec.from("example/app:1")
        .withExposedPort(7000, 7001)))).isEqualTo(7000);
  }

  @Test
  void aServiceWithoutTheProtocolSaysHowToDeclareIt() {
    ConnectionInfo web = connect(ServiceSpec.from("nginx:1.22").withExposedPort(80));

    assertThatThrownBy(web::jdbcUrl).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Service 'svc' (nginx:1.22) speaks http").hasMessageContaining("protocols = \"5432/postgres\"");
    assertThatThrownBy(web::redisUri).hasMessageContaining("not Redis");
    assertThatThrownBy(() -> Connections.mainPort("svc", SpecAccess.definition(ServiceSpec.from("busybox:1.35"))))
        .hasMessageContaining("exposes no port");
  }

  @Test
  void anIpv6HostIsBracketed() {
    var info = Connections.of("svc", SpecAccess.definition(ServiceSpecs.postgres("postgres:15")), "::1", 5432);

    assertThat(info.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/postgres");
  }

  private static ConnectionInfo connect(ServiceSpec spec) {
    return Connections.of("svc", SpecAccess.definition(spec), "127.0.0.1", 49000);
  }
}
