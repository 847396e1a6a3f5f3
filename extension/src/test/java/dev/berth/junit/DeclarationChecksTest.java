package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.annotations.ServiceHandle;
import org.junit.jupiter.api.Test;

/**
 * A bad declaration fails before any container starts, naming the field or call, the value and the fix (issue 27,
 * point 5). Each run records its session's container events: none may be a create.
 */
class DeclarationChecksTest {

  @Test
  void aNullEnvValueInAStaticFieldNamesTheFieldTheKeyAndTheFix() {
    var run = new KitRun().run(NullEnv.class);

    assertThat(run.classFailure()).hasMessage("Cannot read @ServiceContainer field NullEnv.db: the static"
        + " initialiser of NullEnv failed: withEnv(\"FOO\", null) for redis:7.0: the value of environment variable FOO"
        + " is null; pass \"\" for an empty value, or leave the environment variable out");
    assertThat(run.events("create")).isEmpty();
  }

  @Test
  void aPortOutOfRangeInAStaticFieldIsNamed() {
    var run = new KitRun().run(PortOutOfRange.class);

    assertThat(run.classFailure()).hasMessageContaining("field PortOutOfRange.db")
        .hasMessageEndingWith("Exposed port 70000 of redis:7.0 is out of range: use 1-65535");
    assertThat(run.events("create")).isEmpty();
  }

  @Test
  void anInvalidAliasOfAClientFailsBeforeItsServiceStarts() {
    var run = new KitRun().run(BadClientAlias.class);

    assertThat(run.onlyFailure()).hasMessageContaining("@BindService on parameter")
        .hasMessageContaining("Alias 'Bad_Db' is not a valid hostname")
        .hasMessageContaining("Give a valid one with @BindService(value = \"...\", alias = \"...\")");
    assertThat(run.events("create")).as("the bound service did not start").isEmpty();
  }

  @Test
  void anInvalidAliasOnTheClassFailsBeforeItsServiceStarts() {
    var run = new KitRun().run(BadClassAlias.class);

    assertThat(run.onlyFailure()).hasMessageContaining("@BindService on class BadClassAlias")
        .hasMessageContaining("Alias 'db.local' is not a valid hostname");
    assertThat(run.events("create")).isEmpty();
  }

  @Test
  void anEndpointOfAServiceWithoutPortsFailsBeforeItStarts() {
    var run = new KitRun().run(PortlessEndpoint.class);

    assertThat(run.onlyFailure()).hasMessageContaining("@ServiceEndpoint(\"quiet\") on parameter")
        .hasMessageContaining("service 'quiet' (redis:7.0) exposes no port; expose one with withExposedPort(...) or"
            + " ports = ...");
    assertThat(run.events("create")).isEmpty();
  }

  @Test
  void anEndpointOfAPortTheServiceDoesNotExposeFailsBeforeItStarts() {
    var run = new KitRun().run(UnexposedEndpoint.class);

    assertThat(run.onlyFailure()).hasMessageContaining("@ServiceEndpoint(\"db\", port = 6380) on parameter")
        .hasMessageContaining("service 'db' (redis:7.0) does not expose port 6380; exposed ports: [6379]. Name one"
            + " of those, or expose it with withExposedPort(6380)");
    assertThat(run.events("create")).isEmpty();
  }

  @Test
  void anEndpointAskedOfAHandleWithoutPortsFailsWithoutAStart() {
    var run = new KitRun().run(PortlessHandle.class);

    assertThat(run.onlyFailure()).isInstanceOf(IllegalStateException.class)
        .hasMessage("Service 'quiet' (redis:7.0) exposes no port, so it has no endpoint: add one with"
            + " withExposedPort(...) or ports = ...");
    assertThat(run.events("create")).isEmpty();
  }

  @ServiceTest
  static class NullEnv {
    @ServiceContainer
    static final ServiceSpec db = ServiceSpec.from("redis:7.0").withExposedPort(6379).withEnv("FOO", null);

    @Test
    void uses(@ServiceEndpoint("db") String hostPort) {
      assertThat(hostPort).isNotEmpty();
    }
  }

  @ServiceTest
  static class PortOutOfRange {
    @ServiceContainer
    static final ServiceSpec db = ServiceSpec.from("redis:7.0").withExposedPort(70000);

    @Test
    void uses(@ServiceEndpoint("db") String hostPort) {
      assertThat(hostPort).isNotEmpty();
    }
  }

  @ServiceTest
  static class BadClientAlias {
    @ServiceContainer
    static final ServiceSpec db = Fixtures.REDIS;

    @Test
    void uses(@BindService(value = "db", alias = "Bad_Db") @ClientContainer Container client) {
      assertThat(client).isNotNull();
    }
  }

  @ServiceTest
  @BindService(value = "db", alias = "db.local")
  static class BadClassAlias {
    @ServiceContainer
    static final ServiceSpec db = Fixtures.REDIS;

    @Test
    void uses(@ClientContainer Container client) {
      assertThat(client).isNotNull();
    }
  }

  @ServiceTest
  static class PortlessEndpoint {
    @ServiceContainer
    static final ServiceSpec quiet = ServiceSpec.from("redis:7.0");

    @Test
    void uses(@ServiceEndpoint("quiet") String hostPort) {
      assertThat(hostPort).isNotEmpty();
    }
  }

  @ServiceTest
  static class UnexposedEndpoint {
    @ServiceContainer
    static final ServiceSpec db = Fixtures.REDIS;

    @Test
    void uses(@ServiceEndpoint(value = "db", port = 6380) String hostPort) {
      assertThat(hostPort).isNotEmpty();
    }
  }

  @ServiceTest
  static class PortlessHandle {
    @ServiceContainer
    static final ServiceSpec quiet = ServiceSpec.from("redis:7.0");

    @Test
    void asks(@ServiceHandle("quiet") Service service) {
      service.endpoint();
    }
  }
}
