package dev.berth.bench;

import dev.berth.Container;
import dev.berth.Discovery;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.util.Map;
import java.util.Optional;

/**
 * DNS lookup latency from a client container through the session's DNS (issue 28): 1,000 lookups each of a service's
 * short name, its full name, and outside names the machine's resolvers answer (distinct names, so that nothing is
 * kept), from python (glibc's resolver); median, p99 and max in ms.
 */
final class Lookups {

  private static final String SCRIPT = String.join("\n",
      "import socket, sys, time",
      "def run(label, names):",
      "    took = []",
      "    for name in names:",
      "        start = time.perf_counter()",
      "        try:",
      "            socket.getaddrinfo(name, None, socket.AF_INET)",
      "        except socket.gaierror:",
      "            pass",
      "        took.append((time.perf_counter() - start) * 1000)",
      "    took.sort()",
      "    print('  %-44s %7.2f %7.2f %7.2f' % (label, took[len(took) // 2], took[int(len(took) * 0.99)], took[-1]))",
      "socket.getaddrinfo('web', None, socket.AF_INET)",
      "run('short name (web)', ['web'] * 1000)",
      "run('full name (web.<zone>)', ['web.' + sys.argv[1]] * 1000)",
      "run('outside names (bench-<n>.invalid, NXDOMAIN)', ['bench-%d.invalid' % i for i in range(1000)])");

  private final String runId;

  Lookups(String runId) {
    this.runId = runId;
  }

  String measure() {
    Map<String, String> keys = Map.of("berth.session", runId + "-dns");
    try (var runtime = ServiceRuntime.start(BerthConfig.from(key -> Optional.ofNullable(keys.get(key))))) {
      runtime.newScope().service("web", ServiceSpec.from("busybox:1.35").withExposedPort(8080)
          .withCommand("httpd", "-f", "-p", "8080")).start();
      String zone = Discovery.zone().replaceFirst("\\.$", "");
      try (Container client = runtime.newClient("client", ServiceSpec.from("python:3.11-slim"))) {
        String out = client.exec("python3", "-c", SCRIPT, zone).stdout();
        return String.format("%nDNS lookups from a client container, 1,000 each (ms):%n  %-44s %7s %7s %7s%n%s",
            "", "median", "p99", "max", out);
      }
    }
  }
}
