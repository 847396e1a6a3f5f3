package dev.berth.internal.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.Container;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.run.ServiceScope;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A container that leaves the run's network must not take the gateway's hardware address with it. Linux gives a
 * bridge whose address nobody set the lowest of its ports' addresses; Podman 4.3's netavark leaves its bridges so,
 * and a client that learnt the gateway's address while such a port was there lost the gateway when it left (7 s and
 * more of lost DNS queries, measured). The test makes that port itself: it gives a service's end of its link the
 * lowest address there is, creates a client, stops the service, and checks that the client's idea of the gateway is
 * still the bridge's. On Docker, whose bridges have their addresses set, it holds as well. Needs root (it changes
 * the link's address) and a JVM that shares the engine's network.
 */
class GatewayBridgeTest {

  private static final ServiceSpec IDLE = ServiceSpec.from("busybox:1.35").withCommand("sleep", "2147483647");
  /** Lower than any address the kernel makes up for a link (those have the locally administered bit, 02, set). */
  private static final String LOWEST = "00:00:5e:00:53:01";

  @Test
  void aLeavingContainerDoesNotTakeTheGatewaysAddressWithIt() throws Exception {
    String session = "bridge-" + UUID.randomUUID().toString().substring(0, 8);
    BerthConfig config = BerthConfig.from(key -> Optional.ofNullable(Map.of("berth.session", session).get(key)));
    try (ServiceRuntime runtime = ServiceRuntime.start(config); ServiceScope scope = runtime.newScope();
        Container first = runtime.newClient("first", IDLE)) {
      String gateway = first.exec("ip", "route").stdout().lines().filter(l -> l.startsWith("default via "))
          .map(l -> l.split("\\s+")[2]).findFirst().orElseThrow();
      NetworkInterface bridge = NetworkInterface.getByInetAddress(InetAddress.getByName(gateway));
      assumeTrue(bridge != null, "the JVM shares the engine's network (the gateway " + gateway + " is its own)");
      assumeTrue(isRoot(), "the JVM runs as root");
      Path ports = Path.of("/sys/class/net", bridge.getName(), "brif");
      String before = address(bridge.getName());

      Set<String> known = linksOf(ports);
      Service leaving = scope.service("leaving", IDLE.withInstanceId("leaving"));
      leaving.start();
      Set<String> joined = linksOf(ports);
      joined.removeAll(known);
      assertThat(joined).as("the leaving service's end of its link").hasSize(1);
      run("ip", "link", "set", "dev", joined.iterator().next(), "address", LOWEST);

      try (Container client = runtime.newClient("client", IDLE)) {
        assertThat(knock(client, gateway))
            .as("the client reaches the gateway (nothing listens on port 9: the host refuses at once)")
            .contains("refused");
        leaving.stop();
        assertThat(linksOf(ports)).as("the service's link is gone").doesNotContainAnyElementsOf(joined);

        assertThat(address(bridge.getName())).as("the bridge's address").isEqualTo(before);
        String learnt = client.exec("cat", "/proc/net/arp").stdout().lines()
            .filter(l -> l.startsWith(gateway + " ")).map(l -> l.split("\\s+")[3]).findFirst().orElseThrow();
        assertThat(learnt).as("the client's entry for the gateway").isEqualTo(before);
        assertThat(knock(client, gateway)).as("the client still reaches the gateway").contains("refused");
      }
    }
  }

  /** What a client says when it connects to port 9 of the gateway: refused, or timed out where unreachable. */
  private static String knock(Container client, String gateway) {
    var result = client.exec("nc", "-w", "2", gateway, "9");
    return result.stdout() + result.stderr();
  }

  private static boolean isRoot() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
        .anyMatch(l -> l.split("\\s+")[2].equals("0"));
  }

  private static String address(String link) throws IOException {
    return Files.readString(Path.of("/sys/class/net", link, "address")).strip();
  }

  private static Set<String> linksOf(Path ports) throws IOException {
    try (Stream<Path> links = Files.list(ports)) {
      return new HashSet<>(links.map(p -> p.getFileName().toString()).toList());
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
  }
}
