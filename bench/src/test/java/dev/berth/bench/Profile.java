package dev.berth.bench;

import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where Berth's time goes while it starts one redis:7.0: prints the request and ready moments beside the engine's
 * events for the container (create, network connect, start) and the container's start time, all on the wall
 * clock in microseconds. Run with Berth's request log on to see each round trip:
 *
 * <pre>java -cp ... -Dorg.slf4j.simpleLogger.log.dev.berth.engine=debug -Dorg.slf4j.simpleLogger.showDateTime=true
 *     -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS dev.berth.bench.Profile [rounds]</pre>
 */
public final class Profile {

  private Profile() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String session = "bench-profile-" + Long.toHexString(System.currentTimeMillis());
    Map<String, String> keys = Map.of("berth.session", session);
    try (var runtime = ServiceRuntime.start(BerthConfig.from(key -> Optional.ofNullable(keys.get(key))))) {
      var scope = runtime.newScope();
      for (int round = -1; round < rounds; round++) {
        ServiceSpec redis = ServiceSpec.from(Bench.REDIS).withExposedPort(6379).withInstanceId("p" + round);
        long request = Suite.nowMicros();
        System.out.println("profile " + round + " request " + request);
        scope.service("redis", redis).hostAddress(6379);
        long ready = Suite.nowMicros();
        System.out.println("profile " + round + " ready " + ready + " (+" + (ready - request) / 1000.0 + " ms)");
        String id = Bench.docker("ps", "-q", "--no-trunc", "--filter", "label=dev.berth.digest=" + redis.digest())
            .get(0);
        String started = Bench.docker("inspect", "-f", "{{.State.StartedAt}}", id).get(0);
        long startedMicros = java.time.Instant.parse(started).toEpochMilli() * 1000
            + java.time.Instant.parse(started).getNano() / 1000 % 1000;
        System.out.printf("profile %d container process started +%.1f ms%n", round,
            (startedMicros - request) / 1000.0);
        List<String> events = Bench.docker("events", "--since", String.valueOf(request / 1_000_000 - 1), "--until",
            String.valueOf(ready / 1_000_000 + 1), "--format",
            "{{.TimeNano}} {{.Type}} {{.Action}} {{.Actor.ID}} {{index .Actor.Attributes \"container\"}}");
        for (String e : events) {
          String[] p = e.split(" ");
          if (e.contains(id)) {
            System.out.printf("profile %d event +%.1f ms %s %s%n", round,
                (Long.parseLong(p[0]) / 1000 - request) / 1000.0, p[1], p[2]);
          }
        }
      }
    }
  }
}
