package dev.berth.junit;

import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A JVM of its own that joins a session, starts redis:7.0 and holds it until told to stop (a line on stdin) or
 * killed: what a Surefire fork does, reduced to what {@link SessionsTest} needs to watch.
 */
public final class SessionJvm {

  private SessionJvm() {
  }

  public static void main(String[] args) throws Exception {
    String session = args[0];
    var config = BerthConfig.from(key -> "berth.session".equals(key) ? Optional.of(session)
        : "berth.gracePeriod".equals(key) ? Optional.of("0") : BerthConfig.fromEnvironment(key));
    try (var runtime = ServiceRuntime.start(config); var scope = runtime.newScope()) {
      var redis = scope.service("redis", ServiceSpec.from("redis:7.0").withExposedPort(6379));
      System.out.println("ready " + redis.hostAddress(6379).getPort());
      System.out.flush();
      String said = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      System.out.println("told: " + said);
    }
    System.out.println("closed");
  }
}
