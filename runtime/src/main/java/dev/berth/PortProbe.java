package dev.berth;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks whether a port accepts TCP connections, or how it answers an HTTP request, at a container's address on the
 * run's network: the way another container reaches it, never through the published host port (whose proxy accepts
 * connections before the service listens). Needs nothing inside the service's image.
 */
interface PortProbe {

  /** How long a probe's HTTP request may take: a service that takes longer to answer is not ready. */
  int HTTP_TIMEOUT_SECONDS = 2;
  Pattern STATUS_LINE = Pattern.compile("HTTP/\\d(?:\\.\\d)? (\\d{3})");

  boolean accepts(String address, int port);

  /**
   * Sends {@code GET path} to the address and port (HTTP/1.0, so the service closes the connection after its answer)
   * and returns the answer's status code, or -1 if none came.
   */
  int httpStatus(String address, int port, String path);

  /** The JVM connects to the container's address itself: fastest, and possible where the engine runs locally. */
  static PortProbe direct() {
    return new PortProbe() {
      @Override
      public boolean accepts(String address, int port) {
        try (var socket = new Socket()) {
          socket.connect(new InetSocketAddress(address, port), 250);
          return true;
        } catch (IOException e) {
          return false;
        }
      }

      @Override
      public int httpStatus(String address, int port, String path) {
        try (var socket = new Socket()) {
          socket.connect(new InetSocketAddress(address, port), 250);
          socket.setSoTimeout(HTTP_TIMEOUT_SECONDS * 1000);
          socket.getOutputStream().write(request(address, port, path).getBytes(StandardCharsets.US_ASCII));
          var statusLine = new StringBuilder();
          InputStream in = socket.getInputStream();
          for (int c = in.read(); c != -1 && c != '\n' && statusLine.length() < 200; c = in.read()) {
            statusLine.append((char) c);
          }
          return status(statusLine.toString());
        } catch (IOException e) {
          return -1;
        }
      }
    };
  }

  /** The probe's request: a GET with nothing a service could want more of. */
  static String request(String address, int port, String path) {
    return "GET " + path + " HTTP/1.0\r\nHost: " + address + ":" + port + "\r\nUser-Agent: berth-readiness\r\n"
        + "Accept: */*\r\n\r\n";
  }

  /** The status code of an HTTP status line ({@code HTTP/1.1 200 OK}), or -1 if it is none. */
  static int status(String statusLine) {
    Matcher m = STATUS_LINE.matcher(statusLine);
    return m.lookingAt() ? Integer.parseInt(m.group(1)) : -1;
  }

  /**
   * A probe container on the run's network connects with {@code nc} (exit 0 once connected, since {@code -e true}
   * hangs up at once; busybox's nc has no {@code -z}): works wherever containers run, also where the JVM cannot
   * route to them (Docker Desktop, remote engines).
   */
  static PortProbe exec(DockerBackend backend, String probeContainerId) {
    return new PortProbe() {
      @Override
      public boolean accepts(String address, int port) {
        return run(List.of("nc", "-w", "1", address, String.valueOf(port), "-e", "true")).exitCode() == 0;
      }

      /** The same request through {@code nc}, its answer's first line read back. */
      @Override
      public int httpStatus(String address, int port, String path) {
        return status(run(List.of("sh", "-c",
            "printf '%s' \"$0\" | nc -w " + HTTP_TIMEOUT_SECONDS + " \"$1\" \"$2\" | head -n 1",
            request(address, port, path), address, String.valueOf(port))).stdout().strip());
      }

      private ExecResult run(List<String> command) {
        return backend.exec(probeContainerId, command, null, Duration.ofSeconds(5), "the probe's time limit",
            "the readiness probe");
      }
    };
  }
}
