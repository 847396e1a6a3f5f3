package dev.berth.internal.container;

import dev.berth.ExecResult;
import dev.berth.internal.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
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

  /**
   * Connects, sends the handshake's hello and reads the answer until the handshake can judge it, the server hangs
   * up, {@link Handshake#ANSWER_LIMIT} bytes came or {@link #HTTP_TIMEOUT_SECONDS} passed; null if the port does not
   * accept connections.
   */
  Handshake.Verdict exchange(String address, int port, Handshake handshake);

  /** The JVM connects to the container's address itself: fastest, and possible where the engine runs locally. */
  static PortProbe direct() {
    return new PortProbe() {
      @Override
      public boolean accepts(String address, int port) {
        return acceptsDirect(new InetSocketAddress(address, port), 250);
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

      @Override
      public Handshake.Verdict exchange(String address, int port, Handshake handshake) {
        return exchangeDirect(new InetSocketAddress(address, port), handshake, HTTP_TIMEOUT_SECONDS * 1000);
      }
    };
  }

  /** Whether the JVM's own connection to {@code address} is accepted within {@code timeoutMillis}. */
  static boolean acceptsDirect(InetSocketAddress address, int timeoutMillis) {
    try (var socket = new Socket()) {
      socket.connect(address, timeoutMillis);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The JVM's own exchange: connects (within 250 ms), sends the hello and reads until the handshake can judge the
   * answer, the server hangs up, the limit is reached or {@code timeoutMillis} passed; null if nothing accepts.
   */
  static Handshake.Verdict exchangeDirect(InetSocketAddress address, Handshake handshake, int timeoutMillis) {
    try (var socket = new Socket()) {
      try {
        socket.connect(address, Math.min(250, timeoutMillis));
      } catch (IOException refused) {
        return null;
      }
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      byte[] hello = handshake.hello();
      if (hello.length > 0) {
        socket.getOutputStream().write(hello);
      }
      InputStream in = socket.getInputStream();
      byte[] answer = new byte[Handshake.ANSWER_LIMIT];
      int length = 0;
      while (length < answer.length) {
        int read = in.read(answer, length, answer.length - length);
        if (read < 0) {
          break;
        }
        length += read;
        Handshake.Verdict verdict = handshake.judge(Arrays.copyOf(answer, length), false);
        if (verdict != null) {
          return verdict;
        }
      }
      return handshake.judge(Arrays.copyOf(answer, length), true);
    } catch (SocketTimeoutException e) {
      return Handshake.Verdict.notYet("no answer within " + timeoutMillis + " ms");
    } catch (IOException e) {
      return Handshake.Verdict.notYet("the connection failed: " + e.getMessage());
    }
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
  static PortProbe exec(Engine backend, String probeContainerId) {
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

      /**
       * The hello as octal escapes (so no byte of it is taken for a format), through {@code nc}, which half-closes
       * once it is sent: each protocol's server then answers and hangs up. The answer comes back as hex, its exit
       * status on standard error.
       */
      @Override
      public Handshake.Verdict exchange(String address, int port, Handshake handshake) {
        var hello = new StringBuilder();
        for (byte b : handshake.hello()) {
          hello.append(String.format("\\%03o", b & 0xff));
        }
        ExecResult result = run(List.of("sh", "-c", "{ printf \"$0\" | nc -w " + HTTP_TIMEOUT_SECONDS
            + " \"$1\" \"$2\"; echo \"exit $?\" >&2; } | head -c " + Handshake.ANSWER_LIMIT + " | od -An -v -tx1",
            hello.toString(), address, String.valueOf(port)));
        if (!result.stderr().contains("exit 0")) {
          return null;
        }
        return handshake.judge(HexFormat.of().parseHex(result.stdout().replaceAll("\\s+", "")), true);
      }

      private ExecResult run(List<String> command) {
        return backend.exec(probeContainerId, command, null, Duration.ofSeconds(5), "the probe's time limit",
            "the readiness probe");
      }
    };
  }
}
