package dev.berth.internal.spec;

import dev.berth.Protocol;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;
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

/**
 * What a {@code Definition} says, as Berth's internals read it: the image (or Dockerfile, or host address), ports,
 * command, environment, files, ready checks and bindings. Immutable; made from a {@link Draft} that the public
 * builder fills in, and compared by its digest, the SHA-256 of its canonical encoding ({@link SpecEncoding}).
 */
public final class Definition {

  /** The mode of a file written without one. */
  public static final int DEFAULT_FILE_MODE = 0644;

  private final Draft v;
  private volatile String digest;

  /** A definition of the draft's values as they are now; later changes to the draft do not reach it. */
  public Definition(Draft draft) {
    this.v = new Draft(draft);
  }

  /** A definition of an image and nothing else, such as the readiness probe's. */
  public static Definition ofImage(ImageReference image) {
    var draft = new Draft();
    draft.image = image;
    return new Definition(draft);
  }

  /** A copy of this definition's values, to change into another definition. */
  public Draft draft() {
    return new Draft(v);
  }

  private Definition derive(Consumer<Draft> change) {
    var next = draft();
    change.accept(next);
    return new Definition(next);
  }

  /** The hex SHA-256 of this definition's canonical encoding; equal definitions have equal digests. */
  public String digest() {
    String d = digest;
    if (d == null) {
      d = SpecEncoding.digest(this);
      digest = d;
    }
    return d;
  }

  private static final Pattern HOSTNAME_LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

