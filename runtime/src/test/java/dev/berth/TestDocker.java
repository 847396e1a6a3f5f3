package dev.berth;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

/** The tests' own line to the engine, through docker-java's usual transport: a witness independent of Berth's. */
final class TestDocker {

  private TestDocker() {
  }

  /** A client of the engine docker-java's usual configuration names; the caller closes it. */
  static DockerClient connect() {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    return DockerClientImpl.getInstance(config,
        new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
  }
}
