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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A container that leaves the run's network must not take the gateway's hardware address with it. Linux gives a
 * bridge whose address nobody set the lowest of its ports' addresses; Podman 4.3's netavark leaves its bridges so,
 * and a client that learnt the gateway's address while such a port was there lost the gateway when it left (7 s and
 * more of lost DNS queries, measured). The test makes that port itself: it gives a service's end of its link the
 * lowest address there is, creates a client, stops the service, and checks that the client's idea of the gateway is
 * still the bridge's. On Docker, whose bridges have their addresses set, it holds as well.
 *
 * <p>The bridge is this machine's (rootful engines; the test then needs root, to change a link's address), or in
 * rootless Podman's network namespace, entered with {@code podman unshare --rootless-netns} (the test then runs as
 * the engine's user). Elsewhere it is skipped.
 */
class GatewayBridgeTest {

  private static final ServiceSpec IDLE = ServiceSpec.from("busybox:1.35").withCommand("sleep", "2147483647");
  /** Lower than any address the kernel makes up for a link (those have the locally administered bit, 02, set). */
  private static final String LOWEST = "00:00:5e:00:53:01";

  @Test
  void aLeavingContainerDoesNotTakeTheGatewaysAddressWithIt() throws Exception {
    String session = "bridge-" + UUID.randomUUID().toString().substring(0, 8);
    // The idle containers' sleep ignores SIGTERM: a stop kills at once rather than after 10 s.
    BerthConfig config = BerthConfig.from(key -> Optional.ofNullable(Map.of("berth.session", session,
        "berth.stopTimeout", "0s").get(key)));
    try (ServiceRuntime runtime = ServiceRuntime.start(config); ServiceScope scope = runtime.newScope();
        Container first = runtime.newClient("first", IDLE)) {
      String gateway = first.exec("ip", "route").stdout().lines().filter(l -> l.startsWith("default via "))
          .map(l -> l.split("\\s+")[2]).findFirst().orElseThrow();
      Namespace links = Namespace.holding(gateway);
      String bridge = links.interfaceWith(gateway).orElseThrow();
      String before = links.address(bridge);

      Service leaving = scope.service("leaving", IDLE.withInstanceId("leaving"));
      leaving.start();
      // The other end of the service's link: its eth0 names it by index (a probe container may have joined too).
      String index = leaving.exec("cat", "/sys/class/net/eth0/iflink").stdout().strip();
      String port = links.portsOf(bridge).get(index);
      assertThat(port).as("the leaving service's end of its link, index " + index).isNotNull();
      links.run("ip", "link", "set", "dev", port, "address", LOWEST);

      try (Container client = runtime.newClient("client", IDLE)) {
        assertThat(knock(client, gateway))
            .as("the client reaches the gateway (nothing listens on port 9: the host refuses at once)")
            .contains("refused");
        leaving.stop();
        assertThat(links.portsOf(bridge)).as("the service's link is gone").doesNotContainValue(port);

        assertThat(links.address(bridge)).as("the bridge's address").isEqualTo(before);
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

  /** Where the bridge's links are: this machine's network namespace, or rootless Podman's, through {@code ip}. */
  private record Namespace(List<String> enter) {

    static Namespace holding(String gateway) throws IOException, InterruptedException {
      if (NetworkInterface.getByInetAddress(InetAddress.getByName(gateway)) != null) {
        assumeTrue(isRoot(), "the JVM runs as root (it changes a link's address)");
        return new Namespace(List.of());
      }
      var rootless = new Namespace(List.of("podman", "unshare", "--rootless-netns"));
      assumeTrue(rootless.interfaceWith(gateway).isPresent(), "the gateway " + gateway + " is on this machine or in"
          + " rootless Podman's network namespace of the JVM's user");
      return rootless;
    }

    Optional<String> interfaceWith(String address) throws IOException, InterruptedException {
      Optional<String> shown = output("ip", "-o", "-4", "addr", "show");
      return shown.flatMap(lines -> lines.lines().filter(l -> l.contains(" inet " + address + "/"))
          .map(l -> l.split("\\s+")[1]).findFirst());
    }

    String address(String link) throws IOException, InterruptedException {
      String shown = output("ip", "-o", "link", "show", "dev", link).orElseThrow();
      return GatewayBridge.etherAddress(shown).orElseThrow();
    }

    /** The bridge's ports by their interface index. */
    Map<String, String> portsOf(String bridge) throws IOException, InterruptedException {
      var ports = new HashMap<String, String>();
      output("ip", "-o", "link", "show", "master", bridge).orElseThrow().lines().map(l -> l.split(":\\s+"))
          .forEach(fields -> ports.put(fields[0], fields[1].split("@")[0]));
      return ports;
    }

    void run(String... command) throws IOException, InterruptedException {
      assertThat(output(command)).as(String.join(" ", command)).isPresent();
    }

    /** What the command said, if it exited with 0. */
    Optional<String> output(String... command) throws IOException, InterruptedException {
      var all = new ArrayList<>(enter);
      all.addAll(List.of(command));
      Process process;
      try {
        process = new ProcessBuilder(all).redirectErrorStream(true).start();
      } catch (IOException noSuchCommand) {
        return Optional.empty();
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return process.waitFor() == 0 ? Optional.of(output) : Optional.empty();
    }

    private static boolean isRoot() throws IOException {
      return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
          .anyMatch(l -> l.split("\\s+")[2].equals("0"));
    }
  }
}
