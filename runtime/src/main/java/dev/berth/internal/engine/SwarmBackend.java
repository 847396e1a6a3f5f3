package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.BerthException;
import dev.berth.ExecResult;
import dev.berth.internal.engine.ContainerRequest.ContainerPort;
import dev.berth.internal.engine.SwarmServices.ConfigFile;
import dev.berth.internal.spec.Labels;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker Swarm's side of the {@link Engine} ({@code berth.engine=swarm}), on the connection to a manager. A
 * service's container becomes a swarm service of one task ({@link SwarmServices} says how) on the session's
 * attachable overlay network; clients and the readiness probe stay plain containers, attached to that network on
 * the manager's node. What the rest of Berth holds is the task's container (or, on another node, the task:
 * {@link SwarmTasks}): its id is what exits, output, execs and files go by, and removing it removes its service, with
 * the configs that carried its files.
 *
 * <p>Listings answer with the labelled containers and, for a labelled service that has no container yet (a run
 * killed while Swarm scheduled it), the service itself: the sweeps and the watchdog remove both the same way.
 */
final class SwarmBackend extends DockerBackend {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /** The bridge Swarm gives every node, through which tasks and attached containers reach the node's machine. */
  private static final String NODE_BRIDGE = "docker_gwbridge";
  private static final String SERVICE_ID = "com.docker.swarm.service.id";
  private final SwarmTasks tasks;
  private final NodeEngines nodes;

  private SwarmBackend(DockerBackend connection, String localNode, NodeEngines nodes) {
    super(connection);
    this.tasks = new SwarmTasks(json, localNode);
    this.nodes = nodes;
  }

  /**
   * The Swarm backend on {@code connection}, whose engine must be a manager of an active swarm.
   *
   * @throws BerthException saying how to make one, if it is not
   */
  static SwarmBackend on(DockerBackend connection, NodeEngines nodes) {
    JsonNode swarm = connection.json.get("/info").orElseThrow().path("Swarm");
    String state = swarm.path("LocalNodeState").asText("inactive");
    if (!state.equals("active") || !swarm.path("ControlAvailable").asBoolean(false)) {
      throw new BerthException("berth.engine is swarm, but the engine at " + connection.host() + " is not a manager"
          + " of a swarm (its swarm state: " + state + (state.equals("active") ? ", a worker" : "") + "). Point"
          + " berth.dockerHost at a manager, make this engine one (docker swarm init), or leave berth.engine out to"
          + " run on this engine alone");
    }
    return new SwarmBackend(connection, swarm.path("NodeID").asText(), nodes);
  }

  @Override
  public boolean swarm() {
    return true;
  }

  /** An attachable overlay network: swarm services and plain containers alike join it. */
  @Override
  public String createNetwork(String session, Map<String, String> labels, boolean engineDns) {
    String name = SwarmServices.objectName(session);
    ObjectNode body = EngineClient.MAPPER.createObjectNode().put("Name", name).put("Driver", "overlay")
        .put("Attachable", true).put("CheckDuplicate", true);
    ObjectNode labelNode = body.putObject("Labels");
    labels.forEach(labelNode::put);
    EngineJson.Answer answer = json.post(json.versioned("/networks/create"), body);
    if (answer.status() == 409 || answer.status() / 100 != 2 && answer.body().contains("already exists")) {
      return json.get("/networks/" + name).map(n -> n.path("Id").asText())
          .orElseThrow(() -> new BerthException("Swarm says network " + name + " exists, but does not show it"));
    }
    requireSuccess(answer, "create the overlay network " + name);
    // IPVS VIPs would keep a hung replica in rotation and need a kernel module many hosts lack: say what is used.
    LOG.info("Swarm network {}: services answer by Swarm's DNS (endpoint mode dnsrr, tasks.<name> lists replicas);"
        + " VIPs are balanced by Berth, not by the engine's IPVS", name);
    return read(answer).path("Id").asText();
  }

  /**
   * The gateway of the node's {@code docker_gwbridge}: an overlay network has no address of the node's (its
   * gateway lives inside the network), and every task and attached container reaches the node's machine this way.
   */
  @Override
  public String gateway(String network) {
    return json.get("/networks/" + NODE_BRIDGE).flatMap(bridge -> {
      for (JsonNode config : bridge.path("IPAM").path("Config")) {
        String gateway = config.path("Gateway").asText("");
        Optional<String> address = gateway.isEmpty() ? firstAddress(config.path("Subnet").asText("")) : Optional.of(
            gateway);
        if (address.isPresent()) {
          return address;
        }
      }
      return Optional.empty();
    }).orElseThrow(() -> new BerthException("The swarm node at " + host() + " has no " + NODE_BRIDGE + " network,"
        + " through which containers reach its machine; Swarm makes it when the node joins a swarm"));
  }

