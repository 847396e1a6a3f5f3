package dev.berth.bench.berth;

import dev.berth.annotations.ServiceEndpoint;
import dev.berth.bench.Work;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The three tests of every Berth benchmark class. Each subclass declares its own {@code redis} and {@code db}
 * services; they are equal definitions, so the whole suite shares one container of each.
 */
abstract class BerthSuiteBase {

  @Test
  void first(@ServiceEndpoint("redis") InetSocketAddress redis, @ServiceEndpoint("db") String db, TestInfo info)
      throws Exception {
    work(redis, db, info);
  }

  @Test
  void second(@ServiceEndpoint("redis") InetSocketAddress redis, @ServiceEndpoint("db") String db, TestInfo info)
      throws Exception {
    work(redis, db, info);
  }

  @Test
  void third(@ServiceEndpoint("redis") InetSocketAddress redis, @ServiceEndpoint("db") String db, TestInfo info)
      throws Exception {
    work(redis, db, info);
  }

  private void work(InetSocketAddress redis, String db, TestInfo info) throws Exception {
    String key = Work.key(getClass(), info.getTestMethod().orElseThrow().getName());
    Work.redisSetGet(redis, key);
    Work.postgresInsertSelect("jdbc:postgresql://" + db + "/postgres", "postgres", "secret", key);
  }
}
