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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker Swarm's side of the {@link Engine} ({@code berth.engine=swarm}), on the connection to a manager. A
 * service's container becomes a swarm service of one task ({@link SwarmServices} says how) on the session's
 * attachable overlay network; clients and the readiness probe stay plain containers, attached to that network on
 * the manager's node. What the rest of Berth holds is the task's container: its id is what exits, output, execs and
 * files go by, and removing it removes its service, with the configs that carried its files.
 *
 * <p>Listings answer with the labelled containers and, for a labelled service that has no container yet (a run
 * killed while Swarm scheduled it), the service itself: the sweeps and the watchdog remove both the same way.
 */
final class SwarmBackend extends DockerBackend {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /** The bridge Swarm gives every node, through which tasks and attached containers reach the node's machine. */
  private static final String NODE_BRIDGE = "docker_gwbridge";
  private static final String SERVICE_ID = "com.docker.swarm.service.id";
  /** How long Swarm may take to run a service's task: scheduling, and a pull on a node that lacks the image. */
  private static final Duration TASK_DEADLINE = Duration.ofMinutes(2);
  private static final Set<String> ENDED = Set.of("complete", "failed", "shutdown", "rejected", "orphaned", "remove");

  /** What stands for a task on another node than the manager's, where Berth would hold its container's id. */
  static final String REMOTE_TASK = "swarm-task-";
  private static final Duration TASK_POLL = Duration.ofMillis(500);
  /** Follows the states of tasks on other nodes, whose containers the manager cannot wait for. */
  private static final ScheduledExecutorService TASK_WATCH = Executors.newSingleThreadScheduledExecutor(task -> {
    var thread = new Thread(task, "berth-swarm-tasks");
    thread.setDaemon(true);
    return thread;
  });

  /** The manager's own node: its tasks' containers are the manager's engine's. */
  private final String localNode;

  private SwarmBackend(DockerBackend connection, String localNode) {
    super(connection);
    this.localNode = localNode;
  }

