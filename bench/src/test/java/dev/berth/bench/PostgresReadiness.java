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
 * Whether a PostgreSQL that Berth calls ready takes connections: starts postgres:15 with and without a ready command
 * ({@code pg_isready}), alternating, opens a JDBC connection the moment Berth hands the service over, and prints how
 * often that connection is turned away and how long each start took. One warm JVM, so the connection follows the
 * hand-over at once.
 *
 * <pre>java -cp "bench/target/test-classes:bench/target/bench-lib/*" dev.berth.bench.PostgresReadiness [rounds]</pre>
 */
public final class PostgresReadiness {

  private PostgresReadiness() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    String session = "bench-pgready-" + Long.toHexString(System.currentTimeMillis());
    Map<String, String> keys = Map.of("berth.session", session, "berth.stopTimeout", "1s");
    var startsWith = new ArrayList<Long>();
    var startsWithout = new ArrayList<Long>();
    int refusedWith = 0;
    int refusedWithout = 0;
    try (var runtime = ServiceRuntime.start(BerthConfig.from(key -> Optional.ofNullable(keys.get(key))))) {
      for (int round = -1; round < rounds; round++) {
        // Alternate which goes first, so that neither always meets the engine busy with the other's removal.
        for (boolean ready : round % 2 == 0 ? List.of(true, false) : List.of(false, true)) {
          ServiceSpec spec = ServiceSpec.from(Bench.POSTGRES).withEnv("POSTGRES_PASSWORD", "secret")
              .withExposedPort(5432).withInstanceId("round-" + round + "-" + ready);
          if (ready) {
            spec = spec.withReadyCommand("pg_isready", "-h", "127.0.0.1");
          }
          var scope = runtime.newScope();
          var service = scope.service("db", spec);
          long t0 = System.nanoTime();
          InetSocketAddress address = service.hostAddress(5432);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          String refusal = firstConnection(address.getPort());
          service.stop();
          scope.close();
          System.out.printf("round %d, ready command %s: ready after %d ms, first connection %s%n", round + 1,
              ready ? "yes" : "no", ms, refusal == null ? "taken" : "turned away: " + refusal);
          if (round < 0) {
            continue; // warms the JVM
          }
          (ready ? startsWith : startsWithout).add(ms);
          if (refusal != null) {
            if (ready) {
              refusedWith++;
            } else {
              refusedWithout++;
            }
          }
        }
      }
    }
    System.out.printf("%nWith pg_isready as ready command: first connection turned away in %d of %d starts,"
        + " request to ready median %d ms %s%n", refusedWith, rounds, Stats.median(startsWith), startsWith);
    System.out.printf("Ports only: first connection turned away in %d of %d starts, request to ready median %d ms"
        + " %s%n", refusedWithout, rounds, Stats.median(startsWithout), startsWithout);
  }

  /** Null if a connection was taken, else the server's reason. */
  private static String firstConnection(int port) {
    try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
        "secret")) {
      return null;
    } catch (SQLException e) {
      return e.getMessage();
    }
  }
}
