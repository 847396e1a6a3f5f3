package dev.berth.bench.tc;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.postgresql.PostgreSQLContainer;

@Testcontainers
class Tc08Test extends TcSuiteBase {

  @Container
  static final GenericContainer<?> REDIS = newRedis();

  @Container
  static final PostgreSQLContainer POSTGRES = newPostgres();

  @Override
  GenericContainer<?> redis() {
    return REDIS;
  }

  @Override
  PostgreSQLContainer postgres() {
    return POSTGRES;
  }
}
