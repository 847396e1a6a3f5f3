package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.BerthException;
import dev.berth.internal.engine.ContainerRequest.ContainerPort;
import dev.berth.internal.engine.Engine.StartedContainer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks of Berth's swarm services, as the manager shows them: waiting for a service's task to run, what a task
 * is to the rest of Berth, and the end of a task on another node. A task on the manager's node is its container, as
 * on one engine. A task on another node has no container the manager's engine can show: Berth holds the task itself,
 * by an id of its own ({@link #REMOTE} and the task's id), and the manager answers for it (its logs, its state).
 */
final class SwarmTasks {

  /** What stands for a task on another node than the manager's, where Berth would hold its container's id. */
  static final String REMOTE = "swarm-task-";

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /** How long Swarm may take to run a service's task: scheduling, and a pull on a node that lacks the image. */
  private static final Duration DEADLINE = Duration.ofMinutes(2);
  private static final Set<String> ENDED = Set.of("complete", "failed", "shutdown", "rejected", "orphaned", "remove");
  private static final Duration POLL = Duration.ofMillis(500);
  /** Follows the states of tasks on other nodes, whose containers the manager cannot wait for. */
  private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(task -> {
    var thread = new Thread(task, "berth-swarm-tasks");
    thread.setDaemon(true);
    return thread;
  });

  private final EngineJson json;
  /** The manager's own node: its tasks' containers are the manager's engine's. */
  private final String localNode;

  SwarmTasks(EngineJson json, String localNode) {
    this.json = json;
    this.localNode = localNode;
  }

  /** Whether Berth's id stands for a task on another node. */
  static boolean remote(String id) {
    return id.startsWith(REMOTE);
  }

  /** The task's id in what stands for it. */
  static String id(String remote) {
    return remote.substring(REMOTE.length());
  }

  /** Every task of the service, as the manager keeps them (ended ones too). */
  List<JsonNode> of(String serviceId) {
    var found = new ArrayList<JsonNode>();
    json.get("/tasks?filters=" + SwarmServices.filter("service", serviceId)).ifPresent(all -> all.forEach(found::add));
    return found;
  }

  /** The task a remote id stands for, if the manager still has it. */
  Optional<JsonNode> get(String remote) {
    return json.get("/tasks/" + id(remote));
  }

  /**
   * Waits for the service's task to have a container, and returns the task: running, or already ended (then its
   * exit and output tell the lifecycle what went wrong, as for a container of a single engine). A task Swarm gave up
   * on without a container fails with Swarm's reason.
   */
  JsonNode awaitContainer(String serviceId, String service) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String lastState = "not yet scheduled";
    while (true) {
      for (JsonNode task : of(serviceId)) {
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
            + DEADLINE.toSeconds() + " s; its last state: " + lastState + ". See docker service ps --no-trunc "
            + service + ": a node may lack the image, or have no room for the task");
      }
      pause(50);
    }
  }

  /**
   * A task with a container as a started container: on the manager's node, the container itself; on another, the
   * task stands for it, with its address and ports as Swarm keeps them. Either way with the node's address, where
   * its ports are published. Empty if the local container is gone.
   */
  Optional<StartedContainer> started(JsonNode task, String network, List<ContainerPort> ports) {
    String node = task.path("NodeID").asText();
    String nodeAddress = nodeAddress(node);
    if (node.equals(localNode)) {
      String id = task.path("Status").path("ContainerStatus").path("ContainerID").asText();
      return json.container(id).map(info -> DockerBackend.started(info, network, ports)).map(c ->
          new StartedContainer(c.id(), c.address(), c.hostPorts(), c.healthcheck(), Optional.of(nodeAddress)));
    }
    return Optional.of(SwarmServices.startedRemotely(task, network, ports, nodeAddress));
  }

  /** Where a node publishes ports ({@link SwarmServices#nodeAddress}). */
  String nodeAddress(String nodeId) {
    return SwarmServices.nodeAddress(json.get("/nodes/" + nodeId)
        .orElseThrow(() -> new BerthException("Swarm has no node " + nodeId)));
  }

  /** The exit code of a task on another node, once its state says it ended; looked at twice a second. */
  CompletableFuture<Integer> exit(String remote) {
    var exit = new CompletableFuture<Integer>();
    var watch = WATCH.scheduleWithFixedDelay(() -> {
      try {
        Optional<JsonNode> task = get(remote);
        if (task.isEmpty()) {
          exit.completeExceptionally(new BerthException("swarm task " + id(remote) + " was removed"));
        } else if (ENDED.contains(task.get().path("Status").path("State").asText())) {
          exit.complete(task.get().path("Status").path("ContainerStatus").path("ExitCode").asInt(-1));
        }
      } catch (RuntimeException e) {
        LOG.debug("looking at swarm task {} failed", id(remote), e);
      }
    }, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    exit.whenComplete((code, failure) -> watch.cancel(false));
    return exit;
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while waiting for Swarm", e);
    }
  }
}
