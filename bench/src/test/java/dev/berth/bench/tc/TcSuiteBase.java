package dev.berth.bench.tc;

import dev.berth.bench.ThreeTests;
import dev.berth.bench.Work;
import java.net.InetSocketAddress;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The three tests of every Testcontainers benchmark class. Each subclass declares its own static
 * {@code @Container} fields, so each class starts and stops its own redis and postgres.
 */
abstract class TcSuiteBase extends ThreeTests {

  /** Labels every container with the bench run, so the runner removes leftovers by label. */
  static final String RUN = System.getenv().getOrDefault("BENCH_RUN_ID", "manual");

  static GenericContainer<?> newRedis() {
    return new GenericContainer<>("redis:7.0").withExposedPorts(6379).withLabel("dev.berth.bench", RUN);
  }

  static PostgreSQLContainer newPostgres() {
    return new PostgreSQLContainer("postgres:15").withLabel("dev.berth.bench", RUN);
  }

  abstract GenericContainer<?> redis();

  abstract PostgreSQLContainer postgres();

  @Override
  protected void work(String key) throws Exception {
    Work.redisSetGet(new InetSocketAddress(redis().getHost(), redis().getMappedPort(6379)), key);
    PostgreSQLContainer pg = postgres();
    Work.postgresInsertSelect(pg.getJdbcUrl(), pg.getUsername(), pg.getPassword(), key);
  }
}
