package dev.berth.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Container;
import dev.berth.Discovery;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Names a client resolves while the test JVM, which serves the session's DNS, is stopped (SIGSTOP, as a debugger's
 * breakpoint that suspends every thread does): a service's hostname and its full name in the zone, a global
 * hostname, a replica's hostname and a group's hostname are the engine's to answer, and the name of a service its
 * owner runs is in the client's /etc/hosts, so they keep answering at once. A name the zone does not have is the
 * JVM's to answer (NXDOMAIN): it waits for the JVM, which shows the JVM was stopped while the client looked. Needs
 * the engine, and port 53 (root).
 */
class PausedJvmLookupsTest {

  /**
   * Looks up each name given every 20 ms for {@code seconds}, printing "name start-ms took-ms" per lookup; a thread
   * of its own looks up the JVM-served name given first once a second, printing "jvm-served start-ms took-ms".
   */
  private static final String LOOKUPS = String.join("\n",
      "import socket, sys, threading, time",
      "seconds = float(sys.argv[1]); jvm_name = sys.argv[2]; names = sys.argv[3:]",
      "end = time.time() + seconds",
      "def jvm_served():",
      "    while time.time() < end:",
      "        start = time.time()",
      "        try: socket.getaddrinfo(jvm_name, None, socket.AF_INET)",
      "        except OSError: pass",
      "        print('jvm-served %d %.1f' % (start * 1000, (time.time() - start) * 1000), flush=True)",
      "        time.sleep(1)",
      "threading.Thread(target=jvm_served, daemon=True).start()",
      "while time.time() < end:",
      "    for name in names:",
      "        start = time.time()",
      "        socket.getaddrinfo(name, None, socket.AF_INET)",
      "        print('%s %d %.1f' % (name, start * 1000, (time.time() - start) * 1000), flush=True)",
      "    time.sleep(0.02)",
      "time.sleep(1)  # lets the lookup that waited on the JVM print");

  @Test
  void namesOfTheEngineAnswerWhileTheTestJvmIsStopped() throws Exception {
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults())) {
      var scope = runtime.newScope();
      Service web = scope.service("web", ServiceSpec.from("busybox:1.35").withExposedPort(8080)
          .withCommand("httpd", "-f", "-p", "8080").withHostname("www-paused"));
      Service trio = scope.service("trio", ServiceSpec.from("busybox:1.35").withExposedPort(8080)
          .withCommand("httpd", "-f", "-p", "8080").withReplicas(2));
      web.start();
      trio.start();
      String zone = Discovery.zone().replaceFirst("\\.$", "");
      // The replicas' own hostnames: what the group's SRV records point at.
      List<String> replicaHostnames = Discovery.srv("trio").stream()
          .map(r -> r.getHostString().replaceFirst("\\..*", ""))
          .toList();
      assertThat(replicaHostnames).hasSize(2);
      String webHostname = "berth-" + web.digest().substring(0, 16); // its global hostname aside
      List<String> names = new ArrayList<>(List.of("web", webHostname, webHostname + "." + zone, "www-paused",
          "www-paused." + zone, trio.hostname(), replicaHostnames.get(0), replicaHostnames.get(1) + "." + zone));

      try (Container client = runtime.newClient("client", ServiceSpec.from("python:3.11-slim"), scope)) {
        Path window = Files.createTempFile("berth-paused", ".txt");
        // A process of its own stops this JVM 1.5 s into the lookups for 3 s, and notes when (ms since the epoch).
        long pid = ProcessHandle.current().pid();
        Process stopper = new ProcessBuilder("sh", "-c", "sleep 1.5; date +%s%3N > " + window + "; kill -STOP "
            + pid + "; sleep 3; kill -CONT " + pid + "; date +%s%3N >> " + window).start();
        var command = new ArrayList<>(List.of("python3", "-c", LOOKUPS, "5", "absent." + zone));
        command.addAll(names);
        String out = client.exec(command.toArray(String[]::new)).stdout();
        assertThat(stopper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<String> times = Files.readAllLines(window);
        Files.delete(window);
        long stopped = Long.parseLong(times.get(0).strip());
        long resumed = Long.parseLong(times.get(1).strip());

        var report = new StringBuilder();
        for (String name : names) {
          List<double[]> during = lookups(out, name, stopped, resumed);
          double max = during.stream().mapToDouble(l -> l[1]).max().orElse(Double.NaN);
          report.append(String.format("%s: %d lookups while stopped, slowest %.1f ms%n", name, during.size(), max));
          assertThat(during).as("lookups of %s while the JVM was stopped%n%s", name, out).hasSizeGreaterThan(20);
          assertThat(max).as("the slowest lookup of %s while the JVM was stopped, ms", name).isLessThan(50);
        }
        List<double[]> jvmServed = lookups(out, "jvm-served", stopped, resumed);
        System.out.printf("JVM stopped for %d ms:%n%s", resumed - stopped, report);
        assertThat(jvmServed).as("a lookup of a name the zone does not have, which the JVM answers, while it was"
            + " stopped: %s",
            out).anySatisfy(l -> assertThat(l[1]).isGreaterThan(1000));
      }
    }
  }

  /** The lookups of {@code name} that began while the JVM was stopped: start and duration, in ms. */
  private static List<double[]> lookups(String out, String name, long from, long to) {
    var found = new ArrayList<double[]>();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+) (\\S+)$").matcher(out);
    while (m.find()) {
      long start = Long.parseLong(m.group(1));
      if (start >= from && start < to - 100) {
        found.add(new double[] {start, Double.parseDouble(m.group(2))});
      }
    }
    return found;
  }
}
