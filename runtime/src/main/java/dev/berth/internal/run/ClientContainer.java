package dev.berth.internal.run;

import dev.berth.BerthException;
import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.internal.container.RunContainers;
import dev.berth.internal.container.ServiceDeath;
import dev.berth.internal.engine.Engine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A test's client container; it holds its bound services until it is closed. Once one of them dies (or one they
 * bind), its execs fail at once, naming the service, and the container is killed: what it runs needs the service.
 */
final class ClientContainer implements Container {

  private final RunContainers containers;
  private final String id;
  private final String description;
  private final String workdir;
  private final ServiceScope bindings;
  private final CompletableFuture<ServiceDeath> bindingDeath;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean killed = new AtomicBoolean();

  /** @param bindingDeath completes when a service the client binds dies (see {@link ServiceScope#death()}) */
  ClientContainer(RunContainers containers, String id, String description, String workdir, ServiceScope bindings,
      CompletableFuture<ServiceDeath> bindingDeath) {
    this.containers = containers;
    this.id = id;
    this.description = description;
    this.workdir = workdir;
    this.bindings = bindings;
    this.bindingDeath = bindingDeath;
  }

  @Override
  public ExecResult exec(String... command) {
    List<String> checked = RunContainers.command(command);
    requireOpen();
    try {
      return containers.exec(id, checked, workdir, description, "Use an image that has '" + checked.get(0)
          + "' (@ClientContainer(image = ...)), or give its full path", bindingDeath);
    } catch (Engine.ExecAbandoned e) {
      if (killed.compareAndSet(false, true)) {
        containers.kill(id);
      }
      throw new BerthException(e.getMessage() + ": its binding " + bindingDeath.join().describe(), e);
    }
  }

  @Override
  public String readFile(String path) {
    return new String(readBytes(path), StandardCharsets.UTF_8);
  }

  @Override
  public byte[] readBytes(String path) {
    Objects.requireNonNull(path, "path");
    requireOpen();
    return containers.readFile(id, path, description);
  }

  @Override
  public void writeFile(String path, String contents) {
    Objects.requireNonNull(contents, "contents");
    writeFile(path, contents.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void writeFile(String path, byte[] contents) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(contents, "contents");
    if (!path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalArgumentException("writeFile needs the absolute path of a file, such as \"/work/input.txt\";"
          + " got '" + path + "'");
    }
    requireOpen();
    containers.writeFile(id, path, contents, description);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        containers.remove(id);
      } finally {
        bindings.close();
      }
    }
  }

  @Override
  public String toString() {
    return description;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException(description + " was removed at the end of its test; use clients only"
          + " inside the test that received them");
    }
  }
}