  @Override
  public StartedContainer createAndStart(ContainerRequest request, String network, DnsSettings dns, String publishOn) {
    if (!"service".equals(request.labels().get(Labels.ROLE))) {
      return super.createAndStart(request, SwarmServices.objectName(network), dns, publishOn);
    }
    String service = SwarmServices.objectName(request.name());
    List<ConfigFile> files = SwarmServices.configFiles(request);
    Map<String, String> configIds = new LinkedHashMap<>();
    for (ConfigFile file : files) {
      configIds.put(file.configName(), config(file, request.labels(), service));
    }
    ObjectNode spec = SwarmServices.serviceSpec(request, SwarmServices.objectName(network), dns, files, configIds);
    EngineJson.Answer answer = json.post(json.versioned("/services/create"), spec);
    if (answer.status() == 409) {
      throw new NameTakenException(service, new BerthException(answer.body()));
    }
    requireSuccess(answer, "create service " + service + " (" + request.image() + ")");
    String serviceId = read(answer).path("ID").asText();
    try {
      return tasks.started(tasks.awaitContainer(serviceId, service), networkName(network), request.ports())
          .orElseThrow(() -> new BerthException("The task container of swarm service " + service + " vanished as it"
              + " started"));
    } catch (RuntimeException e) {
      removeService(serviceId);
      throw e;
    }
  }

  /** The config that carries a file, made unless a run of the session made it already (its name is its content). */
  private String config(ConfigFile file, Map<String, String> labels, String service) {
    EngineJson.Answer answer = json.post(json.versioned("/configs/create"),
        SwarmServices.configSpec(file, labels, service));
    if (answer.status() == 409) {
      return json.get("/configs/" + file.configName()).map(c -> c.path("ID").asText()).orElseThrow(
          () -> new BerthException("Swarm says config " + file.configName() + " exists, but does not show it"));
    }
    requireSuccess(answer, "create the config " + file.configName() + " for " + file.path());
    return read(answer).path("ID").asText();
  }

  /**
   * A plain container by name, else a swarm service by name: running if its task's container runs; otherwise the
   * service's id stands for it, for the caller to remove.
   */
  @Override
  public Optional<ExistingContainer> findContainer(String name, String network, List<ContainerPort> ports) {
    Optional<ExistingContainer> container = super.findContainer(name, networkName(network), ports);
    if (container.isPresent()) {
      return container;
    }
    return json.get("/services/" + SwarmServices.objectName(name)).map(service -> {
      String serviceId = service.path("ID").asText();
      for (JsonNode task : tasks.of(serviceId)) {
        if (task.path("Status").path("State").asText().equals("running")) {
          Optional<StartedContainer> running = tasks.started(task, networkName(network), ports);
          if (running.isPresent()) {
            return new ExistingContainer(true, running.get());
          }
        }
      }
      return new ExistingContainer(false, new StartedContainer(serviceId, "", Map.of(), Healthcheck.NONE));
    });
  }

  /** A task's container goes with its service (and the service's configs); a plain container as on one engine. */
  @Override
  public void remove(String id) {
    if (SwarmTasks.remote(id)) {
      tasks.get(id).ifPresent(task -> removeService(task.path("ServiceID").asText()));
      return;
    }
    Optional<JsonNode> container = json.container(id);
    if (container.isPresent()) {
      String serviceId = container.get().path("Config").path("Labels").path(SERVICE_ID).asText("");
      if (!serviceId.isEmpty()) {
        removeService(serviceId);
      }
      super.remove(id);
      return;
    }
    json.get("/services/" + id).ifPresent(service -> removeService(service.path("ID").asText()));
  }

  /**
   * Removes the service, then its task's containers at once (Swarm would stop them with the service's own grace
   * period, and the network stays in use until they go), then the configs made for it.
   */
  private void removeService(String serviceId) {
    Optional<JsonNode> service = json.get("/services/" + serviceId);
    EngineJson.Answer answer = json.delete(json.versioned("/services/" + serviceId));
    if (answer.status() != 404) {
      requireSuccess(answer, "remove service " + serviceId);
    }
    super.containersLabelled(Map.of(SERVICE_ID, serviceId)).forEach(super::remove);
    service.map(s -> s.path("Spec").path("Name").asText()).ifPresent(name ->
        removeConfigs(SwarmServices.filter("label", SwarmServices.CONFIG_OF + "=" + name)));
  }

  /** Removes the configs the filter names that no service uses. */
  private void removeConfigs(String filter) {
    json.get("/configs?filters=" + filter).ifPresent(configs -> configs.forEach(config -> {
      EngineJson.Answer answer = json.delete(json.versioned("/configs/" + config.path("ID").asText()));
      if (answer.status() / 100 != 2 && answer.status() != 404) {
        LOG.debug("config {} is kept: {}", config.path("Spec").path("Name").asText(), answer.body());
      }
    }));
  }

  /**
   * Removes the network, and with it what configs of its session are left: a run killed between making a
   * service's configs and the service leaves them, and the session's end is the last time anything looks.
   */
  @Override
  public void removeNetwork(String network) {
    String id = SwarmServices.objectName(network);
    Optional<String> session = json.get("/networks/" + id)
        .map(n -> n.path("Labels").path(Labels.SESSION).asText("")).filter(s -> !s.isEmpty());
    super.removeNetwork(id);
    // The manager answers the removal before the network is gone from its list: wait, so that the run's end
    // leaves nothing (at most a few seconds).
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (json.get("/networks/" + id).isPresent() && System.nanoTime() < deadline) {
      SwarmTasks.pause(50);
    }
    session.ifPresent(s -> removeConfigs(SwarmServices.filter("label", Labels.SESSION + "=" + s)));
  }

