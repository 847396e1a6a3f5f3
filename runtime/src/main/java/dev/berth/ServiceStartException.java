package dev.berth;

import java.util.List;
import java.util.OptionalInt;

/**
 * A service that did not become ready: its container exited, a port did not accept connections within
 * {@code berth.startupTimeout}, or its ready command did not succeed in that time. The message names the service,
 * image and port, the exit code if it exited, the hostname and command it ran with, and the last lines of its log.
 */
public class ServiceStartException extends BerthException {

  private static final long serialVersionUID = 1L;

  private final String serviceName;
  private final String image;
  private final int port;
  private final Integer exitCode;
  private final List<String> logTail;

  ServiceStartException(String serviceName, ServiceSpec spec, int port, Integer exitCode, String problem,
      List<String> logTail, Throwable cause) {
    super(describe(serviceName, spec, port, problem, logTail), cause);
    this.serviceName = serviceName;
    this.image = spec.image();
    this.port = port;
    this.exitCode = exitCode;
    this.logTail = List.copyOf(logTail);
  }

  /** A waiter's own copy of a shared start failure: same message and details, the original as cause. */
  ServiceStartException(ServiceStartException shared) {
    super(shared.getMessage(), shared);
    this.serviceName = shared.serviceName;
    this.image = shared.image;
    this.port = shared.port;
    this.exitCode = shared.exitCode;
    this.logTail = shared.logTail;
  }

  private static String describe(String name, ServiceSpec spec, int port, String problem, List<String> logTail) {
    var s = new StringBuilder("Service '").append(name).append("' (").append(spec.image());
    if (port > 0) {
      s.append(", port ").append(port);
    }
    s.append(") did not start: ").append(problem);
    s.append("\n  ").append(spec.startedAs());
    if (logTail.isEmpty()) {
      s.append("\n  (the container logged nothing)");
    } else {
      s.append("\n  last ").append(logTail.size()).append(" log lines:");
      for (String line : logTail) {
        s.append("\n  | ").append(line);
      }
    }
    return s.toString();
  }

  public String serviceName() {
    return serviceName;
  }

  public String image() {
    return image;
  }

  /** The port that was not ready, or 0 if the container failed before a port was checked. */
  public int port() {
    return port;
  }

  /** The container's exit code, if it exited. */
  public OptionalInt exitCode() {
    return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
  }

  public List<String> logTail() {
    return logTail;
  }
}
