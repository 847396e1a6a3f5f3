package dev.berth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An immutable definition of a service container: image, command, environment, files, exposed ports and the
 * services bound into it. Every {@code with*} method returns a new spec and leaves this one untouched, so specs can
 * be shared freely between test classes and threads.
 *
 * <pre>{@code
 * static final ServiceSpec www = ServiceSpec.from("python:3.11-slim")
 *     .withWorkdir("/srv")
 *     .withNewFile("/srv/index.html", "Hello, world!")
 *     .withExposedPort(8080)
 *     .withCommand("python", "-m", "http.server", "8080");
 * }</pre>
 *
 * <p>A spec's identity is its content: {@link #digest()} hashes a canonical encoding of everything that changes the
 * running container, so equal specs anywhere in a test run share one container, reachable under the deterministic
 * {@link #hostname()}. {@link #equals(Object)} compares digests.
 */
public final class ServiceSpec {

  private static final Pattern HOSTNAME_LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

  private final ImageReference image;
  private final List<Integer> exposedPorts;
  private final List<String> command;
  private final List<String> entrypoint;
  private final SortedMap<String, String> env;
  private final String workdir;
  private final SortedMap<String, byte[]> files;
  private final SortedMap<String, ServiceSpec> bindings;
  private final String instanceId;
  private volatile String digest;

  private ServiceSpec(ImageReference image, List<Integer> exposedPorts, List<String> command, List<String> entrypoint,
      SortedMap<String, String> env, String workdir, SortedMap<String, byte[]> files,
      SortedMap<String, ServiceSpec> bindings, String instanceId) {
    this.image = image;
    this.exposedPorts = exposedPorts;
    this.command = command;
    this.entrypoint = entrypoint;
    this.env = env;
    this.workdir = workdir;
    this.files = files;
    this.bindings = bindings;
    this.instanceId = instanceId;
  }

  /**
   * Starts a spec for an image reference such as {@code "redis:7.0"} or {@code "ghcr.io/org/app@sha256:..."}.
   *
   * @throws IllegalArgumentException if the reference is malformed
   */
  public static ServiceSpec from(String image) {
    return new ServiceSpec(ImageReference.parse(image), List.of(), null, null, Collections.emptySortedMap(), null,
        Collections.emptySortedMap(), Collections.emptySortedMap(), "");
  }

  /**
   * Adds TCP ports the service listens on. Each is published on a random 127.0.0.1 port and must accept
   * connections from inside the run's network before any test that needs the service runs. The first exposed port
   * is the one {@link Service#endpoint()} names.
   */
  public ServiceSpec withExposedPort(int... ports) {
    Objects.requireNonNull(ports, "ports");
    var all = new LinkedHashSet<>(exposedPorts);
    for (int port : ports) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("Exposed port " + port + " of " + image + " is out of range: use 1-65535");
      }
      all.add(port);
    }
    return new ServiceSpec(image, List.copyOf(all), command, entrypoint, env, workdir, files, bindings, instanceId);
  }

  /** Replaces the image's command (Docker's CMD). */
  public ServiceSpec withCommand(String... command) {
    return new ServiceSpec(image, exposedPorts, arguments("command", command), entrypoint, env, workdir, files,
        bindings, instanceId);
  }

  /** Replaces the image's entrypoint (Docker's ENTRYPOINT). */
  public ServiceSpec withEntrypoint(String... entrypoint) {
    return new ServiceSpec(image, exposedPorts, command, arguments("entrypoint", entrypoint), env, workdir, files,
        bindings, instanceId);
  }

  /** Sets an environment variable, replacing an earlier value of the same name. */
  public ServiceSpec withEnv(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (!ENV_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Environment variable name '" + name + "' is invalid: use letters, digits,"
          + " '_', '.' and '-', not starting with a digit");
    }
    var copy = new TreeMap<>(env);
    copy.put(name, value);
    return new ServiceSpec(image, exposedPorts, command, entrypoint, Collections.unmodifiableSortedMap(copy), workdir,
        files, bindings, instanceId);
  }

  /** Sets the working directory of the service's process; an absolute path. */
  public ServiceSpec withWorkdir(String path) {
    return new ServiceSpec(image, exposedPorts, command, entrypoint, env, absolutePath("workdir", path), files,
        bindings, instanceId);
  }

  /**
   * Writes a file (UTF-8, mode 0644) into the container before it starts, replacing an earlier file at the same
   * path. Missing parent directories are created.
   */
  public ServiceSpec withNewFile(String path, String contents) {
    Objects.requireNonNull(contents, "contents");
    return withNewFile(path, contents.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a file (mode 0644) with the given bytes into the container before it starts. */
  public ServiceSpec withNewFile(String path, byte[] contents) {
    Objects.requireNonNull(contents, "contents");
    String file = absolutePath("file", path);
    if (file.endsWith("/")) {
      throw new IllegalArgumentException("File path '" + path + "' names a directory: give a file name");
    }
    var copy = new TreeMap<>(files);
    copy.put(file, contents.clone());
    return new ServiceSpec(image, exposedPorts, command, entrypoint, env, workdir,
        Collections.unmodifiableSortedMap(copy), bindings, instanceId);
  }

  /**
   * Binds another service into this one: it starts first and this container's {@code /etc/hosts} resolves
   * {@code alias} to it. Replaces an earlier binding under the same alias.
   */
  public ServiceSpec withServiceBinding(String alias, ServiceSpec service) {
    Objects.requireNonNull(service, "service");
    requireHostname("Alias", alias);
    var copy = new TreeMap<>(bindings);
    copy.put(alias, service);
    return new ServiceSpec(image, exposedPorts, command, entrypoint, env, workdir, files,
        Collections.unmodifiableSortedMap(copy), instanceId);
  }

  /** Distinguishes otherwise equal specs, so that each instance id runs its own container. */
  public ServiceSpec withInstanceId(String instanceId) {
    Objects.requireNonNull(instanceId, "instanceId");
    return new ServiceSpec(image, exposedPorts, command, entrypoint, env, workdir, files, bindings, instanceId);
  }

  /** The hex SHA-256 of this spec's canonical encoding; equal definitions have equal digests. */
  public String digest() {
    String d = digest;
    if (d == null) {
      d = SpecEncoding.digest(this);
      digest = d;
    }
    return d;
  }

  /**
   * The service's hostname on the run's network: {@code berth-} and the first 16 hex digits of the digest. It is
   * the same on every run for the same definition.
   */
  public String hostname() {
    return "berth-" + digest().substring(0, 16);
  }

  /** The image reference as given (normalised: {@code redis} becomes {@code redis:latest}). */
  public String image() {
    return image.toString();
  }

  public List<Integer> exposedPorts() {
    return exposedPorts;
  }

  public Optional<List<String>> command() {
    return Optional.ofNullable(command);
  }

  public Optional<List<String>> entrypoint() {
    return Optional.ofNullable(entrypoint);
  }

  public Map<String, String> env() {
    return env;
  }

  public Optional<String> workdir() {
    return Optional.ofNullable(workdir);
  }

  /** The services bound into this one, by alias. */
  public Map<String, ServiceSpec> serviceBindings() {
    return bindings;
  }

  public String instanceId() {
    return instanceId;
  }

  ImageReference imageReference() {
    return image;
  }

  /** The files to write, by absolute path; callers must not modify the arrays. */
  SortedMap<String, byte[]> files() {
    return files;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ServiceSpec that && digest().equals(that.digest());
  }

  @Override
  public int hashCode() {
    return digest().hashCode();
  }

  @Override
  public String toString() {
    var s = new StringBuilder("ServiceSpec[").append(image);
    if (!exposedPorts.isEmpty()) {
      s.append(", ports=").append(exposedPorts);
    }
    if (command != null) {
      s.append(", command=").append(command);
    }
    if (!bindings.isEmpty()) {
      s.append(", bindings=").append(bindings.keySet());
    }
    if (!instanceId.isEmpty()) {
      s.append(", instance=").append(instanceId);
    }
    return s.append(", digest=").append(digest(), 0, 12).append(']').toString();
  }

  /** Checks that a name is a valid hostname label (RFC 1123, lowercase), as aliases must be. */
  static String requireHostname(String what, String name) {
    Objects.requireNonNull(name, what.toLowerCase(java.util.Locale.ROOT));
    if (!HOSTNAME_LABEL.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " '" + name + "' is not a valid hostname: use 1-63 lowercase"
          + " letters, digits and '-', starting and ending with a letter or digit");
    }
    return name;
  }

  private static List<String> arguments(String what, String... args) {
    Objects.requireNonNull(args, what);
    if (args.length == 0) {
      throw new IllegalArgumentException("An empty " + what + " was given: pass at least the executable");
    }
    var list = new ArrayList<String>(args.length);
    for (String arg : Arrays.asList(args)) {
      list.add(Objects.requireNonNull(arg, () -> what + " argument " + list.size() + " is null"));
    }
    return List.copyOf(list);
  }

  private static String absolutePath(String what, String path) {
    Objects.requireNonNull(path, what);
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("The " + what + " path '" + path + "' is relative: give an absolute path");
    }
    return path;
  }
}
