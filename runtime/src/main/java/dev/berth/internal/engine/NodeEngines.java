package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.BerthException;
import dev.berth.internal.config.BerthConfig;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engines of a swarm's nodes other than the manager's, for what only a node's own engine does: exec and files in
 * the container of a task that runs there (Swarm's API has neither). Reached where {@code berth.swarm.nodeEngine}
 * says, with the manager's TLS settings and deadlines; one connection per node, made when first needed, closed with
 * the backend. Unset, such calls are refused, saying how to allow them.
 */
final class NodeEngines implements AutoCloseable {

  /** A task's container, on its node's engine. */
  record Target(DockerBackend engine, String containerId) {
  }

  private final Optional<String> template;
  private final EngineDeadlines deadlines;
  private final Map<String, DockerBackend> byAddress = new ConcurrentHashMap<>();

  NodeEngines(Optional<String> template, EngineDeadlines deadlines) {
    this.template = template;
    this.deadlines = deadlines;
  }

  /**
   * The container of the task {@code task}, which runs on the node at {@code nodeAddress}, for {@code what} (such
   * as "run [id] in service 'db'").
   *
   * @throws BerthException if no node engine is configured, or the task has no container (yet, or any more)
   */
  Target containerOf(JsonNode task, String nodeAddress, String what) {
    if (template.isEmpty()) {
      throw new BerthException("Cannot " + what + ": its swarm task runs on the node at " + nodeAddress + ", and the"
          + " manager's engine, which Berth speaks to, reaches only its own node's containers. Set"
          + " berth.swarm.nodeEngine to where the nodes' engines answer (such as tcp://" + BerthConfig.NODE_ADDRESS
          + ":2376), reach the service from a client container instead, or run its tests against a swarm whose"
          + " manager runs the service");
    }
    String container = task.path("Status").path("ContainerStatus").path("ContainerID").asText("");
    if (container.isEmpty()) {
      throw new BerthException("Cannot " + what + ": its swarm task on the node at " + nodeAddress + " has no"
          + " container (its state: " + task.path("Status").path("State").asText("unknown") + ")");
    }
    String url = template.get().replace(BerthConfig.NODE_ADDRESS, nodeAddress);
    DockerBackend engine = byAddress.computeIfAbsent(url, u -> {
      try {
        return DockerBackend.connect(Optional.of(u), deadlines);
      } catch (RuntimeException e) {
        throw new BerthException("Cannot " + what + ": the engine of its node does not answer at " + u + " (from"
            + " berth.swarm.nodeEngine): " + Engine.rootMessage(e), e);
      }
    });
    return new Target(engine, container);
  }

  @Override
  public void close() {
    byAddress.values().forEach(DockerBackend::close);
    byAddress.clear();
  }
}
