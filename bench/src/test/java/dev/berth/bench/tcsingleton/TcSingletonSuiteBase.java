package dev.berth.bench.tcsingleton;

import dev.berth.bench.ThreeTests;
import dev.berth.bench.Work;
import java.net.InetSocketAddress;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Testcontainers' singleton-container pattern: the containers start once, in the static initializer of the base
 * class all ten benchmark classes extend, and are never stopped explicitly.
 */
abstract class TcSingletonSuiteBase extends ThreeTests {

  static final String RUN = System.getenv().getOrDefault("BENCH_RUN_ID", "manual");
  static final GenericContainer<?> REDIS;
  static final PostgreSQLContainer POSTGRES;

  static {
    REDIS = new GenericContainer<>("redis:7.0").withExposedPorts(6379).withLabel("dev.berth.bench", RUN);
    POSTGRES = new PostgreSQLContainer("postgres:15").withLabel("dev.berth.bench", RUN);
    REDIS.start();
    POSTGRES.start();
  }

  @Override
  protected void work(String key) throws Exception {
    Work.redisSetGet(new InetSocketAddress(REDIS.getHost(), REDIS.getMappedPort(6379)), key);
    Work.postgresInsertSelect(POSTGRES.getJdbcUrl(), POSTGRES.getUsername(), POSTGRES.getPassword(), key);
  }
}