  /**
   * The Swarm backend on {@code connection}, whose engine must be a manager of an active swarm.
   *
   * @throws BerthException saying how to make one, if it is not
   */
  static SwarmBackend on(DockerBackend connection) {
    JsonNode swarm = connection.json.get("/info").orElseThrow().path("Swarm");
    String state = swarm.path("LocalNodeState").asText("inactive");
    if (!state.equals("active") || !swarm.path("ControlAvailable").asBoolean(false)) {
      throw new BerthException("berth.engine is swarm, but the engine at " + connection.host() + " is not a manager"
          + " of a swarm (its swarm state: " + state + (state.equals("active") ? ", a worker" : "") + "). Point"
          + " berth.dockerHost at a manager, make this engine one (docker swarm init), or leave berth.engine out to"
          + " run on this engine alone");
    }
    return new SwarmBackend(connection, swarm.path("NodeID").asText());
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
      return fromTask(runningTask(serviceId, service), networkName(network), request.ports())
          .orElseThrow(() -> new BerthException("The task container of swarm service " + service + " vanished as it"
              + " started"));
    } catch (RuntimeException e) {
      removeService(serviceId);
      throw e;
    }
  }

  /**
   * A task with a container as a started container: on the manager's node, the container itself; on another, the
   * task stands for it ({@link #REMOTE_TASK}), with its address and ports as Swarm keeps them. Either way with the
   * node's address, where its ports are published. Empty if the local container is gone.
   */
  private Optional<StartedContainer> fromTask(JsonNode task, String network, List<ContainerPort> ports) {
    String node = task.path("NodeID").asText();
    Optional<String> nodeAddress = Optional.of(nodeAddress(node));
    if (node.equals(localNode)) {
      String id = task.path("Status").path("ContainerStatus").path("ContainerID").asText();
      return json.container(id).map(info -> started(info, network, ports)).map(c -> new StartedContainer(c.id(),
          c.address(), c.hostPorts(), c.healthcheck(), nodeAddress));
    }
    return Optional.of(SwarmServices.startedRemotely(task, network, ports, nodeAddress.get()));
  }

  /** Where a node publishes ports ({@link SwarmServices#nodeAddress}). */
  private String nodeAddress(String nodeId) {
    return SwarmServices.nodeAddress(json.get("/nodes/" + nodeId)
        .orElseThrow(() -> new BerthException("Swarm has no node " + nodeId)));
  }

  /**
   * Waits for the service's task to have a container, and returns the task: running, or already ended (then its
   * exit and output tell the lifecycle what went wrong, as for a container of a single engine). A task Swarm gave up
   * on without a container fails with Swarm's reason.
   */
  private JsonNode runningTask(String serviceId, String service) {
    long deadline = System.nanoTime() + TASK_DEADLINE.toNanos();
    String lastState = "not yet scheduled";
    while (true) {
      for (JsonNode task : tasks(serviceId)) {
        JsonNode status = task.path("Status");
        String state = status.path("State").asText();
        String container = status.path("ContainerStatus").path("ContainerID").asText("");
        if (!container.isEmpty() && (state.equals("running") || ENDED.contains(state))) {
          return task;
        }
        if (ENDED.contains(state)) {
          throw new BerthException("Swarm could not run service " + service + ": its task ended " + state + ", "
              + status.path("Err").asText(status.path("Message").asText("without a word")) + ". See docker"
              + " service ps --no-trunc " + service);
        }
        lastState = state + (status.path("Err").asText("").isEmpty() ? "" : " (" + status.path("Err").asText() + ")");
      }
      if (System.nanoTime() > deadline) {
        throw new BerthException("Swarm did not run the task of service " + service + " within "
            + TASK_DEADLINE.toSeconds() + " s; its last state: " + lastState + ". See docker service ps --no-trunc "
            + service + ": a node may lack the image, or have no room for the task");
      }
      sleep(50);
    }
  }

  private List<JsonNode> tasks(String serviceId) {
    var found = new ArrayList<JsonNode>();
    json.get("/tasks?filters=" + filter("service", serviceId)).ifPresent(all -> all.forEach(found::add));
    return found;
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
      for (JsonNode task : tasks(serviceId)) {
        if (task.path("Status").path("State").asText().equals("running")) {
          Optional<StartedContainer> running = fromTask(task, networkName(network), ports);
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
    if (id.startsWith(REMOTE_TASK)) {
      task(id).ifPresent(task -> removeService(task.path("ServiceID").asText()));
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
        removeConfigs(filter("label", SwarmServices.CONFIG_OF + "=" + name)));
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
      sleep(50);
    }
    session.ifPresent(s -> removeConfigs(filter("label", Labels.SESSION + "=" + s)));
  }

  /** A task on another node: the manager cannot wait for its container, so its state is looked at twice a second. */
  @Override
  public CompletableFuture<Integer> exitCode(String id) {
    if (!id.startsWith(REMOTE_TASK)) {
      return super.exitCode(id);
    }
    var exit = new CompletableFuture<Integer>();
    var watch = TASK_WATCH.scheduleWithFixedDelay(() -> {
      try {
        Optional<JsonNode> task = task(id);
        if (task.isEmpty()) {
          exit.completeExceptionally(new BerthException("swarm task " + id + " was removed"));
        } else if (ENDED.contains(task.get().path("Status").path("State").asText())) {
          exit.complete(task.get().path("Status").path("ContainerStatus").path("ExitCode").asInt(-1));
        }
      } catch (RuntimeException e) {
        LOG.debug("looking at swarm task {} failed", id, e);
      }
    }, 0, TASK_POLL.toMillis(), TimeUnit.MILLISECONDS);
    exit.whenComplete((code, failure) -> watch.cancel(false));
    return exit;
  }

  @Override
  public String output(String id, Duration timeout, String what) {
    return id.startsWith(REMOTE_TASK) ? streams.taskOutput(taskId(id), timeout, what)
        : super.output(id, timeout, what);
  }

  @Override
  public Closeable followLogs(String id, Consumer<String> lines, Runnable end, Integer tail) {
    return id.startsWith(REMOTE_TASK) ? streams.followTaskLogs(taskId(id), lines, end, tail)
        : super.followLogs(id, lines, end, tail);
  }

  @Override
  public ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where) {
    requireLocal(id, "run " + command + " in " + where);
    return super.exec(id, command, workdir, timeout, timeoutKey, where);
  }

  @Override
  public ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where, CompletableFuture<?> abandonWhen) {
    requireLocal(id, "run " + command + " in " + where);
    return super.exec(id, command, workdir, timeout, timeoutKey, where, abandonWhen);
  }

  @Override
  public void writeFile(String id, String path, byte[] contents, String where) {
    requireLocal(id, "write " + path + " into " + where);
    super.writeFile(id, path, contents, where);
  }

  @Override
  public byte[] readFile(String id, String path, String where) {
    requireLocal(id, "read " + path + " of " + where);
    return super.readFile(id, path, where);
  }

  /** A task on another node stops with its service's removal, which follows. */
  @Override
  public void stop(String id, Duration timeout) {
    if (!id.startsWith(REMOTE_TASK)) {
      super.stop(id, timeout);
    }
  }

  /** Fails, saying why, where a call needs the container of a task on another node than the manager's. */
  private void requireLocal(String id, String what) {
    if (id.startsWith(REMOTE_TASK)) {
      String node = task(id).map(t -> t.path("NodeID").asText()).map(this::nodeAddress).orElse("another node");
      throw new BerthException("Cannot " + what + ": its swarm task runs on the node at " + node + ", and the"
          + " manager's engine, which Berth speaks to, reaches only its own node's containers. Reach the service from"
          + " a client container instead, or run its tests against a swarm whose manager runs the service");
    }
  }

  private Optional<JsonNode> task(String id) {
    return json.get("/tasks/" + taskId(id));
  }

  private static String taskId(String id) {
    return id.substring(REMOTE_TASK.length());
  }

  @Override
  public List<Listed> containersOf(Map<String, String> labels) {
    var listed = new ArrayList<>(super.containersOf(labels));
    Set<String> withContainers = new HashSet<>();
    listed.forEach(c -> withContainers.add(c.labels().getOrDefault(SERVICE_ID, "")));
    for (JsonNode service : services(labels)) {
      String serviceId = service.path("ID").asText();
      if (!withContainers.contains(serviceId)) {
        var serviceLabels = new LinkedHashMap<String, String>();
        service.path("Spec").path("Labels").fields().forEachRemaining(f -> serviceLabels.put(f.getKey(),
            f.getValue().asText()));
        listed.add(new Listed(serviceId, serviceLabels));
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
    String filter = filter("label", labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
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

  /** A list filter of the engine's API, URL-encoded: {@code {"label":["a=b"]}}. */
  private static String filter(String key, String... values) {
    ObjectNode filter = EngineClient.MAPPER.createObjectNode();
    var array = filter.putArray(key);
    for (String value : values) {
      array.add(value);
    }
    return URLEncoder.encode(filter.toString(), StandardCharsets.UTF_8);
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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while waiting for Swarm", e);
    }
  }
}
