package dev.berth.bench.berth;

import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;

@ServiceTest
class Berth05Test extends BerthSuiteBase {

  @ServiceContainer
  static final ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);

  @ServiceContainer
  static final ServiceSpec db = ServiceSpec.from("postgres:15").withEnv("POSTGRES_PASSWORD", "secret")
      .withExposedPort(5432).withResetCommand("psql", "-U", "postgres", "-c", "DROP TABLE IF EXISTS bench");
}