  /** Checks that a name is a valid hostname label (RFC 1123, lowercase), as aliases and hostnames must be. */
  public static String requireHostname(String what, String name) {
    if (name == null) {
      throw new IllegalArgumentException(what + " is null: give a hostname of 1-63 lowercase letters, digits and"
          + " '-', starting and ending with a letter or digit");
    }
    if (!HOSTNAME_LABEL.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " '" + name + "' is not a valid hostname: use 1-63 lowercase"
          + " letters, digits and '-', starting and ending with a letter or digit");
    }
    return name;
  }

  /**
   * The service's hostname on the run's network: its global hostname (of several, the first in alphabetical order),
   * else {@link #digestHostname()}. It is the same on every run for the same definition.
   */
  public String hostname() {
    return v.globalHostnames.isEmpty() ? digestHostname() : v.globalHostnames.first();
  }

  /**
   * The image reference as given (normalised); for an image built from a Dockerfile, the tag it gets; for a service
   * on the test machine, its address.
   */
  public String image() {
    return v.hostTarget != null ? v.hostTarget.toString() : v.image.toString();
  }

  /** The ports of {@code withRelayedPort}: port in containers to port of the test machine. */
  public SortedMap<Integer, Integer> relayedPorts() {
    return Collections.unmodifiableSortedMap(v.relayedPorts);
  }

  /**
   * The ports a service on the test machine is offered on, each with the port of the test machine it is relayed to:
   * the address's own port to itself, and those of {@code withRelayedPort}.
   */
  public SortedMap<Integer, Integer> relays() {
    var ports = new TreeMap<Integer, Integer>();
    if (v.hostTarget != null && v.hostTarget.getPort() > 0) {
      ports.put(v.hostTarget.getPort(), v.hostTarget.getPort());
    }
    ports.putAll(v.relayedPorts);
    return Collections.unmodifiableSortedMap(ports);
  }

  /** How many containers run this definition; 1 unless {@code withReplicas} says otherwise. */
  public int replicas() {
    return v.replicas;
  }

  /** The VIP's name ({@code withVip}), if any. */
  public Optional<String> vipName() {
    return Optional.ofNullable(v.vipName);
  }

  /** The VIP's port, 0 without a VIP. */
  public int vipPort() {
    return v.vipPort;
  }

  /**
   * Whether the service takes connections on {@code port}: an exposed port, or its VIP's own port (which its hostname
   * and the VIP's published port take).
   */
  public boolean offersPort(int port) {
    return v.exposedPorts.contains(port) || v.vipName != null && v.vipPort == port;
  }

  /** The replicas' port the VIP passes its connections to: the VIP's port unless {@code withVip} said another. */
  public int vipTargetPort() {
    return v.vipTargetPort == 0 ? v.vipPort : v.vipTargetPort;
  }

  /** The definition of replica {@code index}: this one, run once, without VIP, told apart by its instance id. */
  public Definition replica(int index) {
    return derive(d -> {
      d.replicas = 1;
      d.vipName = null;
      d.vipPort = 0;
      d.vipTargetPort = 0;
      d.instanceId = v.instanceId + (v.instanceId.isEmpty() ? "" : "/") + "replica-" + index;
    });
  }

  /**
   * The hostname every service container has on the run's network, global hostnames or not: {@code berth-} and the
   * first 16 hex digits of the digest.
   */
  public String digestHostname() {
    return "berth-" + digest().substring(0, 16);
  }

  /** The address of a service on the test machine ({@code host}); empty for a container. */
  public Optional<URI> hostTarget() {
    return Optional.ofNullable(v.hostTarget);
  }

  /** Global hostnames ({@code withHostname}) every container of the run resolves. */
  public Set<String> globalHostnames() {
    return Collections.unmodifiableSortedSet(v.globalHostnames);
  }

  /** Cache volumes ({@code withCacheVolume}), mount path to cache name. */
  public Map<String, String> cacheVolumes() {
    return Collections.unmodifiableSortedMap(v.cacheVolumes);
  }

  /** How the cache volume mounted at {@code path} is shared. */
  public CacheSharing cacheSharing(String path) {
    return v.cacheSharing.getOrDefault(path, CacheSharing.SHARED);
  }

  /** How runs share a cache volume; see {@code ServiceSpec.withCacheVolume} and its siblings. */
  public enum CacheSharing {
    /** The machine's, used by any number of runs at once. */
    SHARED,
    /** The session's own; it goes with the session. */
    PRIVATE,
    /** The machine's, used by one container at a time. */
    LOCKED
  }

  /** The container's labels ({@code withLabel}), besides Berth's own. */
  public Map<String, String> labels() {
    return Collections.unmodifiableSortedMap(v.labels);
  }

  /** Tmpfs mounts ({@code withTmpfs}), mount path to mount options (empty for none). */
  public Map<String, String> tmpfs() {
    return Collections.unmodifiableSortedMap(v.tmpfs);
  }

  public List<Integer> exposedPorts() {
    return List.copyOf(v.exposedPorts);
  }

  /** The protocols declared for exposed ports ({@code withExposedPort}), by port. */
  public Map<Integer, Protocol> declaredProtocols() {
    return Collections.unmodifiableSortedMap(v.protocols);
  }

  /**
   * What the service speaks on an exposed port: the declared protocol, else the one its image is known for on that
   * port, else {@link Protocol#TCP}.
   */
  public Protocol protocol(int port) {
    Protocol declared = v.protocols.get(port);
    if (declared != null) {
      return declared;
    }
    return v.image == null ? Protocol.TCP : KnownImages.protocol(v.image, port);
  }

  /** The exposed ports that are TCP ports (all but {@link Protocol#UDP} ones), in order. */
  public List<Integer> tcpPorts() {
    return exposedPorts().stream().filter(port -> protocol(port) != Protocol.UDP).toList();
  }

  /** Exposed ports that are not waited for ({@code withUncheckedPort}). */
  public Set<Integer> uncheckedPorts() {
    return Collections.unmodifiableSortedSet(v.uncheckedPorts);
  }

  /** The names of exposed ports ({@code withPortName}), by port. */
  public Map<Integer, String> portNames() {
    return Collections.unmodifiableSortedMap(v.portNames);
  }

  /** Exposed ports published on a fixed host port ({@code withHostPort}), container port to host port. */
  public Map<Integer, Integer> hostPorts() {
    return Collections.unmodifiableSortedMap(v.hostPorts);
  }

  public Optional<List<String>> command() {
    return Optional.ofNullable(v.command);
  }

  public Optional<List<String>> entrypoint() {
    return Optional.ofNullable(v.entrypoint);
  }

  public Map<String, String> env() {
    return Collections.unmodifiableSortedMap(v.env);
  }

  public Optional<String> workdir() {
    return Optional.ofNullable(v.workdir);
  }

  /** The command that says when the service is ready ({@code withReadyCommand}), if any. */
  public Optional<List<String>> readyCommand() {
    return Optional.ofNullable(v.readyCommand);
  }

  /** Whether the image's {@code HEALTHCHECK} says when the service is ready ({@code withReadyHealthcheck}). */
  public boolean readyHealthcheck() {
    return v.readyHealthcheck;
  }

  /** Whether the image's {@code HEALTHCHECK} is ignored ({@code withoutReadyHealthcheck}). */
  public boolean ignoresHealthcheck() {
    return v.ignoreHealthcheck;
  }

  /** The output line that says the service is ready ({@code withReadyLogLine}), if any. */
  public Optional<ReadyLogLine> readyLogLine() {
    return Optional.ofNullable(v.readyLogLine);
  }

  /** The user the container's processes run as ({@code withUser}), if not the image's. */
  public Optional<String> user() {
    return Optional.ofNullable(v.user);
  }

  /** The size of the container's {@code /dev/shm} in bytes ({@code withShmSize}), if not the engine's default. */
  public Optional<Long> shmSize() {
    return Optional.ofNullable(v.shmSize);
  }

  /** The HTTP request that says the service is ready ({@code withReadyHttp}), if any. */
  public Optional<ReadyHttp> readyHttp() {
    return Optional.ofNullable(v.readyHttp);
  }

  /** This service's own startup timeout ({@code withStartupTimeout}), if it has one. */
  public Optional<Duration> startupTimeout() {
    return Optional.ofNullable(v.startupTimeout);
  }

  /** Whether the service may stay up for later runs under {@code berth.reuse} (unless {@code withoutReuse}). */
  public boolean reusable() {
    return !v.noReuse;
  }

  /** What runs in a reused service when a run attaches to it, to reset its data ({@code withResetCommand}). */
  public Optional<List<String>> resetCommand() {
    return Optional.ofNullable(v.resetCommand);
  }

  /** The services bound into this one, by alias. */
  public Map<String, Definition> serviceBindings() {
    return Collections.unmodifiableSortedMap(v.bindings);
  }

  public String instanceId() {
    return v.instanceId;
  }

  public ImageReference imageReference() {
    return v.image;
  }

  /** How the image is built, for a spec made by {@code fromDockerfile}. */
  public Optional<ImageBuild> build() {
    return Optional.ofNullable(v.build);
  }

  /**
   * The hostname and command the container runs with, as failures name them: {@code hostname api, command [sh, -c,
   * serve]}, or {@code the image's default command} where the spec declares neither entrypoint nor command.
   */
  public String startedAs() {
    var s = new StringBuilder("hostname ").append(hostname()).append(", ");
    if (v.entrypoint == null && v.command == null) {
      return s.append("the image's default command").toString();
    }
    if (v.entrypoint != null) {
      s.append("entrypoint ").append(v.entrypoint).append(v.command == null ? "" : ", ");
    }
    if (v.command != null) {
      s.append("command ").append(v.command);
    }
    return s.toString();
  }

  /** The files to write, by absolute path; callers must not modify the arrays. */
  public SortedMap<String, byte[]> files() {
    return Collections.unmodifiableSortedMap(v.files);
  }

  /** The modes of the files whose mode is not 0644, by path. */
  public SortedMap<String, Integer> fileModes() {
    return Collections.unmodifiableSortedMap(v.fileModes);
  }

  /** The POSIX mode of a file to write. */
  public int fileMode(String path) {
    return v.fileModes.getOrDefault(path, DEFAULT_FILE_MODE);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Definition that && digest().equals(that.digest());
  }

  @Override
  public int hashCode() {
    return digest().hashCode();
  }

  @Override
  public String toString() {
    var s = new StringBuilder(image());
    if (!v.exposedPorts.isEmpty()) {
      s.append(", ports=").append(v.exposedPorts);
    }
    if (v.command != null) {
      s.append(", command=").append(v.command);
    }
    if (!v.bindings.isEmpty()) {
      s.append(", bindings=").append(v.bindings.keySet());
    }
    if (v.readyCommand != null) {
      s.append(", ready=").append(v.readyCommand);
    }
    if (v.readyHealthcheck) {
      s.append(", ready=HEALTHCHECK");
    }
    if (v.ignoreHealthcheck) {
      s.append(", HEALTHCHECK ignored");
    }
    if (!v.protocols.isEmpty()) {
      s.append(", protocols=").append(v.protocols);
    }
    if (!v.portNames.isEmpty()) {
      s.append(", portNames=").append(v.portNames);
    }
    if (!v.uncheckedPorts.isEmpty()) {
      s.append(", unchecked=").append(v.uncheckedPorts);
    }
    if (v.readyHttp != null) {
      s.append(", readyHttp=").append(v.readyHttp.port()).append(v.readyHttp.path());
    }
    if (!v.instanceId.isEmpty()) {
      s.append(", instance=").append(v.instanceId);
    }
    return s.append(", digest=").append(digest(), 0, 12).toString();
  }

  /** A definition's values, one field per thing a spec says; a copy is changed while a builder method runs. */
  public static final class Draft {
      public ImageReference image;
      public ImageBuild build;
      public URI hostTarget;
      /** A host service's ports offered on other ports ({@code withRelayedPort}): port in containers to host port. */
      public final TreeMap<Integer, Integer> relayedPorts = new TreeMap<>();
      public final LinkedHashSet<Integer> exposedPorts = new LinkedHashSet<>();
      public final TreeMap<Integer, Protocol> protocols = new TreeMap<>();
      public final TreeSet<Integer> uncheckedPorts = new TreeSet<>();
      public final TreeMap<Integer, Integer> hostPorts = new TreeMap<>();
      public final TreeMap<Integer, String> portNames = new TreeMap<>();
      public List<String> command;
      public List<String> entrypoint;
      public final TreeMap<String, String> env = new TreeMap<>();
      public String workdir;
      public final TreeMap<String, byte[]> files = new TreeMap<>();
      /** The modes of the files whose mode is not {@link Definition#DEFAULT_FILE_MODE}. */
      public final TreeMap<String, Integer> fileModes = new TreeMap<>();
      public final TreeMap<String, Definition> bindings = new TreeMap<>();
      public String instanceId = "";
      public final TreeSet<String> globalHostnames = new TreeSet<>();
      public final TreeMap<String, String> cacheVolumes = new TreeMap<>();
      /** The sharing of the cache volumes not {@link CacheSharing#SHARED}, by mount path. */
      public final TreeMap<String, CacheSharing> cacheSharing = new TreeMap<>();
      public final TreeMap<String, String> tmpfs = new TreeMap<>();
      public final TreeMap<String, String> labels = new TreeMap<>();
      public int replicas = 1;
      public String vipName;
      public int vipPort;
      /** 0: the VIP's port. */
      public int vipTargetPort;
      public List<String> readyCommand;
      public boolean readyHealthcheck;
      public boolean ignoreHealthcheck;
      public ReadyLogLine readyLogLine;
      public ReadyHttp readyHttp;
      public String user;
      public Long shmSize;
      public Duration startupTimeout;
    public boolean noReuse;
    public List<String> resetCommand;

      public Draft() {
      }

      /** A copy to change; lists and records are immutable, so only the collections are copied. */
      public Draft(Draft from) {
        image = from.image;
        build = from.build;
        hostTarget = from.hostTarget;
        relayedPorts.putAll(from.relayedPorts);
        exposedPorts.addAll(from.exposedPorts);
        protocols.putAll(from.protocols);
        uncheckedPorts.addAll(from.uncheckedPorts);
        hostPorts.putAll(from.hostPorts);
        portNames.putAll(from.portNames);
        command = from.command;
        entrypoint = from.entrypoint;
        env.putAll(from.env);
        workdir = from.workdir;
        files.putAll(from.files);
        fileModes.putAll(from.fileModes);
        bindings.putAll(from.bindings);
        instanceId = from.instanceId;
        globalHostnames.addAll(from.globalHostnames);
        cacheVolumes.putAll(from.cacheVolumes);
        cacheSharing.putAll(from.cacheSharing);
        tmpfs.putAll(from.tmpfs);
        labels.putAll(from.labels);
        replicas = from.replicas;
        vipName = from.vipName;
        vipPort = from.vipPort;
        vipTargetPort = from.vipTargetPort;
        readyCommand = from.readyCommand;
        readyHealthcheck = from.readyHealthcheck;
        ignoreHealthcheck = from.ignoreHealthcheck;
        readyLogLine = from.readyLogLine;
        readyHttp = from.readyHttp;
        user = from.user;
        shmSize = from.shmSize;
        startupTimeout = from.startupTimeout;
      noReuse = from.noReuse;
      resetCommand = from.resetCommand;
      }
  }

  /** An output line that says the service is ready: a regular expression, how often. */
  public record ReadyLogLine(String regex, int times) {
  }

  /** The request that says the service is ready: its port and path. */
  public record ReadyHttp(int port, String path) {
  }
}
