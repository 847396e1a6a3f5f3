package dev.berth.bench.work;

import dev.berth.bench.Work;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The same thirty tests against redis and postgres that the runner started before this JVM ({@code BENCH_REDIS_PORT},
 * {@code BENCH_DB_PORT}): what the JVM, JUnit and the tests' own work cost without any container management.
 */
abstract class WorkSuiteBase {

  private static final InetSocketAddress REDIS = new InetSocketAddress("127.0.0.1",
      Integer.parseInt(System.getenv("BENCH_REDIS_PORT")));
  private static final String DB = "jdbc:postgresql://127.0.0.1:" + System.getenv("BENCH_DB_PORT") + "/postgres";

  @Test
  void first(TestInfo info) throws Exception {
    work(info);
  }

  @Test
  void second(TestInfo info) throws Exception {
    work(info);
  }

  @Test
  void third(TestInfo info) throws Exception {
    work(info);
  }

  private void work(TestInfo info) throws Exception {
    // The services outlive the rounds: a key per round keeps the rows apart.
    String key = Work.key(getClass(), info.getTestMethod().orElseThrow().getName()) + "-" + System.getenv(
        "BENCH_RUN_ID");
    Work.redisSetGet(REDIS, key);
    Work.postgresInsertSelect(DB, "postgres", "secret", key);
  }
}