  /** A task on another node: the manager cannot wait for its container ({@link SwarmTasks#exit}). */
  @Override
  public CompletableFuture<Integer> exitCode(String id) {
    return SwarmTasks.remote(id) ? tasks.exit(id) : super.exitCode(id);
  }

  @Override
  public String output(String id, Duration timeout, String what) {
    return SwarmTasks.remote(id) ? streams.taskOutput(SwarmTasks.id(id), timeout, what)
        : super.output(id, timeout, what);
  }

  @Override
  public Closeable followLogs(String id, Consumer<String> lines, Runnable end, Integer tail) {
    return SwarmTasks.remote(id) ? streams.followTaskLogs(SwarmTasks.id(id), lines, end, tail)
        : super.followLogs(id, lines, end, tail);
  }

  @Override
  public ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where) {
    return exec(id, command, workdir, timeout, timeoutKey, where, new CompletableFuture<>());
  }

  @Override
  public ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where, CompletableFuture<?> abandonWhen) {
    if (SwarmTasks.remote(id)) {
      var task = onItsNode(id, "run " + command + " in " + where);
      return task.engine().exec(task.containerId(), command, workdir, timeout, timeoutKey, where, abandonWhen);
    }
    return super.exec(id, command, workdir, timeout, timeoutKey, where, abandonWhen);
  }

  @Override
  public void writeFile(String id, String path, byte[] contents, String where) {
    if (SwarmTasks.remote(id)) {
      var task = onItsNode(id, "write " + path + " into " + where);
      task.engine().writeFile(task.containerId(), path, contents, where);
      return;
    }
    super.writeFile(id, path, contents, where);
  }

  @Override
  public byte[] readFile(String id, String path, String where) {
    if (SwarmTasks.remote(id)) {
      var task = onItsNode(id, "read " + path + " of " + where);
      return task.engine().readFile(task.containerId(), path, where);
    }
    return super.readFile(id, path, where);
  }

  /** The container of a task on another node than the manager's, on that node's engine ({@link NodeEngines}). */
  private NodeEngines.Target onItsNode(String remote, String what) {
    JsonNode task = tasks.get(remote).orElseThrow(() -> new BerthException("Cannot " + what + ": its swarm task "
        + SwarmTasks.id(remote) + " is gone"));
    return nodes.containerOf(task, tasks.nodeAddress(task.path("NodeID").asText()), what);
  }

  @Override
  public void close() {
    nodes.close();
    super.close();
  }

  /** A task on another node stops with its service's removal, which follows. */
  @Override
  public void stop(String id, Duration timeout) {
    if (!SwarmTasks.remote(id)) {
      super.stop(id, timeout);
    }
  }

  @Override
  public List<Listed> containersOf(Map<String, String> labels) {
    var listed = new ArrayList<>(super.containersOf(labels));
    Set<String> withContainers = new HashSet<>();
    listed.forEach(c -> withContainers.add(c.labels().getOrDefault(SERVICE_ID, "")));
    for (JsonNode service : services(labels)) {
      String serviceId = service.path("ID").asText();
      if (!withContainers.contains(serviceId)) {
        listed.add(new Listed(serviceId, labels(service.path("Spec").path("Labels"))));
      }
    }
    return listed;
  }

  @Override
  public List<String> containersLabelled(Map<String, String> labels) {
    return containersOf(labels).stream().map(Listed::id).toList();
  }

  private List<JsonNode> services(Map<String, String> labels) {
    var found = new ArrayList<JsonNode>();
    String filter = SwarmServices.filter("label", labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .toArray(String[]::new));
    json.get("/services?filters=" + filter).ifPresent(all -> all.forEach(found::add));
    return found;
  }

  @Override
  public Closeable watchDisconnects(String network, Consumer<String> disconnected) {
    return super.watchDisconnects(SwarmServices.objectName(network), disconnected);
  }

  @Override
  public void disconnect(String network, String container) {
    super.disconnect(SwarmServices.objectName(network), container);
  }

  /**
   * The network's name on the swarm (the session's, made a DNS label), as a container's inspection keys its
   * networks; Berth may hold the id.
   */
  private String networkName(String network) {
    String name = SwarmServices.objectName(network);
    return json.get("/networks/" + name).map(n -> n.path("Name").asText(name)).orElse(name);
  }

  private static void requireSuccess(EngineJson.Answer answer, String what) {
    if (answer.status() / 100 != 2) {
      throw new BerthException("Swarm refused to " + what + ": status " + answer.status() + ", " + answer.body());
    }
  }

  private static JsonNode read(EngineJson.Answer answer) {
    try {
      return EngineClient.MAPPER.readTree(answer.body());
    } catch (IOException e) {
      throw new UncheckedIOException("Reading Swarm's answer failed: " + answer.body(), e);
    }
  }


}
