package dev.berth.internal.run;

import dev.berth.ConnectionInfo;
import dev.berth.ExecResult;
import dev.berth.Service;
import dev.berth.internal.container.RunContainers;
import dev.berth.internal.container.RunningService;
import dev.berth.internal.spec.Connections;
import dev.berth.internal.spec.Definition;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** A lazy {@link Service}: names come from the spec, and anything that needs the container acquires it. */
public final class ServiceHandle implements Service {

  private final ServiceScope scope;
  private final String name;
  private final Definition spec;

  ServiceHandle(ServiceScope scope, String name, Definition spec) {
    this.scope = scope;
    this.name = name;
    this.spec = spec;
  }

  @Override
  public String hostname() {
    return spec.hostname();
  }

  @Override
  public String endpoint() {
    if (spec.exposedPorts().isEmpty()) {
      throw new IllegalStateException("Service '" + name + "' (" + spec.image() + ") exposes no port, so it has"
          + " no endpoint: add one with withExposedPort(...) or ports = ...");
    }
    return endpoint(spec.exposedPorts().get(0));
  }

  @Override
  public String endpoint(int port) {
    requireExposed(port);
    return spec.hostname() + ":" + port;
  }

  @Override
  public String endpoint(int port, String scheme) {
    Objects.requireNonNull(scheme, "scheme");
    return scheme + "://" + endpoint(port);
  }

  @Override
  public InetSocketAddress hostAddress(int port) {
    requireExposed(port);
    return scope.acquire(name, spec).hostAddress(port);
  }

  @Override
  public ConnectionInfo connection() {
    InetSocketAddress address = hostAddress(Connections.mainPort(name, spec));
    return Connections.of(name, spec, address.getHostString(), address.getPort());
  }

  @Override
  public ConnectionInfo connectionFromContainers() {
    return Connections.of(name, spec, spec.hostname(), Connections.mainPort(name, spec));
  }

  @Override
  public void start() {
    scope.acquire(name, spec);
  }

  @Override
  public void stop() {
    scope.stop(name, spec, null);
  }

  @Override
  public void stop(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("The stop timeout of service '" + name + "' is " + timeout + ": give zero"
          + " (kill at once) or a positive duration");
    }
    scope.stop(name, spec, timeout);
  }

  @Override
  public void kill() {
    scope.stop(name, spec, Duration.ZERO);
  }

  @Override
  public String output() {
    return scope.acquire(name, spec).operations().output();
  }

  @Override
  public ExecResult exec(String... command) {
    List<String> checked = RunContainers.command(command);
    return scope.acquire(name, spec).operations().exec(checked);
  }

  @Override
  public String readFile(String path) {
    return new String(readBytes(path), StandardCharsets.UTF_8);
  }

  @Override
  public byte[] readBytes(String path) {
    Objects.requireNonNull(path, "path");
    return scope.acquire(name, spec).operations().readFile(path);
  }

  @Override
  public String digest() {
    return spec.digest();
  }

  @Override
  public boolean isRunning() {
    return scope.isRunning(spec);
  }

  @Override
  public String toString() {
    return "Service " + RunningService.describe(name, spec);
  }

  private void requireExposed(int port) {
    if (!spec.offersPort(port)) {
      throw new IllegalArgumentException(RunningService.notExposed(name, spec, port));
    }
  }
}
