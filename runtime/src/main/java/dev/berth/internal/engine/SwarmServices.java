package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.BerthException;
import dev.berth.internal.engine.ContainerRequest.ContainerPort;
import dev.berth.internal.engine.Engine.DnsSettings;
import dev.berth.internal.spec.Labels;
import dev.berth.internal.spec.Tar;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a service's container request becomes in Docker Swarm's terms: a service of one task, its files as configs.
 * Only the translation, no calls: {@link SwarmBackend} sends it.
 *
 * <p>The service resolves its names by DNS round robin ({@code dnsrr}): a name of a one-task service is then the
 * task's own address, as a container's is on a single engine, and needs no IPVS (which a VIP does, and which not
 * every node's kernel has). Its ports are published in host mode, on the node the task runs on: the routing mesh
 * (ingress) needs IPVS too. Swarm restarts no service ({@code Condition: none}): one that dies is Berth's to
 * notice and replace, as on a single engine. A replica it restarts, also on another node when its node goes: the
 * group's name is the engine's and follows it.
 */
final class SwarmServices {

  /** The label that ties a config to the service it was made for; removed with it. */
  static final String CONFIG_OF = "dev.berth.swarm.service";
  /** The largest config Swarm accepts (its raft log carries every config). */
  static final int CONFIG_LIMIT = 500 * 1024;

  private SwarmServices() {
  }

  /**
   * A container's name as the name of a Swarm object: a DNS label (letters, digits and hyphens, at most 63), which
   * a long session's name can outgrow; then its start and a digest of the whole, so that it stays unique and the
   * same for every run.
   */
  static String objectName(String name) {
    String label = name.replaceAll("[^a-zA-Z0-9-]", "-");
    if (label.length() <= 63 && label.equals(name)) {
      return label;
    }
    return label.substring(0, Math.min(label.length(), 50)) + "-" + sha256(name).substring(0, 12);
  }

  /** A file of the request as the config that carries it: its name, mode and contents. */
  record ConfigFile(String path, int mode, byte[] data, String configName) {
  }

  /**
   * The configs that carry the request's files, named after the service and their content: equal files of one
   * service share a name, so a second run of the session that finds the config made uses it as it is.
   */
  static List<ConfigFile> configFiles(ContainerRequest request) {
    if (request.files() == null) {
      return List.of();
    }
    return Tar.files(request.files()).stream().map(file -> {
      if (file.data().length > CONFIG_LIMIT) {
        throw new BerthException("File " + file.path() + " of container " + request.name() + " has "
            + file.data().length + " bytes: on Docker Swarm a service's files are configs, which may have at most "
            + CONFIG_LIMIT + " bytes. Put larger files into the image (a Dockerfile), or into a volume");
      }
      return new ConfigFile(file.path(), file.mode(), file.data(), objectName(request.name() + "-" + digest(file)));
    }).toList();
  }

  /** The body of {@code POST /configs/create} for a file. */
  static ObjectNode configSpec(ConfigFile file, Map<String, String> labels, String service) {
    ObjectNode body = EngineClient.MAPPER.createObjectNode().put("Name", file.configName())
        .put("Data", java.util.Base64.getEncoder().encodeToString(file.data()));
    ObjectNode labelNode = body.putObject("Labels");
    labels.forEach(labelNode::put);
    labelNode.put(CONFIG_OF, service);
    return body;
  }

  /**
   * The body of {@code POST /services/create}: the request's container as the one task of a service on the overlay
   * {@code network}, with its files from {@code configIds} (config name to id).
   */
  static ObjectNode serviceSpec(ContainerRequest request, String network, DnsSettings dns,
      List<ConfigFile> files, Map<String, String> configIds) {
    ObjectNode spec = EngineClient.MAPPER.createObjectNode().put("Name", objectName(request.name()));
    labels(spec.putObject("Labels"), request.labels());
    ObjectNode task = spec.putObject("TaskTemplate");
    ObjectNode container = task.putObject("ContainerSpec").put("Image", request.image())
        .put("Hostname", request.hostname());
    labels(container.putObject("Labels"), request.labels());
    ArrayNode env = container.putArray("Env");
    request.env().forEach((k, v) -> env.add(k + "=" + v));
    if (request.entrypoint() != null) {
      request.entrypoint().forEach(container.putArray("Command")::add);
    }
    if (request.command() != null) {
      request.command().forEach(container.putArray("Args")::add);
    }
    if (request.workdir() != null) {
      container.put("Dir", request.workdir());
    }
    if (request.user() != null) {
      container.put("User", request.user());
    }
    ArrayNode hosts = container.putArray("Hosts");
    request.extraHosts().forEach((name, address) -> hosts.add(address + " " + name));
    if (dns != null) {
      ObjectNode dnsConfig = container.putObject("DNSConfig");
      dnsConfig.putArray("Nameservers").add(dns.server());
      dnsConfig.putArray("Search").add(dns.search());
    }
    ArrayNode mounts = container.putArray("Mounts");
    request.volumes().forEach((path, volume) -> mounts.addObject()
        .put("Type", volume.startsWith("/") ? "bind" : "volume").put("Source", volume).put("Target", path));
    request.tmpfs().forEach((path, options) -> tmpfs(mounts.addObject().put("Type", "tmpfs").put("Target", path),
        options, request.name()));
    if (request.shmSize() != null) {
      // Swarm has no shm size of its own: a tmpfs of that size where the engine would mount /dev/shm.
      mounts.addObject().put("Type", "tmpfs").put("Target", "/dev/shm").putObject("TmpfsOptions")
          .put("SizeBytes", request.shmSize());
    }
    ArrayNode configs = container.putArray("Configs");
    for (ConfigFile file : files) {
      ObjectNode reference = configs.addObject();
      reference.putObject("File").put("Name", file.path()).put("UID", "0").put("GID", "0").put("Mode", file.mode());
      reference.put("ConfigID", configIds.get(file.configName())).put("ConfigName", file.configName());
    }
    // A replica is the swarm's to keep running (on another node, if its node goes): its group's name follows it.
    boolean replica = request.labels().containsKey(Labels.GROUP);
    task.putObject("RestartPolicy").put("Condition", replica ? "any" : "none").put("Delay", 1_000_000_000L);
    ObjectNode attachment = task.putArray("Networks").addObject().put("Target", network);
    DockerBackend.networkAliases(request, dns).forEach(attachment.putArray("Aliases")::add);
    spec.putObject("Mode").putObject("Replicated").put("Replicas", 1);
    ObjectNode endpoint = spec.putObject("EndpointSpec").put("Mode", "dnsrr");
    ArrayNode ports = endpoint.putArray("Ports");
    for (ContainerPort port : request.ports()) {
      ObjectNode published = ports.addObject().put("Protocol", port.udp() ? "udp" : "tcp")
          .put("TargetPort", port.port()).put("PublishMode", "host");
      if (port.hostPort() != null) {
        published.put("PublishedPort", port.hostPort());
      }
    }
    return spec;
  }

  /**
   * A task on another node than the manager's as the container Berth holds: its id stands for it
   * ({@link SwarmTasks#REMOTE}), its address on {@code network} and published ports are as Swarm keeps them,
   * and its ports are on {@code node}. It has no health check Berth can read (that is the node's container's).
   */
  static Engine.StartedContainer startedRemotely(JsonNode task, String network, List<ContainerPort> ports,
      String node) {
    String address = "";
    for (JsonNode attachment : task.path("NetworksAttachments")) {
      if (network.equals(attachment.path("Network").path("Spec").path("Name").asText())) {
        address = attachment.path("Addresses").path(0).asText("").replaceFirst("/.*", "");
      }
    }
    var hostPorts = new LinkedHashMap<Integer, Integer>();
    for (JsonNode port : task.path("Status").path("PortStatus").path("Ports")) {
      for (ContainerPort wanted : ports) {
        if (wanted.port() == port.path("TargetPort").asInt()
            && port.path("Protocol").asText("tcp").equals(wanted.udp() ? "udp" : "tcp")) {
          hostPorts.put(wanted.port(), port.path("PublishedPort").asInt());
        }
      }
    }
    return new Engine.StartedContainer(SwarmTasks.REMOTE + task.path("ID").asText(), address,
        Map.copyOf(hostPorts), Healthcheck.NONE, Optional.of(node));
  }

  /**
   * Where a node publishes ports, from its inspection: its address in the swarm; a manager may report 0.0.0.0
   * there, and its address for managers ({@code ip:2377}) then says it.
   */
  static String nodeAddress(JsonNode node) {
    String address = node.path("Status").path("Addr").asText("");
    if (address.isEmpty() || address.equals("0.0.0.0")) {
      address = node.path("ManagerStatus").path("Addr").asText("").replaceFirst(":\\d+$", "");
    }
    return address;
  }

  /** A list filter of the engine's API, URL-encoded: {@code {"label":["a=b"]}}. */
  static String filter(String key, String... values) {
    ObjectNode filter = EngineClient.MAPPER.createObjectNode();
    var array = filter.putArray(key);
    for (String value : values) {
      array.add(value);
    }
    return URLEncoder.encode(filter.toString(), StandardCharsets.UTF_8);
  }

  /** {@code docker run --tmpfs} options ({@code size=64m,mode=1777}) as Swarm's: size and mode are all it has. */
  static void tmpfs(ObjectNode mount, String options, String container) {
    ObjectNode tmpfs = mount.putObject("TmpfsOptions");
    for (String option : options.split(",")) {
      String o = option.strip();
      if (o.isEmpty() || o.equals("rw")) {
        continue;
      }
      if (o.startsWith("size=")) {
        tmpfs.put("SizeBytes", bytes(o.substring(5), container));
      } else if (o.startsWith("mode=")) {
        tmpfs.put("Mode", Integer.parseInt(o.substring(5), 8));
      } else {
        throw new BerthException("The tmpfs option '" + o + "' of container " + container + " has no equal on"
            + " Docker Swarm, whose tmpfs mounts take only size= and mode=: leave it out");
      }
    }
  }

  /** A size as {@code docker run --tmpfs} takes it: bytes, or with k, m or g. */
  private static long bytes(String size, String container) {
    String s = size.strip().toLowerCase(Locale.ROOT);
    long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
      case 'k' -> 1024L;
      case 'm' -> 1024L * 1024;
      case 'g' -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    try {
      return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
    } catch (NumberFormatException e) {
      throw new BerthException("The tmpfs size '" + size + "' of container " + container + " is not a size: give"
          + " bytes, or a number with k, m or g", e);
    }
  }

  private static void labels(ObjectNode node, Map<String, String> labels) {
    labels.forEach(node::put);
  }

  private static String digest(Tar.Entry file) {
    var sha = sha256();
    sha.update((file.path() + "\0" + file.mode() + "\0").getBytes(StandardCharsets.UTF_8));
    sha.update(file.data());
    return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
  }

  private static String sha256(String text) {
    return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
