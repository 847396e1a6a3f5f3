package dev.berth.internal.container;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Time from a request for redis:7.0 to a ready service, beside a plain {@code docker run} until PING answers.
 * Not part of the build; run it with
 * {@code mvn -pl runtime test -Dtest=RedisStartupMeasurement -Dberth.measure=true}.
 */
@EnabledIfSystemProperty(named = "berth.measure", matches = "true")
class RedisStartupMeasurement {

  private static final int ROUNDS = 7;

  @Test
  void measure() throws Exception {
    var berth = new ArrayList<Long>();
    var berthWarm = new ArrayList<Long>();
    var docker = new ArrayList<Long>();
    for (int i = 0; i < ROUNDS; i++) {
      try (var runtime = ServiceRuntime.start(BerthConfig.defaults()); var scope = runtime.newScope()) {
        ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379).withInstanceId("m" + i);
        berth.add(timeToReady(scope.service("redis", redis)));
        berthWarm.add(timeToReady(scope.service("second", redis.withInstanceId("second"))));
      }
      docker.add(dockerRunUntilPing(i));
    }
    System.out.printf("redis:7.0 request->ready, median of %d: Berth first service of a run %d ms, Berth next"
            + " service %d ms, docker run until PING %d ms%n%s%n%s%n%s%n", ROUNDS, median(berth), median(berthWarm),
        median(docker), "berth first " + berth, "berth next  " + berthWarm, "docker      " + docker);
  }

  /** The first request of a run also creates the run's network; the second finds it. */
  private static long timeToReady(Service service) throws IOException {
    long t0 = System.nanoTime();
    InetSocketAddress address = service.hostAddress(6379);
    long ready = (System.nanoTime() - t0) / 1_000_000;
    if (!"+PONG".equals(ping(address))) {
      throw new AssertionError("redis did not answer PING");
    }
    return ready;
  }

  private static long dockerRunUntilPing(int round) throws Exception {
    String name = "berth-measure-" + ProcessHandle.current().pid() + "-" + round;
    long t0 = System.nanoTime();
    run("docker", "run", "-d", "--rm", "--name", name, "-p", "127.0.0.1::6379", "redis:7.0");
    try {
      while (true) {
        Process ping = new ProcessBuilder("docker", "exec", name, "redis-cli", "ping").redirectErrorStream(true)
            .start();
        String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (ping.waitFor() == 0 && out.equals("PONG")) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
      }
    } finally {
      run("docker", "rm", "-f", name);
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed");
    }
  }

  private static String ping(InetSocketAddress address) throws IOException {
    try (var socket = new Socket()) {
      socket.connect(address, 2000);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[5];
      return new String(reply, 0, in.readNBytes(reply, 0, 5), StandardCharsets.US_ASCII);
    }
  }

  private static long median(List<Long> values) {
    var sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
