package dev.berth.bench.work;

import dev.berth.bench.ThreeTests;
import dev.berth.bench.Work;
import java.net.InetSocketAddress;

/**
 * The same thirty tests against redis and postgres that the runner started before this JVM ({@code BENCH_REDIS_PORT},
 * {@code BENCH_DB_PORT}): what the JVM, JUnit and the tests' own work cost without any container management.
 */
abstract class WorkSuiteBase extends ThreeTests {

  private static final InetSocketAddress REDIS = new InetSocketAddress("127.0.0.1",
      Integer.parseInt(System.getenv("BENCH_REDIS_PORT")));
  private static final String DB = "jdbc:postgresql://127.0.0.1:" + System.getenv("BENCH_DB_PORT") + "/postgres";

  @Override
  protected void work(String key) throws Exception {
    // The services outlive the rounds: a key per round keeps the rows apart.
    String roundKey = key + "-" + System.getenv("BENCH_RUN_ID");
    Work.redisSetGet(REDIS, roundKey);
    Work.postgresInsertSelect(DB, "postgres", "secret", roundKey);
  }
}
