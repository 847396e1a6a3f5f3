package dev.berth.junit;

import dev.berth.Protocol;
import dev.berth.ServiceSpec;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service a {@link ServiceContainer} annotation defines on a {@code Service} field, and the client a
 * {@link ClientContainer} annotation defines: each attribute is the
 * {@code ServiceSpec} method of the same meaning, its entries in the forms of {@code docker run}'s flags where there
 * is one. Malformed entries fail with what was expected.
 */
final class AnnotatedSpec {

  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})([bkmg]?)");

  private AnnotatedSpec() {
  }

  /** @throws IllegalArgumentException naming the attribute and entry that are malformed */
  static ServiceSpec of(ServiceContainer a) {
    ServiceSpec spec = image(a.image(), a.build(), a.dockerfile(), a.buildArgs()).withExposedPort(a.ports())
        .withUncheckedPort(a.uncheckedPorts()).withInstanceId(a.instance());
    for (String entry : a.protocols()) {
      spec = withProtocol(spec, entry);
    }
    for (String entry : a.portNames()) {
      spec = withPortName(spec, entry);
    }
    if (a.command().length > 0) {
      spec = spec.withCommand(a.command());
    }
    spec = withEnv(spec, a.env());
    for (String file : a.files()) {
      spec = withFile(spec, file);
    }
    for (String mount : a.tmpfs()) {
      int colon = mount.indexOf(':');
      spec = colon < 0 ? spec.withTmpfs(mount) : spec.withTmpfs(mount.substring(0, colon), mount.substring(colon + 1));
    }
    for (String volume : a.cacheVolumes()) {
      spec = withCacheVolume(spec, volume);
    }
    spec = withLabels(spec, a.labels());
    if (!a.user().isEmpty()) {
      spec = spec.withUser(a.user());
    }
    if (!a.shmSize().isEmpty()) {
      spec = spec.withShmSize(bytes("shmSize", a.shmSize()));
    }
    if (!a.readyLogLine().isEmpty()) {
      spec = spec.withReadyLogLine(a.readyLogLine(), a.readyLogLineTimes());
    } else if (a.readyLogLineTimes() != 1) {
      throw new IllegalArgumentException("readyLogLineTimes is " + a.readyLogLineTimes() + " but readyLogLine is not"
          + " set: give the line's regular expression too");
    }
    if (!a.readyHttp().isEmpty()) {
      spec = withReadyHttp(spec, a.readyHttp());
    }
    if (a.ready().length > 0 && a.readyHealthcheck()) {
      throw new IllegalArgumentException("ready and readyHealthcheck are both set: give ready to name the command"
          + " that tells, or readyHealthcheck = true to run the image's HEALTHCHECK command");
    }
    if (a.ready().length > 0) {
      spec = spec.withReadyCommand(a.ready());
    }
    if (a.readyHealthcheck() && a.ignoreHealthcheck()) {
      throw new IllegalArgumentException("readyHealthcheck and ignoreHealthcheck are both set: the first requires the"
          + " image's HEALTHCHECK, the second ignores it; keep one");
    }
    if (a.readyHealthcheck()) {
      spec = spec.withReadyHealthcheck();
    }
    if (a.ignoreHealthcheck()) {
      spec = spec.withoutReadyHealthcheck();
    }
    if (!a.reuse()) {
      spec = spec.withoutReuse();
    }
    if (a.resetCommand().length > 0) {
      spec = spec.withResetCommand(a.resetCommand());
    }
    if (a.replicas() != 1) {
      spec = spec.withReplicas(a.replicas());
    }
    if (!a.vip().isEmpty()) {
      spec = withVip(spec, a.vip());
    }
    return spec;
  }

  private static final Pattern VIP = Pattern.compile("([^:]+):(\\d{1,5})(?:->(\\d{1,5}))?");

  /** A {@code vip}, {@code "web:8080"} or {@code "web:80->8080"}. */
  private static ServiceSpec withVip(ServiceSpec spec, String vip) {
    Matcher m = VIP.matcher(vip);
    if (!m.matches()) {
      throw new IllegalArgumentException("vip '" + vip + "' is not name:port or name:port->containerPort, such as"
          + " \"web:8080\", or \"web:80->8080\" for a VIP on port 80 in front of the replicas' 8080");
    }
    int port = Integer.parseInt(m.group(2));
    int containerPort = m.group(3) == null ? port : Integer.parseInt(m.group(3));
    try {
      return spec.withVip(m.group(1), port, containerPort);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("vip '" + vip + "': " + e.getMessage(), e);
    }
  }

  /** A {@code files} entry, {@code "/etc/app.conf=app.conf"}, or with a mode, {@code "/bin/app:0755=app.sh"}. */
  private static ServiceSpec withFile(ServiceSpec spec, String entry) {
    int eq = entry.indexOf('=');
    if (eq <= 0 || eq == entry.length() - 1) {
      throw new IllegalArgumentException("files entry '" + entry + "' is not /path/in/container[:mode]=resource, such"
          + " as \"/etc/app.conf=app.conf\" for src/test/resources/app.conf, or \"/bin/app:0755=app.sh\" for a"
          + " file to run");
    }
    String path = entry.substring(0, eq);
    String resource = entry.substring(eq + 1);
    int colon = path.lastIndexOf(':');
    if (colon < 0) {
      return spec.withClasspathResource(path, resource);
    }
    String mode = path.substring(colon + 1);
    if (!mode.matches("[0-7]{3,5}") || Integer.parseInt(mode, 8) > 07777) {
      throw new IllegalArgumentException("files entry '" + entry + "' has the mode '" + mode + "': give the file's"
          + " POSIX mode in octal after a colon, such as \"/bin/app:0755=app.sh\"");
    }
    return spec.withClasspathResource(path.substring(0, colon), resource, Integer.parseInt(mode, 8));
  }

  /** A {@code portNames} entry, {@code "admin=9090"}. */
  private static ServiceSpec withPortName(ServiceSpec spec, String entry) {
    int eq = entry.indexOf('=');
    int port;
    try {
      port = eq > 0 ? Integer.parseInt(entry.substring(eq + 1)) : -1;
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0) {
      throw new IllegalArgumentException("portNames entry '" + entry + "' is not name=port, such as \"admin=9090\"");
    }
    try {
      return spec.withPortName(port, entry.substring(0, eq));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("portNames entry '" + entry + "': " + e.getMessage(), e);
    }
  }

  /** A {@code protocols} entry, {@code "5432/postgres"}. */
  private static ServiceSpec withProtocol(ServiceSpec spec, String entry) {
    int slash = entry.indexOf('/');
    int port;
    try {
      port = slash > 0 ? Integer.parseInt(entry.substring(0, slash)) : -1;
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0) {
      throw new IllegalArgumentException("protocols entry '" + entry + "' is not port/protocol, such as"
          + " \"5432/postgres\" or \"53/udp\"");
    }
    try {
      return spec.withExposedPort(port, Protocol.named(entry.substring(slash + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("protocols entry '" + entry + "': " + e.getMessage(), e);
    }
  }

  /**
   * The client a {@link ClientContainer} annotation defines (without its bindings), or the default client.
   *
   * @throws IllegalArgumentException naming the attribute and entry that are malformed
   */
  static ServiceSpec client(Optional<ClientContainer> annotation, String defaultImage) {
    if (annotation.isEmpty()) {
      return ServiceSpec.from(defaultImage);
    }
    ClientContainer a = annotation.get();
    ServiceSpec spec = image(a.image().isEmpty() && a.build().isEmpty() ? defaultImage : a.image(), a.build(),
        a.dockerfile(), a.buildArgs());
    if (a.command().length > 0) {
      spec = spec.withCommand(a.command());
    }
    if (!a.workdir().isEmpty()) {
      spec = spec.withWorkdir(a.workdir());
    }
    return withLabels(withEnv(spec, a.env()), a.labels());
  }

  /** The image, named or built: exactly one of {@code image} and {@code build}. */
  private static ServiceSpec image(String image, String build, String dockerfile, String[] buildArgs) {
    if (!image.isEmpty() && !build.isEmpty()) {
      throw new IllegalArgumentException("image and build are both set: give image to run an image as it is, or"
          + " build to build one from a Dockerfile");
    }
    if (build.isEmpty()) {
      if (!dockerfile.isEmpty() || buildArgs.length > 0) {
        throw new IllegalArgumentException((dockerfile.isEmpty() ? "buildArgs" : "dockerfile") + " is set but"
            + " build is not: give the build context too, such as build = \"src/test/docker/app\"");
      }
      return ServiceSpec.from(image);
    }
    ServiceSpec spec = ServiceSpec.fromDockerfile(Path.of(build), dockerfile.isEmpty() ? "Dockerfile" : dockerfile);
    for (String argument : buildArgs) {
      var entry = keyValue("buildArgs", argument, "NAME=value");
      spec = spec.withBuildArg(entry.getKey(), entry.getValue());
    }
    return spec;
  }

  /** Applies {@code env} entries, {@code "NAME=value"} each, of a service or a client. */
  private static ServiceSpec withEnv(ServiceSpec spec, String[] env) {
    for (String variable : env) {
      var entry = keyValue("env", variable, "NAME=value");
      spec = spec.withEnv(entry.getKey(), entry.getValue());
    }
    return spec;
  }

  /** Applies {@code labels} entries, {@code "key=value"} each, of a service or a client. */
  /** A {@code cacheVolumes} entry: {@code name:/path}, and {@code :private} or {@code :locked} for those sharings. */
  private static ServiceSpec withCacheVolume(ServiceSpec spec, String entry) {
    String[] parts = entry.split(":", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException("cacheVolumes entry '" + entry + "' is not name:/path[:shared|private|locked],"
          + " such as \"redis-data:/data\" or \"maven-repo:/root/.m2:locked\"");
    }
    return switch (parts.length == 2 ? "shared" : parts[2]) {
      case "shared" -> spec.withCacheVolume(parts[1], parts[0]);
      case "private" -> spec.withPrivateCacheVolume(parts[1], parts[0]);
      case "locked" -> spec.withLockedCacheVolume(parts[1], parts[0]);
      default -> throw new IllegalArgumentException("cacheVolumes entry '" + entry + "' ends in '" + parts[2]
          + "', which is no sharing: use shared (the default), private (the session's own) or locked (one user at"
          + " a time)");
    };
  }

  private static ServiceSpec withLabels(ServiceSpec spec, String[] labels) {
    for (String label : labels) {
      var entry = keyValue("labels", label, "key=value, such as \"com.example.team=payments\"");
      spec = spec.withLabel(entry.getKey(), entry.getValue());
    }
    return spec;
  }

  /** An entry of an array attribute that pairs a key with a value: {@code "key=value"}, in the {@code form} given. */
  private static Map.Entry<String, String> keyValue(String attribute, String entry, String form) {
    int eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException(attribute + " entry '" + entry + "' is not " + form);
    }
    return Map.entry(entry.substring(0, eq), entry.substring(eq + 1));
  }

  /**
   * A size as docker's flags take it: a number of bytes, or of KiB, MiB or GiB with {@code k}, {@code m}, {@code g}.
   */
  static long bytes(String attribute, String size) {
    Matcher m = SIZE.matcher(size.strip().toLowerCase(java.util.Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(attribute + " '" + size + "' is not a size such as \"256m\" (b, k, m or g)");
    }
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 0;
    };
    return Long.parseLong(m.group(1)) << shift;
  }

  private static ServiceSpec withReadyHttp(ServiceSpec spec, String request) {
    int slash = request.indexOf('/');
    int port;
    try {
      port = slash > 0 ? Integer.parseInt(request.substring(0, slash)) : -1;
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0) {
      throw new IllegalArgumentException("readyHttp '" + request + "' is not port/path, such as"
          + " \"8080/actuator/health\"");
    }
    return spec.withReadyHttp(port, request.substring(slash));
  }

  /** The attributes that define a service, where set: a {@code ServiceSpec} field must leave them out. */
  static List<String> definitionAttributes(ServiceContainer a) {
    var set = new ArrayList<String>();
    addIf(set, !a.image().isEmpty(), "image");
    addIf(set, !a.build().isEmpty(), "build");
    addIf(set, !a.dockerfile().isEmpty(), "dockerfile");
    addIf(set, a.buildArgs().length > 0, "buildArgs");
    addIf(set, a.ports().length > 0, "ports");
    addIf(set, a.protocols().length > 0, "protocols");
    addIf(set, a.portNames().length > 0, "portNames");
    addIf(set, a.uncheckedPorts().length > 0, "uncheckedPorts");
    addIf(set, a.command().length > 0, "command");
    addIf(set, a.env().length > 0, "env");
    addIf(set, a.ready().length > 0, "ready");
    addIf(set, a.readyHealthcheck(), "readyHealthcheck");
    addIf(set, a.ignoreHealthcheck(), "ignoreHealthcheck");
    addIf(set, !a.reuse(), "reuse");
    addIf(set, a.resetCommand().length > 0, "resetCommand");
    addIf(set, !a.readyLogLine().isEmpty(), "readyLogLine");
    addIf(set, a.readyLogLineTimes() != 1, "readyLogLineTimes");
    addIf(set, !a.readyHttp().isEmpty(), "readyHttp");
    addIf(set, a.files().length > 0, "files");
    addIf(set, a.tmpfs().length > 0, "tmpfs");
    addIf(set, a.cacheVolumes().length > 0, "cacheVolumes");
    addIf(set, a.labels().length > 0, "labels");
    addIf(set, !a.user().isEmpty(), "user");
    addIf(set, !a.shmSize().isEmpty(), "shmSize");
    addIf(set, !a.instance().isEmpty(), "instance");
    addIf(set, a.replicas() != 1, "replicas");
    addIf(set, !a.vip().isEmpty(), "vip");
    return set;
  }

  /** The {@code ServiceSpec} method that does what an attribute of {@link #definitionAttributes} does. */
  static String specMethod(String attribute) {
    return switch (attribute) {
      case "image" -> "ServiceSpec.from";
      case "build", "dockerfile" -> "ServiceSpec.fromDockerfile";
      case "buildArgs" -> "withBuildArg";
      case "ports", "protocols" -> "withExposedPort";
      case "uncheckedPorts" -> "withUncheckedPort";
      case "portNames" -> "withPortName";
      case "ignoreHealthcheck" -> "withoutReadyHealthcheck";
      case "reuse" -> "withoutReuse";
      case "resetCommand" -> "withResetCommand";
      case "ready" -> "withReadyCommand";
      case "readyLogLine", "readyLogLineTimes" -> "withReadyLogLine";
      case "files" -> "withClasspathResource";
      case "cacheVolumes" -> "withCacheVolume";
      case "labels" -> "withLabel";
      case "instance" -> "withInstanceId";
      default -> "with" + Character.toUpperCase(attribute.charAt(0)) + attribute.substring(1);
    };
  }

  private static void addIf(List<String> set, boolean isSet, String attribute) {
    if (isSet) {
      set.add(attribute);
    }
  }
}
