package dev.berth.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.ServiceSpecs;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ContextServices;
import dev.berth.junit.ServiceTest;
import io.r2dbc.spi.ConnectionFactories;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A context made for a test class gets its services' connection details and properties, holds the services while it
 * lives and lets go of them when it closes (this module's tests run with {@code berth.gracePeriod=0}).
 */
@ServiceTest
class ContextServicesTest {

  @Test
  void aContextGetsConnectionDetailsAndPropertiesAndHoldsItsServicesUntilItCloses() throws Exception {
    GenericApplicationContext context = contextOf(Shop.class);
    context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("app",
        java.util.Map.of("app.web-url", "${berth.services.web.url}/")));
    context.refresh();
    Service db = held(context).services().get("db");
    Service web = held(context).services().get("web");
    try {
      JdbcConnectionDetails jdbc = context.getBean(JdbcConnectionDetails.class);
      assertThat(jdbc.getJdbcUrl()).isEqualTo(db.connection().jdbcUrl());
      try (Connection connection = DriverManager.getConnection(jdbc.getJdbcUrl(), jdbc.getUsername(),
          jdbc.getPassword()); ResultSet rows = connection.createStatement().executeQuery("SELECT 41 + 1")) {
        rows.next();
        assertThat(rows.getInt(1)).isEqualTo(42);
      }
      assertThat(r2dbcSelect42(context.getBean(R2dbcConnectionDetails.class))).isEqualTo(42);
      assertThat(context.getEnvironment().getProperty("berth.services.db.r2dbc-url"))
          .isEqualTo(jdbc.getJdbcUrl().replace("jdbc:", "r2dbc:"));
      DataRedisConnectionDetails redis = context.getBean(DataRedisConnectionDetails.class);
      assertThat(redis.getStandalone().getPort()).isEqualTo(held(context).services().get("cache").connection().port());

      String url = context.getEnvironment().getRequiredProperty("app.web-url");
      assertThat(url).startsWith("http://127.0.0.1:");
      var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(context.getEnvironment().getProperty("berth.services.web.hostname")).isEqualTo(web.hostname());
    } finally {
      context.close();
    }
    awaitStopped(db);
  }

  @Test
  void twoDatabasesGetNoConnectionDetailsButBothProperties() {
    GenericApplicationContext context = contextOf(TwoDatabases.class);
    context.refresh();
    try {
      assertThat(context.getBeanNamesForType(JdbcConnectionDetails.class)).isEmpty();
      assertThat(context.getBeanNamesForType(R2dbcConnectionDetails.class)).isEmpty();
      assertThat(context.getEnvironment().getProperty("berth.services.orders.jdbc-url")).startsWith("jdbc:postgresql:");
      assertThat(context.getEnvironment().getProperty("berth.services.stock.jdbc-url")).startsWith("jdbc:mariadb:");
    } finally {
      context.close();
    }
  }

  @Test
  void classesDeclaringEqualServicesShareACustomizerAndSoAContext() {
    var factory = new BerthContextCustomizerFactory();

    assertThat(factory.createContextCustomizer(Shop.class, List.of()))
        .isEqualTo(factory.createContextCustomizer(SameShop.class, List.of()))
        .isNotEqualTo(factory.createContextCustomizer(TwoDatabases.class, List.of()));
    assertThat(factory.createContextCustomizer(NotBerths.class, List.of())).isNull();
  }

  @Test
  void anInstanceFieldSaysToMakeItStatic() {
    assertThatThrownBy(() -> new BerthContextCustomizerFactory().createContextCustomizer(InstanceField.class,
        List.of())).hasMessageContaining("InstanceField.db is not static").hasMessageContaining("make it static");
  }

  private static Integer r2dbcSelect42(R2dbcConnectionDetails details) {
    io.r2dbc.spi.Connection connection = Mono.from(ConnectionFactories.get(details.getConnectionFactoryOptions())
        .create()).block(Duration.ofSeconds(10));
    try {
      return Flux.from(connection.createStatement("SELECT 42").execute())
          .flatMap(result -> result.map((row, metadata) -> row.get(0, Integer.class))).blockFirst(Duration.ofSeconds(10));
    } finally {
      Mono.from(connection.close()).block(Duration.ofSeconds(10));
    }
  }

  private static GenericApplicationContext contextOf(Class<?> testClass) {
    ContextCustomizer customizer = new BerthContextCustomizerFactory().createContextCustomizer(testClass, List.of());
    var context = new GenericApplicationContext();
    customizer.customizeContext(context, new MergedContextConfiguration(testClass, new String[0], new Class<?>[0],
        new String[0], null));
    return context;
  }

  private static ContextServices held(GenericApplicationContext context) {
    return context.getBean(BerthContextCustomizer.HOLDER_BEAN, ContextServices.class);
  }

  private static void awaitStopped(Service service) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (service.isRunning() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(service.isRunning()).as("stopped once the context let go of it (grace period 0)").isFalse();
  }

  @ServiceTest
  static class Shop {
    @ServiceContainer
    static final ServiceSpec db = ServiceSpecs.postgres("postgres:15");
    @ServiceContainer
    static final ServiceSpec cache = ServiceSpecs.redis("redis:7.0");
    @ServiceContainer(image = "python:3.11-slim", ports = 8000, command = {"python3", "-m", "http.server"})
    Service web;
  }

  @ServiceTest
  static class SameShop {
    @ServiceContainer
    static final ServiceSpec db = ServiceSpecs.postgres("postgres:15");
    @ServiceContainer
    static final ServiceSpec cache = ServiceSpecs.redis("redis:7.0");
    @ServiceContainer(image = "python:3.11-slim", ports = 8000, command = {"python3", "-m", "http.server"})
    Service web;
  }

  @ServiceTest
  static class TwoDatabases {
    @ServiceContainer
    static final ServiceSpec orders = ServiceSpecs.postgres("postgres:15");
    @ServiceContainer
    static final ServiceSpec stock = ServiceSpecs.mariadb("mariadb:10.11");
  }

  @ServiceTest
  static class InstanceField {
    @ServiceContainer
    final ServiceSpec db = ServiceSpecs.postgres("postgres:15");
  }
}

/** A class Berth's extension does not run for (it and its enclosing classes lack {@code @ServiceTest}). */
class NotBerths {
  @ServiceContainer
  static final ServiceSpec db = ServiceSpecs.postgres("postgres:15");
}
