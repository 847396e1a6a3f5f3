package dev.berth.internal.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One container to create on a network, in the engine's terms: what to run, its names, ports, mounts and files.
 * The lifecycle makes it from a service's definition; the engine knows nothing of services.
 *
 * @param name the container name, unique on the engine
 * @param image the image as the engine knows it
 * @param hostname the container's hostname, also its first alias on the network
 * @param aliases further names on the network
 * @param ports the ports to expose and publish
 * @param env the environment
 * @param entrypoint the entrypoint, or null for the image's
 * @param command the command, or null for the image's
 * @param workdir the working directory, or null for the image's
 * @param user the user, or null for the image's
 * @param shmSize the size of {@code /dev/shm} in bytes, or null for the engine's default
 * @param volumes volume name by mount path
 * @param tmpfs tmpfs mount options by mount path
 * @param files a tar archive to unpack at {@code /} before the start, or null for none
 * @param extraHosts {@code /etc/hosts} entries, name to address
 * @param labels the labels of the container
 */
public record ContainerRequest(String name, String image, String hostname, List<String> aliases,
    List<ContainerPort> ports, Map<String, String> env, List<String> entrypoint, List<String> command,
    String workdir, String user, Long shmSize, Map<String, String> volumes, Map<String, String> tmpfs, byte[] files,
    Map<String, String> extraHosts, Map<String, String> labels) {

  /** A command that keeps any image with a {@code sleep} binary running until the container is removed. */
  public static final List<String> IDLE = List.of("sleep", "2147483647");

  public ContainerRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    aliases = List.copyOf(aliases);
    ports = List.copyOf(ports);
    env = sorted(env);
    volumes = sorted(volumes);
    tmpfs = sorted(tmpfs);
    extraHosts = sorted(extraHosts);
    labels = sorted(labels);
  }

  /** This request with {@code more} names on the network after its aliases. */
  public ContainerRequest withAliases(List<String> more) {
    var all = new ArrayList<>(aliases);
    all.addAll(more);
    return new ContainerRequest(name, image, hostname, all, ports, env, entrypoint, command, workdir, user, shmSize,
        volumes, tmpfs, files, extraHosts, labels);
  }

  private static Map<String, String> sorted(Map<String, String> map) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(map));
  }

  /** A port of the container: its number, whether it is UDP, and the host port to publish it on (null: any). */
  public record ContainerPort(int port, boolean udp, Integer hostPort) {
  }
}
