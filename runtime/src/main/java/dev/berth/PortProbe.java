package dev.berth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * Asks whether a port accepts TCP connections at a container's address on the run's network: the way another
 * container reaches it, never through the published host port (whose proxy accepts connections before the service
 * listens). Needs nothing inside the service's image.
 */
interface PortProbe {

  boolean accepts(String address, int port);

  /** The JVM connects to the container's address itself: fastest, and possible where the engine runs locally. */
  static PortProbe direct() {
    return (address, port) -> {
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress(address, port), 250);
        return true;
      } catch (IOException e) {
        return false;
      }
    };
  }

  /**
   * A probe container on the run's network connects with {@code nc} (exit 0 once connected, since {@code -e true}
   * hangs up at once; busybox's nc has no {@code -z}): works wherever containers run, also where the JVM cannot
   * route to them (Docker Desktop, remote engines).
   */
  static PortProbe exec(DockerBackend backend, String probeContainerId) {
    return (address, port) -> backend.exec(probeContainerId,
        List.of("nc", "-w", "1", address, String.valueOf(port), "-e", "true"), null, Duration.ofSeconds(5),
        "the probe's time limit", "the readiness probe").exitCode() == 0;
  }
}
