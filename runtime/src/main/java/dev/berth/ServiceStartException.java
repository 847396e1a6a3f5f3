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

  /** For Berth's own start failures; {@code message} is the whole message. */
  protected ServiceStartException(String serviceName, String image, int port, Integer exitCode, String message,
      List<String> logTail, Throwable cause) {
    super(message, cause);
    this.serviceName = serviceName;
    this.image = image;
    this.port = port;
    this.exitCode = exitCode;
    this.logTail = List.copyOf(logTail);
  }

  /** A waiter's own copy of a shared start failure: same message and details, the original as cause. */
  protected ServiceStartException(ServiceStartException shared) {
    super(shared.getMessage(), shared);
    this.serviceName = shared.serviceName;
    this.image = shared.image;
    this.port = shared.port;
    this.exitCode = shared.exitCode;
    this.logTail = shared.logTail;
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
