package dev.berth;

import dev.berth.internal.spec.Definition.Draft;
import dev.berth.internal.spec.Definition.ReadyHttp;
import dev.berth.internal.spec.Definition.ReadyLogLine;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.FileTree;
import dev.berth.internal.spec.ImageBuild;
import dev.berth.internal.spec.ImageReference;
import dev.berth.internal.spec.Labels;
import dev.berth.internal.spec.SpecAccess;
import dev.berth.internal.spec.SpecEncoding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
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

  private static final Pattern VOLUME_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
  private static final Pattern TMPFS_OPTIONS = Pattern.compile("([a-zA-Z0-9_.:=+-]+(,[a-zA-Z0-9_.:=+-]+)*)?");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  /** The mode of a file written into a container unless it is given another. */
  private static final int DEFAULT_FILE_MODE = Definition.DEFAULT_FILE_MODE;
  private static final int EXECUTABLE_FILE_MODE = 0755;

  static {
    SpecAccess.install(spec -> spec.definition);
  }

  /** This spec's values: filled in while a {@code with*} method derives the spec, never changed after. */
  private final Draft values;
  /** What internals read: the same values, kept apart from the builder. */
  private final Definition definition;

  private ServiceSpec(Draft values) {
    this.values = values;
    this.definition = new Definition(values);
  }

  /** A new spec: this one's values, changed by {@code change}. */
  private ServiceSpec derive(Consumer<Draft> change) {
    var next = new Draft(values);
    change.accept(next);
    return new ServiceSpec(next);
  }

  /**
   * Starts a spec for an image reference such as {@code "redis:7.0"} or {@code "ghcr.io/org/app@sha256:..."}.
   *
   * @throws IllegalArgumentException if the reference is malformed
   */
  public static ServiceSpec from(String image) {
    var values = new Draft();
    values.image = ImageReference.parse(image);
    return new ServiceSpec(values);
  }

  /**
   * Starts a spec for an image built from {@code context/Dockerfile}, such as the image of the application under
   * test: {@code ServiceSpec.fromDockerfile(Path.of("src/test/docker/app"))}. The context is read now, leaving out
   * what its {@code .dockerignore} does; the Dockerfile and every file the build sees are part of the definition, so
   * a changed file makes a new definition and image. The image is built when a test first needs it (once per
   * engine: it is tagged {@code berth-build:<digest>} and kept, labelled {@code dev.berth.build=true}), with
   * {@code berth.pullTimeout} as its time limit.
   *
   * @throws IllegalArgumentException if {@code context} is not a directory or holds no Dockerfile
   * @throws UncheckedIOException if a file of the context cannot be read
   */
  public static ServiceSpec fromDockerfile(Path context) {
    return fromDockerfile(context, "Dockerfile");
  }

  /**
   * As {@link #fromDockerfile(Path)}, with the Dockerfile at another path in the context:
   * {@code fromDockerfile(Path.of("."), "src/test/docker/app.Dockerfile")}.
   */
  public static ServiceSpec fromDockerfile(Path context, String dockerfile) {
    given(context, "ServiceSpec.fromDockerfile", "context", "a new spec");
    given(dockerfile, "ServiceSpec.fromDockerfile", "dockerfile", "a new spec");
    var values = new Draft();
    values.build = ImageBuild.read(context, dockerfile);
    values.image = values.build.image();
    return new ServiceSpec(values);
  }

  /**
   * Sets a build argument of an image built from a Dockerfile ({@code ARG name} in it), replacing an earlier value;
   * part of the definition, as the image depends on it. Not for secrets: the values are in the image's history.
   */
  public ServiceSpec withBuildArg(String name, String value) {
    ImageBuild build = requireBuild("withBuildArg");
    namedValue("withBuildArg", "build argument", name, value);
    if (!ENV_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Build argument name '" + name + "' is invalid: use letters, digits, '_',"
          + " '.' and '-', not starting with a digit, as the Dockerfile's ARG line names it");
    }
    return withBuild(build.withArg(name, value));
  }

  /** Builds a multi-stage Dockerfile up to the stage named {@code stage} ({@code FROM ... AS stage}). */
  public ServiceSpec withBuildTarget(String stage) {
    ImageBuild build = requireBuild("withBuildTarget");
    given(stage, "withBuildTarget", "stage");
    if (stage.isEmpty() || !isVisibleAscii(stage)) {
      throw new IllegalArgumentException("Build target '" + stage + "' is not a stage name: give the name after AS"
          + " in the Dockerfile's FROM line");
    }
    return withBuild(build.withTarget(stage));
  }

  private ServiceSpec withBuild(ImageBuild build) {
    return derive(v -> {
      v.build = build;
      v.image = build.image();
    });
  }

  private ImageBuild requireBuild(String method) {
    if (values.build == null) {
      throw new IllegalStateException(method + "(...) sets how an image is built, but " + image() + " is not built"
          + " here: start the spec with ServiceSpec.fromDockerfile(context)");
    }
    return values.build;
  }

  /**
   * A service that already listens on the test machine, such as a database the test started itself, made
   * reachable from the run's containers under its alias, its {@link #hostname()} and the same port: bound as
   * {@code "db"}, {@code ServiceSpec.host("tcp://localhost:3306")} answers at {@code db:3306}. It works when the
   * service listens on 127.0.0.1 only, and needs no helper image: the test JVM relays the connections. Without a
   * port ({@code tcp://localhost}), {@link #withRelayedPort} names the ports.
   *
   * @param address {@code tcp://host:port}, or {@code tcp://host}
   * @throws IllegalArgumentException if the address is neither
   */
  public static ServiceSpec host(String address) {
    given(address, "ServiceSpec.host", "address", "a new spec");
    URI target;
    try {
      target = new URI(address.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Host service address '" + address + "' is not a URI: use tcp://host:port,"
          + " for example tcp://localhost:3306", e);
    }
    if (!"tcp".equals(target.getScheme()) || target.getHost() == null || target.getPort() == 0
        || (target.getPath() != null && !target.getPath().isEmpty())) {
      throw new IllegalArgumentException("Host service address '" + address + "' must be tcp://host:port, for"
          + " example tcp://localhost:3306, or tcp://host with withRelayedPort(...)");
    }
    var values = new Draft();
    values.hostTarget = target;
    if (target.getPort() > 0) {
      values.exposedPorts.add(target.getPort());
    }
    return new ServiceSpec(values);
  }

  /**
   * Offers a port of a service on the test machine ({@link #host}) to the run's containers on another port: with
   * {@code ServiceSpec.host("tcp://localhost").withRelayedPort(5432, 54321)} containers connect to port 5432 of its
   * hostname or alias, and the test JVM relays to port 54321 of localhost. Several calls offer several ports;
   * replaces an earlier host port for the same port.
   */
  public ServiceSpec withRelayedPort(int port, int hostPort) {
    if (values.hostTarget == null) {
      throw new IllegalStateException("withRelayedPort(...) offers a port of a service on the test machine, but "
          + image() + " is a container: start the spec with ServiceSpec.host(\"tcp://localhost\")");
    }
    requirePort("Relayed port", port);
    requirePort("Host port", hostPort);
    return derive(v -> {
      v.exposedPorts.add(port);
      v.relayedPorts.put(port, hostPort);
    });
  }

  /**
   * Adds TCP ports the service listens on. Each is published on a random 127.0.0.1 port and must be ready before any
   * test that needs the service runs: it must answer its {@link Protocol} from inside the run's network (the one its
   * image is known for on that port, else a connection is enough). The first exposed port is the one
   * {@link Service#endpoint()} names.
   */
  public ServiceSpec withExposedPort(int... ports) {
    requireContainer("withExposedPort");
    given(ports, "withExposedPort", "ports");
    for (int port : ports) {
      requirePort("Exposed port", port);
    }
    return derive(v -> Arrays.stream(ports).forEach(v.exposedPorts::add));
  }

  /**
   * Adds a port the service speaks {@code protocol} on, replacing an earlier protocol of the port: the port is ready
   * once it answers that protocol's first exchange the way a server that serves does
   * ({@code withExposedPort(5432, Protocol.POSTGRES)} waits out "the database system is starting up").
   * {@link Protocol#UDP} publishes a UDP port, which is never waited for.
   */
  public ServiceSpec withExposedPort(int port, Protocol protocol) {
    requireContainer("withExposedPort");
    requirePort("Exposed port", port);
    given(protocol, "withExposedPort", "protocol");
    if (protocol == Protocol.UDP && values.hostPorts.containsKey(port)) {
      throw new IllegalArgumentException("Port " + port + " of " + image() + " is published on fixed host port "
          + values.hostPorts.get(port) + " (withHostPort), which is for TCP ports: a UDP port is published on a"
          + " random one");
    }
    return derive(v -> {
      v.exposedPorts.add(port);
      v.protocols.put(port, protocol);
    });
  }

  /**
   * Adds TCP ports that are published but not waited for: a port the service opens only later (an admin port, a
   * port a test makes it open), or never. A test that needs the service may run before it accepts connections.
   */
  public ServiceSpec withUncheckedPort(int... ports) {
    requireContainer("withUncheckedPort");
    given(ports, "withUncheckedPort", "ports");
    for (int port : ports) {
      requirePort("Unchecked port", port);
    }
    return derive(v -> Arrays.stream(ports).forEach(port -> {
      v.exposedPorts.add(port);
      v.uncheckedPorts.add(port);
    }));
  }

  /**
   * Names a port (exposing it if needed), replacing an earlier name of it: besides the service's SRV records, which
   * list all its ports, {@code _<portName>._<name>._tcp} ({@code ._udp} for a UDP port) lists that port alone, so that
   * a client finds one port of a service with several, such as {@code _admin._web._tcp}. A name is a DNS label:
   * lowercase letters, digits and '-', at most 63; one port per name.
   */
  public ServiceSpec withPortName(int port, String name) {
    requireContainer("withPortName");
    requirePort("Named port", port);
    given(name, "withPortName", "name");
    if (!PORT_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Port name '" + name + "' of port " + port + " of " + image() + " is not a"
          + " DNS label: use lowercase letters, digits and '-' (not first or last), at most 63, such as \"admin\"");
    }
    values.portNames.forEach((other, taken) -> {
      if (taken.equals(name) && other != port) {
        throw new IllegalArgumentException("Port name '" + name + "' of " + image() + " names port " + other
            + " already: give port " + port + " a name of its own");
      }
    });
    return derive(v -> {
      v.exposedPorts.add(port);
      v.portNames.put(port, name);
    });
  }

  /**
   * Publishes an exposed port (exposing it if needed) on a fixed port of 127.0.0.1 instead of a random one, for
   * tools outside the test that expect a known address. The run fails fast if the host port is taken.
   */
  public ServiceSpec withHostPort(int hostPort, int containerPort) {
    requireContainer("withHostPort");
    requirePort("Host port", hostPort);
    requirePort("Exposed port", containerPort);
    if (values.protocols.get(containerPort) == Protocol.UDP) {
      throw new IllegalArgumentException("Port " + containerPort + " of " + image() + " is a UDP port, which is"
          + " published on a random host port: withHostPort publishes TCP ports");
    }
    values.hostPorts.forEach((container, host) -> {
      if (host == hostPort && container != containerPort) {
        throw new IllegalArgumentException("Host port " + hostPort + " of " + image() + " already publishes port "
            + container + "; one host port can publish one container port");
      }
    });
    return derive(v -> {
      v.exposedPorts.add(containerPort);
      v.hostPorts.put(containerPort, hostPort);
    });
  }

  /**
   * A command that says when the service is ready, for services whose open port does not: once every exposed port
   * accepts connections, Berth runs it in the service's container until it exits with 0 (within
   * {@code berth.startupTimeout}), and only then does a test that needs the service run. PostgreSQL, for one, opens
   * its port while it still starts up and turns connections away ("the database system is starting up"):
   * {@code .withReadyCommand("pg_isready", "-h", "127.0.0.1")}. Part of the definition and its digest; replaces an
   * earlier ready command or {@link #withReadyHealthcheck}.
   */
  public ServiceSpec withReadyCommand(String... command) {
    requireContainer("withReadyCommand");
    List<String> args = arguments("ready command", command);
    return derive(v -> {
      v.readyCommand = args;
      v.readyHealthcheck = false;
    });
  }

  /**
   * The image's own {@code HEALTHCHECK} says when the service is ready: once every exposed port accepts connections,
   * Berth runs the image's health-check command in the container as it runs a {@link #withReadyCommand ready command}
   * (right away, and 20 ms after each failed run), not at the check's interval, which is 30 seconds unless the image
   * sets another. The shell form runs with {@code /bin/sh -c}. An image without a {@code HEALTHCHECK} (or with
   * {@code HEALTHCHECK NONE}) fails the start. Part of the definition and its digest; replaces an earlier ready
   * command.
   */
  public ServiceSpec withReadyHealthcheck() {
    requireContainer("withReadyHealthcheck");
    return derive(v -> {
      v.readyHealthcheck = true;
      v.ignoreHealthcheck = false;
      v.readyCommand = null;
    });
  }

  /**
   * Ignores the image's {@code HEALTHCHECK}, which otherwise says when a service without a ready command is ready:
   * for a check that tests more than the tests need, or takes long to pass. Part of the definition and its digest;
   * replaces {@link #withReadyHealthcheck}.
   */
  public ServiceSpec withoutReadyHealthcheck() {
    requireContainer("withoutReadyHealthcheck");
    return derive(v -> {
      v.ignoreHealthcheck = true;
      v.readyHealthcheck = false;
    });
  }

  /**
   * A line of the service's output that says it is ready, for images whose open port does not and that have no
   * command to ask with (no shell, say): once every exposed port accepts connections, Berth waits until a line of
   * the container's output (stdout or stderr, counted from its start) contains a match of {@code regex}, within the
   * startup timeout. Part of the definition and its digest; replaces an earlier one.
   */
  public ServiceSpec withReadyLogLine(String regex) {
    return withReadyLogLine(regex, 1);
  }

  /**
   * Waits for {@code times} such lines: PostgreSQL, for one, says "ready to accept connections" once for its
   * initialisation and again when it is up for good.
   */
  public ServiceSpec withReadyLogLine(String regex, int times) {
    requireContainer("withReadyLogLine");
    given(regex, "withReadyLogLine", "regex");
    try {
      Pattern.compile(regex);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new IllegalArgumentException("The ready log line '" + regex + "' of " + image() + " is not a regular"
          + " expression: " + e.getDescription() + " (at index " + e.getIndex() + ")", e);
    }
    if (regex.isEmpty() || times < 1) {
      throw new IllegalArgumentException("The ready log line of " + image() + " needs a non-empty regular expression"
          + " and times >= 1; got '" + regex + "', " + times);
    }
    return derive(v -> v.readyLogLine = new ReadyLogLine(regex, times));
  }

  /**
   * An HTTP request that says when the service is ready, for services whose open port does not (an application
   * that listens before it can serve, say), needing nothing in the image: once every exposed port accepts
   * connections, Berth sends {@code GET path} to the container's {@code port} from inside the network, the way other
   * containers reach it, until the answer's status is 2xx, within the startup timeout. A redirect is not followed
   * and does not count. Part of the definition and its digest; replaces an earlier one.
   *
   * <pre>{@code ServiceSpec.from("my/app:1").withExposedPort(8080).withReadyHttp(8080, "/actuator/health")}</pre>
   */
  public ServiceSpec withReadyHttp(int port, String path) {
    requireContainer("withReadyHttp");
    given(path, "withReadyHttp", "path");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("The ready HTTP port of " + image() + " is " + port + ": give the"
          + " container's port (1-65535) the service answers HTTP on");
    }
    if (!path.startsWith("/") || !isVisibleAscii(path)) {
      throw new IllegalArgumentException("The ready HTTP path of " + image() + " is '" + path + "': give the path"
          + " and query of a URL, starting with '/' and without spaces (percent-encode them), such as \"/health\"");
    }
    return derive(v -> v.readyHttp = new ReadyHttp(port, path));
  }

  /**
   * Keeps this service out of {@code berth.reuse}: it starts fresh for each run and is removed at its end, as without
   * reuse. Part of the definition: such a service has a container of its own, apart from a reused one of its kind.
   */
  public ServiceSpec withoutReuse() {
    requireContainer("withoutReuse");
    return derive(v -> v.noReuse = true);
  }

  /**
   * A command run in the service when a run attaches to it after an earlier run left it up ({@code berth.reuse}), to
   * reset what the earlier runs left in it: {@code withResetCommand("redis-cli", "FLUSHALL")}, or
   * {@code ("psql", "-U", "postgres", "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public")}. It must exit with
   * 0, or the attach fails. Not part of the definition (it does not change the container); replaces an earlier one.
   */
  public ServiceSpec withResetCommand(String... command) {
    requireContainer("withResetCommand");
    List<String> checked = arguments("reset command", command);
    return derive(v -> v.resetCommand = checked);
  }

  /**
   * How long this service may take, once its image is present, until every port accepts connections and its ready
   * checks pass: for the one slow image of a suite, in place of {@code berth.startupTimeout}. Not part of the
   * definition (it does not change the container): specs that differ only in it share a container, and the one that
   * starts it decides.
   */
  public ServiceSpec withStartupTimeout(Duration timeout) {
    requireContainer("withStartupTimeout");
    given(timeout, "withStartupTimeout", "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("The startup timeout of " + image() + " is " + timeout + ": give a positive"
          + " duration, for example Duration.ofMinutes(2)");
    }
    return derive(v -> v.startupTimeout = timeout);
  }

  /**
   * Runs the container's processes as {@code user} instead of the image's user, as {@code docker run --user} does:
   * a name the image knows, or {@code uid[:gid]} ({@code "1000"}, {@code "1000:1000"}), to see what a service does
   * without root, say. Part of the definition and its digest; replaces an earlier one.
   */
  public ServiceSpec withUser(String user) {
    requireContainer("withUser");
    given(user, "withUser", "user");
    if (user.isEmpty() || !isVisibleAscii(user)) {
      throw new IllegalArgumentException("The user of " + image() + " is '" + user + "': give a user name the image"
          + " knows, or uid[:gid] such as \"1000:1000\"");
    }
    return derive(v -> v.user = user);
  }

  /**
   * The size of the container's {@code /dev/shm}, in bytes, in place of the engine's 64 MiB: PostgreSQL's parallel
   * queries over large tables, for one, fail with "could not resize shared memory segment" without more. Part of the
   * definition and its digest; replaces an earlier size.
   */
  public ServiceSpec withShmSize(long bytes) {
    requireContainer("withShmSize");
    if (bytes <= 0) {
      throw new IllegalArgumentException("The /dev/shm size of " + image() + " is " + bytes + " bytes: give a"
          + " positive size, for example 256L << 20 for 256 MiB");
    }
    return derive(v -> v.shmSize = bytes);
  }

  /**
   * Puts a label on the service's container, replacing an earlier value of the same key, for tools that find
   * containers by label. Part of the definition and its digest. Keys under {@code dev.berth} are Berth's own, which
   * its cleanup relies on.
   */
  public ServiceSpec withLabel(String key, String value) {
    requireContainer("withLabel");
    namedValue("withLabel", "label", key, value);
    if (key.isEmpty() || !isVisibleAscii(key)) {
      throw new IllegalArgumentException("Label key '" + key + "' of " + image() + " is not a label key: use"
          + " printable characters without spaces, such as \"com.example.team\"");
    }
    if (key.equals(Labels.BERTH) || key.startsWith(Labels.BERTH + ".")) {
      throw new IllegalArgumentException("Label key '" + key + "' of " + image() + " is reserved: keys under "
          + Labels.BERTH + " are Berth's own, which its cleanup relies on; choose a key of your own");
    }
    return derive(v -> v.labels.put(key, value));
  }

  /** Replaces the image's command (Docker's CMD). */
  public ServiceSpec withCommand(String... command) {
    requireContainer("withCommand");
    List<String> args = arguments("command", command);
    return derive(v -> v.command = args);
  }

  /** Replaces the image's entrypoint (Docker's ENTRYPOINT). */
  public ServiceSpec withEntrypoint(String... entrypoint) {
    requireContainer("withEntrypoint");
    List<String> args = arguments("entrypoint", entrypoint);
    return derive(v -> v.entrypoint = args);
  }

  /** Sets an environment variable, replacing an earlier value of the same name. */
  public ServiceSpec withEnv(String name, String value) {
    requireContainer("withEnv");
    namedValue("withEnv", "environment variable", name, value);
    if (!ENV_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Environment variable name '" + name + "' is invalid: use letters, digits,"
          + " '_', '.' and '-', not starting with a digit");
    }
    return derive(v -> v.env.put(name, value));
  }

  /** Sets the working directory of the service's process; an absolute path. */
  public ServiceSpec withWorkdir(String path) {
    requireContainer("withWorkdir");
    String dir = absolutePath("workdir", path);
    return derive(v -> v.workdir = dir);
  }

  /**
   * Writes a file (UTF-8, mode 0644) into the container before it starts, replacing an earlier file at the same
   * path. Missing parent directories are created.
   */
  public ServiceSpec withNewFile(String path, String contents) {
    return withNewFile(path, contents, DEFAULT_FILE_MODE);
  }

  /**
   * Writes a file (UTF-8) with a POSIX mode, such as {@code 0755} for a script the service runs:
   * {@code withNewFile("/bin/app", "#!/bin/sh\n...", 0755).withEntrypoint("/bin/app")}. A mode other than 0644 is
   * part of the definition and its digest.
   */
  public ServiceSpec withNewFile(String path, String contents, int mode) {
    given(contents, "withNewFile", "contents");
    return withNewFile(path, contents.getBytes(StandardCharsets.UTF_8), mode);
  }

  /** Writes a file (mode 0644) with the given bytes into the container before it starts. */
  public ServiceSpec withNewFile(String path, byte[] contents) {
    return withNewFile(path, contents, DEFAULT_FILE_MODE);
  }

  /** Writes a file with the given bytes and POSIX mode ({@code 0755}, say) into the container before it starts. */
  public ServiceSpec withNewFile(String path, byte[] contents, int mode) {
    requireContainer("withNewFile");
    given(contents, "withNewFile", "contents");
    String file = absolutePath("file", path);
    if (file.endsWith("/")) {
      throw new IllegalArgumentException("File path '" + path + "' names a directory: give a file name");
    }
    requireFileMode(file, mode);
    values.tmpfs.keySet().forEach(m -> requireVisible(file, m));
    byte[] copy = contents.clone();
    return derive(v -> {
      v.files.put(file, copy);
      if (mode == DEFAULT_FILE_MODE) {
        v.fileModes.remove(file);
      } else {
        v.fileModes.put(file, mode);
      }
    });
  }

  private void requireFileMode(String file, int mode) {
    if (mode < 0 || mode > 07777) {
      throw new IllegalArgumentException("The mode of file " + file + " in " + image() + " is " + mode + " (octal "
          + Integer.toOctalString(mode) + "): give a POSIX mode from 0 to 07777 as a Java octal literal, such as"
          + " 0755");
    }
  }

  /**
   * Writes a copy of a file of the test machine, or of a directory and everything under it, into the container before
   * it starts: {@code withCopyOf("/docker-entrypoint-initdb.d", Path.of("src/test/sql"))}. The files are read now and
   * become part of the definition, exactly as {@link #withNewFile} would make them: a changed file makes a new
   * definition. A file that is executable here (by its owner) gets mode 0755 there, any other 0644. A directory's
   * files keep their paths relative to it under {@code path}.
   *
   * @throws UncheckedIOException if {@code source} is missing or cannot be read, naming it
   */
  public ServiceSpec withCopyOf(String path, Path source) {
    return copying(path, source, null);
  }

  /** As {@link #withCopyOf(String, Path)}, with one POSIX mode ({@code 0755}, say) for every file copied. */
  public ServiceSpec withCopyOf(String path, Path source, int mode) {
    return copying(path, source, mode);
  }

  /** {@code mode} null: each file's mode follows whether it is executable here. */
  private ServiceSpec copying(String path, Path source, Integer mode) {
    requireContainer("withCopyOf");
    given(source, "withCopyOf", "source");
    String target = absolutePath("copy", path);
    Map<String, Path> copies = new TreeMap<>();
    ServiceSpec spec = this;
    try {
      if (Files.isDirectory(source)) {
        for (String relative : FileTree.relativeFiles(source)) {
          copies.put((target.endsWith("/") ? target : target + "/") + relative, source.resolve(relative));
        }
      } else {
        copies.put(target, source);
      }
      for (Map.Entry<String, Path> copy : copies.entrySet()) {
        int fileMode = mode != null ? mode
            : FileTree.isExecutable(copy.getValue()) ? EXECUTABLE_FILE_MODE : DEFAULT_FILE_MODE;
        spec = spec.withNewFile(copy.getKey(), Files.readAllBytes(copy.getValue()), fileMode);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy " + source.toAbsolutePath() + " into " + image() + " at " + target
          + ": " + (e instanceof NoSuchFileException ? "no such file or directory" : e.toString())
          + " (a relative path is resolved against the working directory, " + Path.of("").toAbsolutePath() + ")",
          e);
    }
    return spec;
  }

  /**
   * Writes a resource of the test classpath into the container before it starts, such as a file under Maven's
   * {@code src/test/resources}: {@code withClasspathResource("/docker-entrypoint-initdb.d/schema.sql", "schema.sql")}.
   * Read now, as {@link #withCopyOf} reads files.
   *
   * @param resource the resource's name, relative to the classpath's roots (no leading {@code /})
   * @throws IllegalArgumentException if no such resource is on the classpath
   */
  public ServiceSpec withClasspathResource(String path, String resource) {
    return withClasspathResource(path, resource, DEFAULT_FILE_MODE);
  }

  /** As {@link #withClasspathResource(String, String)}, with a POSIX mode: {@code 0755} for a script, say. */
  public ServiceSpec withClasspathResource(String path, String resource, int mode) {
    given(resource, "withClasspathResource", "resource");
    String name = resource.startsWith("/") ? resource.substring(1) : resource;
    ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
        .orElse(ServiceSpec.class.getClassLoader());
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("Classpath resource '" + resource + "' for " + path + " in " + image()
            + " is not on the classpath: name it by its path under a classpath root, such as src/test/resources"
            + " (\"sql/schema.sql\" for src/test/resources/sql/schema.sql)");
      }
      return withNewFile(path, in.readAllBytes(), mode);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read classpath resource '" + resource + "' for " + path, e);
    }
  }

  /**
   * Binds another service into this one: it starts first and this container's {@code /etc/hosts} resolves
   * {@code alias} to it. Replaces an earlier binding under the same alias.
   */
  public ServiceSpec withServiceBinding(String alias, ServiceSpec service) {
    requireContainer("withServiceBinding");
    given(service, "withServiceBinding", "service");
    requireHostname("Alias", alias);
    return derive(v -> v.bindings.put(alias, service.definition));
  }

  /**
   * Gives the service a global hostname: every container of the run resolves it, with no binding. Use it for
   * services that reach each other (which bindings cannot express, since a bound service starts first), and
   * start such services explicitly. Two different services of a run cannot share a global hostname.
   */
  public ServiceSpec withHostname(String hostname) {
    requireContainer("withHostname");
    requireHostname("Hostname", hostname);
    return derive(v -> v.globalHostnames.add(hostname));
  }

  /**
   * Mounts a cache volume: a named volume that outlives the run, so state persists between runs and between
   * instances (labelled {@code dev.berth.cache=true}; the key {@code berth.cacheVolumes.prune} removes unused ones).
   * Replaces an earlier volume at the same path. The volume is the machine's: every run on the engine that mounts
   * the cache shares it, at the same time too (for what one run at a time may use, see
   * {@link #withLockedCacheVolume}; for one per session, {@link #withPrivateCacheVolume}).
   *
   * @param path where it is mounted in the container
   * @param name the cache's name; the engine's volume is {@code berth-cache-<name>}
   */
  public ServiceSpec withCacheVolume(String path, String name) {
    return withCacheVolume(path, name, Definition.CacheSharing.SHARED);
  }

  /**
   * Mounts a cache volume of the session's own: the runs of one session (the JVMs of one build) share it, other
   * sessions (another build beside this one, another CI job on the agent) each get their own, and it goes when the
   * session ends. For state that equal instances of one build pass on, which no other build must see or change.
   *
   * @param path where it is mounted in the container
   * @param name the cache's name; the engine's volume is {@code berth-cache-<session>-<name>}
   */
  public ServiceSpec withPrivateCacheVolume(String path, String name) {
    return withCacheVolume(path, name, Definition.CacheSharing.PRIVATE);
  }

  /**
   * Mounts the machine's cache volume {@code name}, as {@link #withCacheVolume} does, for one user at a time: a
   * container that mounts it starts only once no other container of any run on this machine mounts it as locked;
   * until then its start waits, at most its startup timeout, and then fails naming who holds the cache. For caches
   * that tools corrupt when two write them at once, kept between runs.
   *
   * @param path where it is mounted in the container
   * @param name the cache's name; the engine's volume is {@code berth-cache-<name>}
   */
  public ServiceSpec withLockedCacheVolume(String path, String name) {
    return withCacheVolume(path, name, Definition.CacheSharing.LOCKED);
  }

  private ServiceSpec withCacheVolume(String path, String name, Definition.CacheSharing sharing) {
    requireContainer("withCacheVolume");
    String mount = absolutePath("cache volume", path);
    given(name, "withCacheVolume", "name");
    if (!VOLUME_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Cache volume name '" + name + "' is invalid: use letters, digits, '_', '.'"
          + " and '-', starting with a letter or digit");
    }
    if (values.tmpfs.containsKey(mount)) {
      throw new IllegalArgumentException("Cache volume '" + name + "' would be mounted at " + mount + ", where a tmpfs"
          + " is mounted already (withTmpfs): give each its own path");
    }
    return derive(v -> {
      v.cacheVolumes.put(mount, name);
      v.cacheSharing.remove(mount);
      if (sharing != Definition.CacheSharing.SHARED) {
        v.cacheSharing.put(mount, sharing);
      }
    });
  }

  /**
   * Mounts an empty tmpfs (kept in memory) at {@code path}, replacing an earlier one at the same path: for data the
   * test throws away, such as a database's data directory, which then costs no disk writes or syncs (postgres:15
   * here: request to ready 1866 ms on the container's disk, 1184 ms on a tmpfs, medians of 8 pairs).
   */
  public ServiceSpec withTmpfs(String path) {
    return withTmpfs(path, "");
  }

  /**
   * Mounts a tmpfs with mount options, as {@code docker run --tmpfs path:options} does, for example
   * {@code withTmpfs("/var/lib/mysql", "size=512m,mode=0700")}.
   */
  public ServiceSpec withTmpfs(String path, String options) {
    requireContainer("withTmpfs");
    String mount = absolutePath("tmpfs", path);
    given(options, "withTmpfs", "options");
    if (!TMPFS_OPTIONS.matcher(options).matches()) {
      throw new IllegalArgumentException("The options '" + options + "' of the tmpfs at " + mount + " are not mount"
          + " options: give them comma-separated, without spaces, for example \"size=256m,mode=1777\"");
    }
    values.files.keySet().forEach(file -> requireVisible(file, mount));
    if (values.cacheVolumes.containsKey(mount)) {
      throw new IllegalArgumentException("A tmpfs would be mounted at " + mount + ", where cache volume '"
          + values.cacheVolumes.get(mount) + "' is mounted already (withCacheVolume): give each its own path");
    }
    return derive(v -> v.tmpfs.put(mount, options));
  }

  /** Files are written before the container starts, so a tmpfs mounted over them at the start would hide them. */
  private static void requireVisible(String file, String tmpfsMount) {
    if (file.equals(tmpfsMount) || file.startsWith(tmpfsMount.endsWith("/") ? tmpfsMount : tmpfsMount + "/")) {
      throw new IllegalArgumentException("File " + file + " would be hidden by the tmpfs at " + tmpfsMount + ", which"
          + " is mounted empty when the container starts: write the file elsewhere, or have the service's command"
          + " copy it there");
    }
  }

  /**
   * Runs {@code replicas} containers of this definition (1-16). Each replica is a service of its own, named
   * {@code <name>-<index>}, with its own hostname; the service's SRV records list every healthy replica, and a
   * VIP ({@link #withVip}) balances connections over them. Replicas cannot have fixed host ports or global
   * hostnames, which each of them would claim.
   */
  public ServiceSpec withReplicas(int replicas) {
    requireContainer("withReplicas");
    if (replicas < 1 || replicas > 16) {
      throw new IllegalArgumentException("Replicas " + replicas + " of " + image() + " is out of range: use 1-16");
    }
    return derive(v -> v.replicas = replicas);
  }

  /**
   * Gives the service a virtual address: the name resolves (by DNS, in the session's zone) to the host's address on
   * the run's network, where the test JVM accepts connections on {@code port} and passes each to the next
   * healthy replica's {@code port}, round robin. Replicas that exit or stop answering leave the rotation within a
   * second. {@code port} must be exposed.
   */
  public ServiceSpec withVip(String name, int port) {
    return withVip(name, port, port);
  }

  /**
   * Gives the service a virtual address on a port of its own, as a load balancer in front of the replicas has:
   * {@code withVip("web", 80, 8080)} takes connections on {@code web:80} and passes each to the next healthy
   * replica's port 8080. {@code containerPort} must be exposed.
   */
  public ServiceSpec withVip(String name, int vipPort, int containerPort) {
    requireContainer("withVip");
    requireHostname("VIP name", name);
    requirePort("VIP port", vipPort);
    requirePort("VIP's container port", containerPort);
    return derive(v -> {
      v.vipName = name;
      v.vipPort = vipPort;
      v.vipTargetPort = containerPort == vipPort ? 0 : containerPort;
    });
  }

  /** Distinguishes otherwise equal specs, so that each instance id runs its own container. */
  public ServiceSpec withInstanceId(String instanceId) {
    given(instanceId, "withInstanceId", "instanceId");
    return derive(v -> v.instanceId = instanceId);
  }

  /** The hex SHA-256 of this spec's canonical encoding; equal definitions have equal digests. */
  public String digest() {
    return definition.digest();
  }

  /**
   * The service's hostname on the run's network: its global hostname ({@link #withHostname}; of several, the first
   * in alphabetical order), else {@code berth-} and the first 16 hex digits of the digest. It is the same on every
   * run for the same definition.
   */
  public String hostname() {
    return definition.hostname();
  }

  /**
   * The image reference as given (normalised: {@code redis} becomes {@code redis:latest}); for an image built from a
   * Dockerfile ({@link #fromDockerfile}), the tag it gets, {@code berth-build:<digest of the build>}; for a service on
   * the test machine ({@link #host}), its address.
   */
  public String image() {
    return definition.image();
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
    return "ServiceSpec[" + definition + "]";
  }

  private static String requireHostname(String what, String name) {
    return Definition.requireHostname(what, name);
  }

  /** The {@code with*} methods that configure a container make no sense for a service on the test machine. */
  private ServiceSpec requireContainer(String method) {
    if (values.hostTarget != null) {
      throw new IllegalStateException(method + "(...) configures a container, but " + values.hostTarget
          + " is a service on"
          + " the test machine (ServiceSpec.host); it has no container");
    }
    return this;
  }

  /** A null argument is refused as other mistakes are, naming the call, the argument and the service. */
  private <T> T given(T value, String call, String argument) {
    return given(value, call, argument, image());
  }

  private static <T> T given(T value, String call, String argument, String service) {
    if (value == null) {
      throw new IllegalArgumentException(call + "(...) for " + service + ": " + argument + " is null; pass a value");
    }
    return value;
  }

  /** A name and its value, as environment variables, labels and build arguments have; the message names both. */
  private void namedValue(String call, String what, String name, String value) {
    if (name == null) {
      throw new IllegalArgumentException(call + "(null, ...) for " + image() + ": the " + what + "'s name is null;"
          + " pass its name");
    }
    if (value == null) {
      throw new IllegalArgumentException(call + "(\"" + name + "\", null) for " + image() + ": the value of " + what
          + " " + name + " is null; pass \"\" for an empty value, or leave the " + what + " out");
    }
  }

  private void requirePort(String what, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(what + " " + port + " of " + image() + " is out of range: use 1-65535");
    }
  }

  private List<String> arguments(String what, String... args) {
    if (args == null || args.length == 0) {
      throw new IllegalArgumentException("An empty " + what + " was given for " + image() + ": pass at least the"
          + " executable");
    }
    var list = new ArrayList<String>(args.length);
    for (String arg : Arrays.asList(args)) {
      if (arg == null) {
        throw new IllegalArgumentException("The " + what + " of " + image() + " has null as argument " + list.size()
            + " of " + Arrays.toString(args) + ": pass each argument as a string (\"\" for an empty one)");
      }
      list.add(arg);
    }
    return List.copyOf(list);
  }

  /** Whether a value has only printable ASCII, and no spaces: what goes as one word into a request or a flag. */
  private static boolean isVisibleAscii(String value) {
    return value.chars().allMatch(c -> c > ' ' && c < 127);
  }

  private String absolutePath(String what, String path) {
    if (path == null) {
      throw new IllegalArgumentException("The " + what + " path for " + image() + " is null: give an absolute path");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("The " + what + " path '" + path + "' is relative: give an absolute path");
    }
    return path;
  }
}
