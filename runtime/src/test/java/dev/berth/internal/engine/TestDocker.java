package dev.berth.internal.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The tests' own line to the engine, through docker-java's usual transport: a witness independent of Berth's. */
public final class TestDocker {

  private TestDocker() {
  }

  /** A client of the engine docker-java's usual configuration names; the caller closes it. */
  public static DockerClient connect() {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    return DockerClientImpl.getInstance(config,
        new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
  }

  /** Whether the engine is Podman: its version answer names a "Podman Engine" component. */
  public static boolean podman(DockerClient docker) {
    var components = docker.versionCmd().exec().getComponents();
    return components != null && components.stream().anyMatch(c -> String.valueOf(c.getName()).startsWith("Podman"));
  }

  /**
   * The commands of every container of the engine, running or not; on Podman also of its builds' containers
   * (Buildah's), which its Docker-compatible list leaves out.
   */
  public static List<String> containerCommands(DockerClient docker) throws IOException {
    if (!podman(docker)) {
      return docker.listContainersCmd().withShowAll(true).exec().stream().map(c -> String.valueOf(c.getCommand()))
          .toList();
    }
    var request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
        .path("/v4.0.0/libpod/containers/json?all=true&external=true").build();
    try (var response = ((DockerClientImpl) docker).getHttpClient().execute(request)) {
      var commands = new ArrayList<String>();
      new ObjectMapper().readTree(response.getBody()).forEach(c -> commands.add(c.path("Command").toString()));
      return commands;
    }
  }

  /**
   * The default bridge's gateway, as a container on it routes: the network's IPAM configuration does not always name
   * it (an engine started for the first time shows only the subnet there).
   */
  public static String bridgeGateway() throws IOException, InterruptedException {
    Process process = new ProcessBuilder("docker", "run", "--rm", "busybox:1.35", "ip", "route")
        .redirectErrorStream(true).start();
    String routes = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("docker run busybox:1.35 ip route: " + routes);
    }
    return routes.lines().filter(l -> l.startsWith("default via ")).map(l -> l.split("\\s+")[2]).findFirst()
        .orElseThrow(() -> new IllegalStateException("no default route on the bridge: " + routes));
  }
}
