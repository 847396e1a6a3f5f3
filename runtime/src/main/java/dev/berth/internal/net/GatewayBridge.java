package dev.berth.internal.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the hardware address of the bridge that carries a run's gateway from changing as containers come and go.
 *
 * <p>Linux gives a bridge whose address nobody set the lowest address among its ports, so it changes whenever a
 * container whose port has a lower one joins or leaves. The containers still on the bridge keep the old address in
 * their ARP caches and lose the gateway, and with it everything served there (the engine's DNS, Berth's DNS, host
 * services), until the entry is learnt again: measured here 7 s and more, reported up to 100 s. Docker sets its
 * bridges' addresses itself, as Podman's netavark does from 1.9 on; netavark 1.4 (Debian 12's Podman 4.3) does not.
 * Where the bridge is this machine's and its address is unset, it is set to what it is now, which the kernel then
 * keeps. That takes {@code ip} and the right to change interfaces (root); without them the run goes on as it would,
 * and says what it risks. Rootless Podman's bridges live in a network namespace of the user's, where that user may
 * change them: there it is done through {@code podman unshare --rootless-netns}.
 */
public final class GatewayBridge {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /** {@code addr_assign_type} of an interface whose address was set: the kernel no longer changes it. */
  private static final String SET = "3";
  private static final List<Path> IP_COMMANDS = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"),
      Path.of("/usr/bin/ip"), Path.of("/bin/ip"));

  private GatewayBridge() {
  }

  /**
   * Sets the address of the bridge holding {@code gateway} to its current one if nobody set it; does nothing where
   * the gateway is not on this machine, or its interface is not a bridge, or its address was set.
   */
  public static void pinAddress(String gateway) {
    NetworkInterface bridge;
    try {
      bridge = NetworkInterface.getByInetAddress(InetAddress.getByName(gateway));
    } catch (SocketException | UnknownHostException e) {
      return;
    }
    if (bridge == null) {
      return;
    }
    Path device = Path.of("/sys/class/net", bridge.getName());
    if (!Files.isDirectory(device.resolve("bridge")) || SET.equals(read(device.resolve("addr_assign_type")))) {
      return;
    }
    String address;
    try {
      byte[] hardware = bridge.getHardwareAddress();
      if (hardware == null || hardware.length != 6) {
        return;
      }
      address = HexFormat.ofDelimiter(":").formatHex(hardware);
    } catch (SocketException e) {
      return;
    }
    Optional<String> failure = run(List.of(ipCommand(), "link", "set", "dev", bridge.getName(), "address", address));
    if (failure.isPresent()) {
      LOG.warn("The bridge {} of the run's network takes the lowest hardware address of its containers' ports, so it"
          + " changes as they come and go, and the containers lose the gateway ({}: DNS, host services) for seconds"
          + " each time. Pinning its address failed: {}. Run the tests as root with iproute2 installed, or use an"
          + " engine that pins it (Docker; Podman with netavark 1.9 or later)", bridge.getName(), gateway,
          failure.get());
      return;
    }
    LOG.info("Pinned the hardware address of bridge {} (the run's network, gateway {}) at {}: the engine left it to"
        + " follow the containers' ports, and containers would lose the gateway for seconds whenever it changed",
        bridge.getName(), gateway, address);
  }

  /**
   * Sets the address of {@code bridge}, a bridge of rootless Podman in the user's network namespace, to its current
   * one (the kernel then keeps it); through the {@code podman} command, as the user this JVM runs as, which must be
   * the engine's.
   */
  public static void pinAddressInRootlessNamespace(String bridge) {
    List<String> enter = List.of("podman", "unshare", "--rootless-netns");
    var shown = output(concat(enter, List.of("ip", "-o", "link", "show", "dev", bridge)));
    Optional<String> address = shown.output().flatMap(GatewayBridge::etherAddress);
    Optional<String> failure = address.isEmpty()
        ? Optional.of(shown.failure().orElse("no hardware address in what ip said: " + shown.output().orElse("")))
        : run(concat(enter, List.of("ip", "link", "set", "dev", bridge, "address", address.get())));
    if (failure.isPresent()) {
      LOG.warn("The bridge {} of the run's network, in rootless Podman's network namespace, takes the lowest hardware"
          + " address of its containers' ports, so it changes as they come and go, and the containers lose the"
          + " gateway (Podman's DNS) for seconds each time. Pinning its address failed: {}. Run the tests as the"
          + " engine's user with the podman command on the PATH, or use Podman with netavark 1.9 or later", bridge,
          failure.get());
      return;
    }
    LOG.info("Pinned the hardware address of bridge {} (the run's network, in rootless Podman's network namespace) at"
        + " {}: the engine left it to follow the containers' ports, and containers would lose the gateway for seconds"
        + " whenever it changed", bridge, address.get());
  }

  /** The {@code link/ether} address in a line of {@code ip -o link show}. */
  static Optional<String> etherAddress(String ipLink) {
    String[] words = ipLink.split("\\s+");
    for (int i = 0; i + 1 < words.length; i++) {
      if (words[i].equals("link/ether")) {
        return Optional.of(words[i + 1]);
      }
    }
    return Optional.empty();
  }

  private static List<String> concat(List<String> first, List<String> second) {
    var all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  private static String ipCommand() {
    return IP_COMMANDS.stream().filter(Files::isExecutable).findFirst().map(Path::toString).orElse("ip");
  }

  /** Runs {@code command} to its end (at most 10 s); what went wrong, if anything did. */
  private static Optional<String> run(List<String> command) {
    return output(command).failure();
  }

  /** What a command said, or what went wrong. */
  private record Outcome(Optional<String> output, Optional<String> failure) {
  }

  /** Runs {@code command} to its end (at most 10 s): its output if it exited with 0, else what went wrong. */
  private static Outcome output(List<String> command) {
    String described = String.join(" ", command);
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      // The output is small: read to its end, which comes with the exit (or the kill after 10 s).
      var reading = CompletableFuture.supplyAsync(() -> {
        try {
          return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          return "";
        }
      });
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Outcome(Optional.empty(), Optional.of(described + " did not end within 10 s"));
      }
      String output = reading.join();
      return process.exitValue() == 0 ? new Outcome(Optional.of(output), Optional.empty())
          : new Outcome(Optional.empty(), Optional.of(described + " exited with " + process.exitValue()
              + (output.isEmpty() ? "" : ": " + output)));
    } catch (IOException e) {
      return new Outcome(Optional.empty(), Optional.of(described + " could not run: " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(Optional.empty(), Optional.of("interrupted"));
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
