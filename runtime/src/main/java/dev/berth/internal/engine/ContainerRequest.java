package dev.berth.internal.engine;

import dev.berth.ServiceSpec;

import java.util.List;
import java.util.Map;

/**
 * One container to create on the run's network: a service (ports published on {@code berth.publishAddress}) or a
 * client (idle until the test execs into it).
 *
 * @param name the container name, unique on the engine
 * @param image the image as the engine knows it (the spec's, or its mirror's through {@code berth.hubImagePrefix})
 * @param hostname the container's hostname, also its alias on the network
 * @param spec the definition; its bindings are given resolved in {@code extraHosts}
 * @param extraHosts {@code /etc/hosts} entries, alias to address on the run's network
 * @param labels the labels of the container
 * @param idle replace the entrypoint with {@code sleep}, for clients without a command
 */
public record ContainerRequest(String name, String image, String hostname, ServiceSpec spec, Map<String, String> extraHosts,
    Map<String, String> labels, boolean idle) {

  /** A command that keeps any image with a {@code sleep} binary running until the container is removed. */
  static final List<String> IDLE = List.of("sleep", "2147483647");
}
