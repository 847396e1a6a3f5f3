package dev.berth.internal.config;

import dev.berth.internal.spec.ImageReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Berth's settings, read once per run from configuration keys: JUnit configuration parameters (which include
 * system properties and {@code junit-platform.properties}), then environment variables ({@code berth.gracePeriod}
 * as {@code BERTH_GRACE_PERIOD}), then the user's own settings ({@link UserSettings}).
 *
 * <p>Durations accept {@code 500ms}, {@code 10s}, {@code 2m}, a plain number of seconds, or ISO-8601
 * ({@code PT10S}).
 *
 * @param startupTimeout {@code berth.startupTimeout}: how long a service may take, once its image is present, to
 *     accept connections on every exposed port and pass its ready checks if it has them (default 60 s); pulls and
 *     builds have {@code pullTimeout}
 * @param gracePeriod {@code berth.gracePeriod}: how long a service keeps running after its last user released it,
 *     so that the next test class reuses it (default 10 s)
 * @param stopTimeout {@code berth.stopTimeout}: how long a stop waits after SIGTERM before it kills (default 10 s)
 * @param execTimeout {@code berth.execTimeout}: how long a client exec may run (default 60 s)
 * @param pullTimeout {@code berth.pullTimeout}: how long an image pull may take (default 5 min)
 * @param clientImage {@code berth.clientImage}: the image of client containers that name none
 *     (default {@code busybox:1.35})
 * @param session {@code berth.session}: the session the run belongs to. Runs of one session (JVMs, such as the
 *     forks of one build) share service containers, and every container and network carries the session as the
 *     label {@code dev.berth.session}, so that tooling (and CI's leak check) can find them; defaults to one
 *     session per parent process
 * @param readiness {@code berth.readiness}: how ports are checked from inside the run's network: {@code direct}
 *     (the JVM connects to the container's network address; needs a local Linux engine), {@code exec} (a probe
 *     container on the network, for remote engines and Docker Desktop) or {@code auto} (default: {@code direct}
 *     where the JVM shares the engine's network, that is, the run's network's gateway is one of its addresses)
 * @param probeImage {@code berth.probeImage}: the image of the probe container in {@code exec} mode; it needs
 *     {@code nc} (default {@code busybox:1.35})
 * @param dockerHost {@code berth.dockerHost}: the engine to use, such as {@code unix:///var/run/docker.sock} or
 *     {@code tcp://10.0.0.5:2375}; when absent, docker-java's usual lookup ({@code DOCKER_HOST}, then the
 *     platform's default socket)
 * @param pruneCacheVolumes {@code berth.cacheVolumes.prune}: at the end of the run, remove every cache volume
 *     ({@code Definition.withCacheVolume}) that no container uses (default false: caches are kept)
 * @param dns {@code berth.dns}: whether the run takes part in its session's DNS (default true); false leaves port 53
 *     alone, for a machine where something else serves it, and containers with the engine's usual resolver
 * @param dnsUpstream {@code berth.dnsUpstream}: the resolvers the session's DNS server asks about names outside its
 *     zone (default: the test machine's own, from {@code /etc/resolv.conf})
 * @param imagePull {@code berth.imagePull}: when an image is pulled: {@code missing} (default: only if the engine
 *     lacks it) or {@code always} (once per run before its first use, so that a tag that moves, such as
 *     {@code latest}, is current); images Berth builds, and images pinned by digest that the engine has, are not
 *     pulled
 * @param hubImagePrefix {@code berth.hubImagePrefix}: a mirror of Docker Hub to pull its images from, as a registry
 *     and path to put before an image's full path, such as {@code mirror.example.com/hub/} (which makes
 *     {@code redis:7.0} {@code mirror.example.com/hub/library/redis:7.0}); for machines that reach Docker Hub only
 *     through such a mirror. Services, clients and the probe; not the {@code FROM} lines of Dockerfiles, which the
 *     engine pulls itself
 * @param publishAddress {@code berth.publishAddress}: the address on the engine's machine that services' ports are
 *     published on (default {@code 127.0.0.1}); {@code 0.0.0.0} publishes them on all its interfaces, for a JVM that
 *     is not on the engine's machine (an engine over TCP, or a JVM in a container that reaches the engine through
 *     its socket), and for other machines
 * @param hostAddress {@code berth.hostAddress}: where this JVM connects to published ports; when absent, Berth
 *     works it out from where the engine is: 127.0.0.1 for a local engine, else the engine's host (see the README)
 * @param pruneBuilds {@code berth.builds.prune}: after building an image from a Dockerfile, remove the images built
 *     before from the same Dockerfile, arguments and context directory that no container uses (default false:
 *     builds are kept, as pulled images are)
 * @param startAhead {@code berth.startAhead}: how many services the run starts ahead of the test classes that need
 *     them, once the test plan is known (default 3; 0 turns it off): while one class runs, the next classes'
 *     services start in the background, in the plan's order, so that their first test rarely waits
 * @param reuse {@code berth.reuse}: how long a service stays up after the last run that used it, for the next run on
 *     the engine to attach to (default 0: off, everything goes at the end of the run). With it, runs share the
 *     machine's warm session unless {@code berth.session} names another
 * @param engineTimeout {@code berth.engineTimeout}: how long an ordinary engine call (inspect, create, start, list,
 *     remove, exec set-up, networks, volumes) may take from connecting to its whole answer (default 30 s; healthy
 *     calls take a millisecond to a fifth of a second here). A stop may take this plus its own stop timeout; calls
 *     that stream (logs followed, waits, exec output, events) have no deadline, pulls and builds have
 *     {@code pullProgressTimeout}
 * @param pingTimeout {@code berth.pingTimeout}: how long the engine may take to answer the ping that every
 *     connection begins with, and to accept a TCP connection (default 5 s); an engine that does not answer in time
 *     fails the run, or skips it with {@code disabledWithoutDocker}
 * @param pullProgressTimeout {@code berth.pullProgressTimeout}: how long a pull or a build may go without a word of
 *     progress from the engine before it fails, naming the last layer or step seen (default 2 min: a build step
 *     may work silently for a while); {@code pullTimeout} still bounds the whole
 * @param engine {@code berth.engine}: what runs the services: {@code docker} (default: containers of the engine) or
 *     {@code swarm} (services of the Docker Swarm the engine is a manager of, on an overlay network; see the
 *     engines guide)
 * @param report {@code berth.report}: the directory the run report goes to ({@code report.html} and
 *     {@code report.json}), relative to the working directory; {@code false} writes none (default
 *     {@code target/berth}, or {@code build/berth} where the working directory has a Gradle build and no
 *     {@code pom.xml})
 * @param swarmNodeEngine {@code berth.swarm.nodeEngine}: under {@code berth.engine=swarm}, where the engine of each
 *     node answers, {@code {address}} standing for the node's address (such as {@code tcp://{address}:2376}, with
 *     the manager's TLS settings): exec and files into a task on a node other than the manager's go there; unset,
 *     they are refused
 */
public record BerthConfig(
    Duration startupTimeout,
    Duration gracePeriod,
    Duration stopTimeout,
    Duration execTimeout,
    Duration pullTimeout,
    String clientImage,
    Optional<String> session,
    Readiness readiness,
    String probeImage,
    Optional<String> dockerHost,
    boolean pruneCacheVolumes,
    boolean dns,
    ImagePull imagePull,
    Optional<String> hubImagePrefix,
    String publishAddress,
    Optional<String> hostAddress,
    boolean pruneBuilds,
    int startAhead,
    Duration reuse,
    Duration engineTimeout,
    Duration pingTimeout,
    Duration pullProgressTimeout,
    List<InetSocketAddress> dnsUpstream,
    EngineKind engine,
    Optional<Path> report,
    Optional<String> swarmNodeEngine) {

  /** The session of runs that reuse services: one per machine and engine user, unless {@code berth.session} says. */
  public static final String WARM_SESSION = "warm";

  /** Whether services stay up after the run for later runs to attach to. */
  public boolean reuses() {
    return !reuse.isZero();
  }

  /** How readiness checks reach a service's ports. */
  public enum Readiness { AUTO, DIRECT, EXEC }

  /** What runs services: containers of one engine, or services of a Docker Swarm whose manager the engine is. */
  public enum EngineKind { DOCKER, SWARM }

  /** When images are pulled: only when the engine lacks them, or once per run in any case. */
  public enum ImagePull { MISSING, ALWAYS }

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  public BerthConfig {
    requirePositive("berth.startupTimeout", startupTimeout);
    requireNotNegative("berth.gracePeriod", gracePeriod);
    requireNotNegative("berth.stopTimeout", stopTimeout);
    requirePositive("berth.execTimeout", execTimeout);
    requirePositive("berth.pullTimeout", pullTimeout);
    requireImage("berth.clientImage", clientImage);
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(readiness, "readiness");
    requireImage("berth.probeImage", probeImage);
    Objects.requireNonNull(dockerHost, "dockerHost");
    Objects.requireNonNull(imagePull, "imagePull");
    hubImagePrefix = hubImagePrefix(hubImagePrefix);
    publishAddress = ipLiteral("berth.publishAddress", publishAddress);
    Objects.requireNonNull(hostAddress, "hostAddress");
    requireNotNegative("berth.reuse", reuse);
    requirePositive("berth.engineTimeout", engineTimeout);
    requirePositive("berth.pingTimeout", pingTimeout);
    requirePositive("berth.pullProgressTimeout", pullProgressTimeout);
    dnsUpstream = List.copyOf(dnsUpstream);
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(report, "report");
    if (startAhead < 0) {
      throw new IllegalArgumentException("berth.startAhead is " + startAhead + ": give how many services to start"
          + " ahead of the tests that need them (0 turns it off)");
    }
  }

  /** The defaults, as documented on each key. */
  public static BerthConfig defaults() {
    return from(key -> Optional.empty());
  }

  /**
   * Reads every key through {@code lookup}.
   *
   * @throws IllegalArgumentException naming the key, the value and the accepted forms, if a value is invalid
   */
  public static BerthConfig from(Function<String, Optional<String>> lookup) {
    return new BerthConfig(
        duration(lookup, "berth.startupTimeout", Duration.ofSeconds(60)),
        duration(lookup, "berth.gracePeriod", Duration.ofSeconds(10)),
        duration(lookup, "berth.stopTimeout", Duration.ofSeconds(10)),
        duration(lookup, "berth.execTimeout", Duration.ofSeconds(60)),
        duration(lookup, "berth.pullTimeout", Duration.ofMinutes(5)),
        text(lookup, "berth.clientImage").orElse("busybox:1.35"),
        text(lookup, "berth.session"),
        text(lookup, "berth.readiness").map(v -> choice("berth.readiness", v, Readiness.class, "use auto, direct or"
            + " exec")).orElse(Readiness.AUTO),
        text(lookup, "berth.probeImage").orElse("busybox:1.35"),
        text(lookup, "berth.dockerHost"),
        text(lookup, "berth.cacheVolumes.prune").map(v -> bool("berth.cacheVolumes.prune", v)).orElse(false),
        text(lookup, "berth.dns").map(v -> bool("berth.dns", v)).orElse(true),
        text(lookup, "berth.imagePull").map(v -> choice("berth.imagePull", v, ImagePull.class, "use missing (pull an"
            + " image the engine lacks) or always (pull every image once per run)")).orElse(ImagePull.MISSING),
        text(lookup, "berth.hubImagePrefix"),
        text(lookup, "berth.publishAddress").orElse("127.0.0.1"),
        text(lookup, "berth.hostAddress"),
        text(lookup, "berth.builds.prune").map(v -> bool("berth.builds.prune", v)).orElse(false),
        text(lookup, "berth.startAhead").map(v -> count("berth.startAhead", v)).orElse(3),
        duration(lookup, "berth.reuse", Duration.ZERO),
        duration(lookup, "berth.engineTimeout", Duration.ofSeconds(30)),
        duration(lookup, "berth.pingTimeout", Duration.ofSeconds(5)),
        duration(lookup, "berth.pullProgressTimeout", Duration.ofMinutes(2)),
        text(lookup, "berth.dnsUpstream").map(v -> resolvers("berth.dnsUpstream", v)).orElse(List.of()),
        text(lookup, "berth.engine").map(BerthConfig::engineKind).orElse(EngineKind.DOCKER),
        text(lookup, "berth.report").map(BerthConfig::reportDirectory).orElseGet(BerthConfig::defaultReportDirectory),
        text(lookup, "berth.swarm.nodeEngine").map(BerthConfig::nodeEngine));
  }

  /** Whether {@code berth.reuse}, as {@code lookup} finds it, keeps services up after a run. */
  public static boolean reuses(Function<String, Optional<String>> lookup) {
    return !duration(lookup, "berth.reuse", Duration.ZERO).isZero();
  }

  /**
   * A key's value from the environment: {@code berth.startupTimeout} is read from {@code BERTH_STARTUP_TIMEOUT}.
   * Lets a build set keys for every JVM it forks, and CI label a whole build's resources.
   */
  public static Optional<String> fromEnvironment(String key) {
    return Optional.ofNullable(System.getenv(Keys.envName(key)));
  }

  /**
   * A key's value from outside the build's JUnit configuration: the environment, then the user's own settings
   * ({@link UserSettings}).
   */
  public static Optional<String> fromOutside(String key) {
    return fromEnvironment(key).or(() -> UserSettings.current().get(key));
  }

  /**
   * The settings of a run outside JUnit (system properties, environment, the user's files), once every
   * {@code berth.*} key among them is known ({@link Keys#check}).
   */
  public static BerthConfig ofSystem() {
    Keys.check(Keys.outside());
    return from(BerthConfig::fromSystem);
  }

  /**
   * A key's value as a system property, else from outside ({@link #fromOutside}): for what is read before JUnit's
   * configuration exists, or outside JUnit.
   */
  public static Optional<String> fromSystem(String key) {
    return Optional.ofNullable(System.getProperty(key)).or(() -> fromOutside(key));
  }

  /** {@code berth.swarm.nodeEngine}: where each node's engine answers, {@code {address}} standing for the node's. */
  private static String nodeEngine(String value) {
    String template = value.strip();
    if (!template.contains(NODE_ADDRESS)) {
      throw new IllegalArgumentException("berth.swarm.nodeEngine is '" + value + "', which does not say where a node's"
          + " address goes: write " + NODE_ADDRESS + " for it, for example tcp://" + NODE_ADDRESS + ":2376");
    }
    return template;
  }

  /** What stands for a node's address in {@code berth.swarm.nodeEngine}. */
  public static final String NODE_ADDRESS = "{address}";

  /** {@code berth.report}: {@code false} (or {@code off}, {@code none}) for no report, else a directory. */
  private static Optional<Path> reportDirectory(String value) {
    String off = value.strip().toLowerCase(java.util.Locale.ROOT);
    if (off.equals("false") || off.equals("off") || off.equals("none")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(value.strip()));
    } catch (java.nio.file.InvalidPathException e) {
      throw new IllegalArgumentException("berth.report is '" + value + "', which is no path here (" + e.getReason()
          + "): give the directory for the run report, or false for none");
    }
  }

  /** Where a build keeps its output: Maven's {@code target}, or Gradle's {@code build}. */
  private static Optional<Path> defaultReportDirectory() {
    boolean gradle = !Files.exists(Path.of("pom.xml"))
        && (Files.exists(Path.of("build.gradle")) || Files.exists(Path.of("build.gradle.kts")));
    return Optional.of(Path.of(gradle ? "build" : "target", "berth"));
  }

  /** {@code berth.engine}, read here and by the watchdog and keeper, which find it in a run's lease. */
  public static EngineKind engineKind(String value) {
    return choice("berth.engine", value, EngineKind.class, "use docker (containers of one engine) or swarm (services"
        + " of the swarm the engine manages)");
  }

  private static int count(String key, String value) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " is '" + value + "': give a whole number, such as 3 (0 turns it"
          + " off)", e);
    }
  }

  /** Parses {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, a number of seconds, or ISO-8601. */
  static Duration parseDuration(String key, String value) {
    String v = value.strip();
    Matcher m = SIMPLE_DURATION.matcher(v.toLowerCase(Locale.ROOT));
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofSeconds(n);
        };
      }
      return Duration.parse(v);
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      throw notADuration(key, value, e);
    }
  }

  private static IllegalArgumentException notADuration(String key, String value, RuntimeException cause) {
    return new IllegalArgumentException("Configuration key " + key + " has value '" + value
        + "', which is not a duration: use for example 500ms, 10s, 2m or PT10S", cause);
  }

  private static void requireImage(String key, String image) {
    Objects.requireNonNull(image, key);
    try {
      ImageReference.parse(image);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Configuration key " + key + " has value '" + image + "': "
          + e.getMessage(), e);
    }
  }

  /** The mirror's prefix, ending in {@code /}; refused unless it begins with a registry (host with a dot or port). */
  private static Optional<String> hubImagePrefix(Optional<String> prefix) {
    Objects.requireNonNull(prefix, "hubImagePrefix");
    if (prefix.isEmpty()) {
      return prefix;
    }
    String value = prefix.get().strip();
    String normalised = value.endsWith("/") ? value : value + "/";
    String problem;
    try {
      ImageReference mirrored = ImageReference.parse("busybox:1.35").throughHubMirror(normalised);
      problem = mirrored.registry().equals("docker.io") ? "it names no registry but Docker Hub itself" : null;
    } catch (IllegalArgumentException e) {
      problem = "it makes image references such as '" + normalised + "library/busybox:1.35', which are malformed";
    }
    if (problem != null) {
      throw new IllegalArgumentException("Configuration key berth.hubImagePrefix has value '" + prefix.get() + "': "
          + problem + "; give a registry and perhaps a path, such as mirror.example.com/hub/ or 127.0.0.1:5000/");
    }
    return Optional.of(normalised);
  }

  /** An address the engine can bind: an IPv4 or IPv6 literal, never a name (the engine would not resolve it). */
  private static String ipLiteral(String key, String value) {
    Objects.requireNonNull(value, key);
    String v = value.strip();
    if (ipAddress(v).isPresent()) {
      return v;
    }
    throw new IllegalArgumentException("Configuration key " + key + " has value '" + value + "': give an IP"
        + " address of the engine's machine, such as 127.0.0.1 (the default), 0.0.0.0 (all its interfaces) or"
        + " 172.17.0.1");
  }

  /**
   * Resolvers' addresses, separated by commas: IP literals with an optional port ({@code 10.0.0.2},
   * {@code 10.0.0.3:5353}, {@code [fd00::53]:53}); 53 when none is given. Never looked up: they are what lookups use.
   */
  static List<InetSocketAddress> resolvers(String key, String value) {
    var resolvers = new ArrayList<InetSocketAddress>();
    for (String part : value.split(",", -1)) {
      String v = part.strip();
      String host = v;
      int port = 53;
      Matcher withPort = Pattern.compile("\\[(.+)]:(\\d{1,5})|([^:]+):(\\d{1,5})").matcher(v);
      if (withPort.matches()) {
        host = withPort.group(1) != null ? withPort.group(1) : withPort.group(3);
        port = Integer.parseInt(withPort.group(2) != null ? withPort.group(2) : withPort.group(4));
      } else if (v.startsWith("[") && v.endsWith("]")) {
        host = v.substring(1, v.length() - 1);
      }
      Optional<InetAddress> address = ipAddress(host);
      if (address.isEmpty() || port < 1 || port > 65535) {
        throw new IllegalArgumentException("Configuration key " + key + " has value '" + value + "', where '" + v
            + "' is not a resolver's address: give IP addresses with an optional port, separated by commas, such"
            + " as 10.0.0.2,10.0.0.3:5353 (names cannot be used: they would need a resolver to look them up)");
      }
      resolvers.add(new InetSocketAddress(address.get(), port));
    }
    return resolvers;
  }

  /** An IPv4 or IPv6 literal as an address, parsed without any lookup; empty for a name or a malformed literal. */
  public static Optional<InetAddress> ipAddress(String v) {
    boolean v4 = v.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (v4 ? !Pattern.compile("\\.").splitAsStream(v).allMatch(octet -> Integer.parseInt(octet) <= 255)
        : !v.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
      return Optional.empty();
    }
    try {
      // Four numbers, or an IPv6 literal in brackets: parsed, never looked up.
      return Optional.of(InetAddress.getByName(v4 ? v : "[" + v + "]"));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static boolean bool(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("Configuration key " + key + " has value '" + value
          + "': use true or false");
    };
  }

  /** A key whose value names one of an enum's constants, in any case; {@code accepted} says which for a mistake. */
  private static <E extends Enum<E>> E choice(String key, String value, Class<E> type, String accepted) {
    try {
      return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Configuration key " + key + " has value '" + value + "': " + accepted, e);
    }
  }

  private static Duration duration(Function<String, Optional<String>> lookup, String key, Duration fallback) {
    return text(lookup, key).map(v -> parseDuration(key, v)).orElse(fallback);
  }

  private static Optional<String> text(Function<String, Optional<String>> lookup, String key) {
    return lookup.apply(key).map(String::strip).filter(v -> !v.isEmpty());
  }

  private static void requirePositive(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("Configuration key " + key + " must be positive, not " + d);
    }
  }

  private static void requireNotNegative(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative()) {
      throw new IllegalArgumentException("Configuration key " + key + " must not be negative, not " + d);
    }
  }
}
