package dev.berth.internal.container;

import dev.berth.Protocol;
import dev.berth.internal.engine.ContainerRequest.ContainerPort;
import dev.berth.internal.engine.ContainerRequest;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.Tar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Turns a definition into the engine's terms: the one place that knows both. */
final class ContainerRequests {

  private ContainerRequests() {
  }

  /**
   * The request for a container of {@code spec}.
   *
   * @param image the image as the engine knows it (the spec's, or its mirror's through {@code berth.hubImagePrefix})
   * @param extraHosts {@code /etc/hosts} entries, alias to address on the run's network (the bindings, resolved)
   * @param berthLabels Berth's own labels, besides the spec's
   * @param idle replace the entrypoint with {@code sleep}, for clients without a command
   * @param volumes the engine's volumes to mount, by mount path ({@link CacheVolumes#volumes})
   */
  static ContainerRequest of(String name, String image, String hostname, Definition spec,
      Map<String, String> extraHosts, Map<String, String> berthLabels, boolean idle, Map<String, String> volumes) {
    var ports = new ArrayList<ContainerPort>();
    for (int port : spec.exposedPorts()) {
      ports.add(new ContainerPort(port, spec.protocol(port) == Protocol.UDP, spec.hostPorts().get(port)));
    }
    // The spec's own labels cannot take Berth's keys (ServiceSpec.withLabel refuses them), so neither hides the other.
    var labels = new LinkedHashMap<>(spec.labels());
    labels.putAll(berthLabels);
    List<String> entrypoint = idle ? ContainerRequest.IDLE.subList(0, 1) : spec.entrypoint().orElse(null);
    List<String> command = idle ? ContainerRequest.IDLE.subList(1, 2) : spec.command().orElse(null);
    byte[] files = spec.files().isEmpty() ? null : Tar.of(spec.files(), spec::fileMode);
    return new ContainerRequest(name, image, hostname, List.copyOf(spec.globalHostnames()), ports, spec.env(),
        entrypoint, command, spec.workdir().orElse(null), spec.user().orElse(null), spec.shmSize().orElse(null),
        volumes, spec.tmpfs(), files, extraHosts, labels);
  }
}
