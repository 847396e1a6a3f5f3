package dev.berth.internal.container;

import dev.berth.Protocol;
import dev.berth.internal.dns.DnsEntry;
import dev.berth.internal.net.PublishedPorts;
import dev.berth.internal.spec.Definition;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A started, healthy service container.
 *
 * @param name the name it was first acquired under (loggers and messages use it)
 * @param spec its definition
 * @param containerId the engine's id
 * @param address its address on the run's network
 * @param hostPorts container port to published port
 * @param published where the published ports are, and where this JVM reaches them
 * @param logs its output
 * @param exit completes when the container stops
 * @param logStream closes the log stream
 * @param operations what a handle does in its container, as its kind does it
 */
public record RunningService(String name, Definition spec, String containerId, String address,
    Map<Integer, Integer> hostPorts, PublishedPorts published, LogTail logs, CompletableFuture<Integer> exit,
    Closeable logStream, ServiceOperations operations) {

  public InetSocketAddress hostAddress(int port) {
    Integer published = hostPorts.get(port);
    if (published == null) {
      throw new IllegalArgumentException(notExposed(name, spec, port));
    }
    return this.published.address(published, () -> "port " + port + " of service " + describe());
  }

  /** How messages name it: {@code 'www' (python:3.11-slim, 3f2a1b9c0d4e)}. */
  public String describe() {
    return describe(name, spec);
  }

  public static String describe(String name, Definition spec) {
    return "'" + name + "' (" + spec.image() + ", " + spec.digest().substring(0, 12) + ")";
  }

  /** Says that a service has no such port, and how to expose it. */
  public static String notExposed(String name, Definition spec, int port) {
    return "Service '" + name + "' (" + spec.image() + ") does not expose port " + port + "; exposed ports: "
        + spec.exposedPorts() + ". Add it with withExposedPort(" + port + ") or ports = " + port;
  }

  /** What it publishes in the session's zone. */
  public DnsEntry dnsEntry() {
    var tcp = new ArrayList<Integer>();
    var udp = new ArrayList<Integer>();
    spec.exposedPorts().forEach(port -> (spec.protocol(port) == Protocol.UDP ? udp : tcp).add(port));
    // A service of the test machine has no container, and one registration at a time: its relays.
    String token = containerId != null ? containerId : "relayed";
    return new DnsEntry(spec.digest(), token, name, spec.digestHostname(), spec.globalHostnames(), address, tcp, udp,
        spec.portNames(), exit, describe());
  }
}
