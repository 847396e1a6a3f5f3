package dev.berth.bench;

import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.net.InetSocketAddress;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a tmpfs data directory buys a PostgreSQL test: starts postgres:15 with its data directory on the container's
 * disk and on a tmpfs ({@code withTmpfs}), alternating, and prints request-to-ready and the time of 300 single-row
 * inserts, each its own transaction (so each waits for its commit to reach the disk). One warm JVM.
 *
 * <pre>java -cp "bench/target/test-classes:bench/target/bench-lib/*" dev.berth.bench.PostgresTmpfs [rounds]</pre>
 */
public final class PostgresTmpfs {

  private static final int INSERTS = 300;

  private PostgresTmpfs() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    String session = "bench-pgtmpfs-" + Long.toHexString(System.currentTimeMillis());
    Map<String, String> keys = Map.of("berth.session", session, "berth.stopTimeout", "1s");
    Map<Boolean, List<Long>> ready = Map.of(true, new ArrayList<>(), false, new ArrayList<>());
    Map<Boolean, List<Long>> inserts = Map.of(true, new ArrayList<>(), false, new ArrayList<>());
    try (var runtime = ServiceRuntime.start(BerthConfig.from(key -> Optional.ofNullable(keys.get(key))))) {
      for (int round = -1; round < rounds; round++) {
        // Alternate which goes first, so that neither always meets the engine busy with the other's removal.
        for (boolean tmpfs : round % 2 == 0 ? List.of(true, false) : List.of(false, true)) {
          ServiceSpec spec = ServiceSpec.from(Bench.POSTGRES).withEnv("POSTGRES_PASSWORD", "secret")
              .withExposedPort(5432).withReadyCommand("pg_isready", "-h", "127.0.0.1")
              .withInstanceId("round-" + round + "-" + tmpfs);
          if (tmpfs) {
            spec = spec.withTmpfs("/var/lib/postgresql/data");
          }
          var scope = runtime.newScope();
          var service = scope.service("db", spec);
          long t0 = System.nanoTime();
          InetSocketAddress address = service.hostAddress(5432);
          long readyMs = (System.nanoTime() - t0) / 1_000_000;
          long insertMs = insert(address.getPort());
          service.stop();
          scope.close();
          System.out.printf("round %d, %s: ready after %d ms, %d inserts in %d ms%n", round + 1,
              tmpfs ? "tmpfs" : "disk", readyMs, INSERTS, insertMs);
          if (round >= 0) { // the first round warms the JVM
            ready.get(tmpfs).add(readyMs);
            inserts.get(tmpfs).add(insertMs);
          }
        }
      }
    }
    for (boolean tmpfs : List.of(false, true)) {
      System.out.printf("%nData directory on %s: request to ready median %d ms %s; %d inserts median %d ms %s",
          tmpfs ? "a tmpfs" : "the container's disk", Stats.median(ready.get(tmpfs)), ready.get(tmpfs), INSERTS,
          Stats.median(inserts.get(tmpfs)), inserts.get(tmpfs));
    }
    System.out.println();
  }

  private static long insert(int port) throws SQLException {
    try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
        "secret"); var statement = c.createStatement()) {
      statement.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
      long t0 = System.nanoTime();
      try (var insert = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
        for (int i = 0; i < INSERTS; i++) {
          insert.setInt(1, i);
          insert.setString(2, "row " + i);
          insert.executeUpdate();
        }
      }
      return (System.nanoTime() - t0) / 1_000_000;
    }
  }
}
