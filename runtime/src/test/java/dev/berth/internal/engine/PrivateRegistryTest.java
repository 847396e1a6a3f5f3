package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import dev.berth.BerthException;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.run.ServiceScope;
import dev.berth.internal.spec.ImageBuild;
import dev.berth.internal.spec.ImageReference;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulling from a registry that asks for a login, with the credentials where the docker CLI keeps them. The registry
 * is a real one (registry:2 with basic auth, started by Berth), holding an image pushed to it for this test; the
 * credential helper is a real program.
 */
class PrivateRegistryTest {

  private static final String USER = "berth";
  private static final String PASSWORD = "berth-secret";
  /** bcrypt of {@link #PASSWORD}, as {@code htpasswd -B} writes it. */
  private static final String HTPASSWD = USER + ":$2b$12$OD7xF7dVP2Rub1YNFHd3NO3MRqQISV8UHjMcpkAOob29dv3MSITeS\n";

  static ServiceRuntime runtime;
  static ServiceScope scope;
  static DockerClient docker;
  static String registry;
  static String image;

  @TempDir
  Path config;

  @TempDir
  Path bin;

  @BeforeAll
  static void privateImage() throws InterruptedException {
    runtime = ServiceRuntime.start(BerthConfig.defaults());
    ServiceSpec spec = ServiceSpec.from("registry:2").withExposedPort(5000)
        .withNewFile("/auth/htpasswd", HTPASSWD)
        .withEnv("REGISTRY_AUTH", "htpasswd")
        .withEnv("REGISTRY_AUTH_HTPASSWD_REALM", "berth")
        .withEnv("REGISTRY_AUTH_HTPASSWD_PATH", "/auth/htpasswd");
    scope = runtime.newScope();
    InetSocketAddress address = scope.service("registry", spec).hostAddress(5000);
    // The engine pulls from its own host's loopback, which it trusts without TLS.
    registry = "127.0.0.1:" + address.getPort();
    image = registry + "/berth-test/private:1";

    docker = TestDocker.connect();
    docker.tagImageCmd("busybox:1.35", registry + "/berth-test/private", "1").exec();
    docker.pushImageCmd(image).withAuthConfig(new AuthConfig().withUsername(USER).withPassword(PASSWORD)
        .withRegistryAddress(registry)).start().awaitCompletion(60, TimeUnit.SECONDS);
    removeLocalCopy();
  }

  @AfterEach
  void removePulledCopy() {
    removeLocalCopy();
  }

  @AfterAll
  static void close() throws IOException {
    scope.close();
    runtime.close();
    docker.close();
  }

  @Test
  void theRegistrysCredentialHelperLetsBerthPull() throws IOException {
    Files.writeString(config.resolve("config.json"), "{\"credHelpers\": {\"" + registry + "\": \"berth-test\"}}");
    Path asked = bin.resolve("asked");
    Path helper = bin.resolve("docker-credential-berth-test");
    Files.writeString(helper, "#!/bin/sh\nserver=$(cat)\nprintf '%s' \"$server\" > " + asked + "\n"
        + "printf '{\"ServerURL\":\"%s\",\"Username\":\"" + USER + "\",\"Secret\":\"" + PASSWORD + "\"}' \"$server\"\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));

    pull(new RegistryCredentials(config, Optional.empty(), List.of(bin)));

    assertThat(docker.inspectImageCmd(image).exec().getId()).isNotEmpty();
    assertThat(Files.readString(asked)).isEqualTo(registry);
  }

  @Test
  void aStoredLoginLetsBerthPull() throws IOException {
    storeLogin();

    pull(new RegistryCredentials(config, Optional.empty(), List.of(bin)));

    assertThat(docker.inspectImageCmd(image).exec().getId()).isNotEmpty();
  }

  @Test
  void withoutCredentialsThePullFailsSayingWhereBerthLooked() throws IOException {
    Files.writeString(config.resolve("config.json"), "{\"credsStore\": \"desktop\"}");

    assertThatThrownBy(() -> pull(new RegistryCredentials(config, Optional.empty(), List.of(bin))))
        .isInstanceOf(BerthException.class)
        .hasMessageContaining("Image '" + image + "' for a test is not on the engine and cannot be pulled")
        .hasMessageContaining("no basic auth credentials")
        .hasMessageContaining("docker-credential-desktop is not on PATH, though credsStore in "
            + config.resolve("config.json") + " names it")
        .hasMessageContaining("log in to its registry (docker login)");
  }

  /** The engine pulls a build's base images itself: the build request carries the registry's credentials. */
  @Test
  void aBuildFromAPrivateBaseImageCarriesTheRegistrysCredentials(@TempDir Path context) throws IOException {
    storeLogin();
    Files.writeString(context.resolve("Dockerfile"), "FROM " + image + "\nRUN echo built > /built\n");
    ImageBuild build = ImageBuild.read(context, "Dockerfile");

    try (DockerBackend backend = DockerBackend.connect(Optional.empty(), "auto",
        new RegistryCredentials(config, Optional.empty(), List.of(bin)))) {
      backend.build(build, Duration.ofSeconds(60), "a test");
    }

    assertThat(docker.inspectImageCmd(build.image().toString()).exec().getId()).isNotEmpty();
    docker.removeImageCmd(build.image().toString()).exec();
  }

  @Test
  void withoutCredentialsABuildFromAPrivateBaseImageFailsWithTheEnginesReason(@TempDir Path context)
      throws IOException {
    Files.writeString(context.resolve("Dockerfile"), "FROM " + image + "\nRUN echo built > /built\n");
    ImageBuild build = ImageBuild.read(context, "Dockerfile");

    try (DockerBackend backend = DockerBackend.connect(Optional.empty(), "auto",
        new RegistryCredentials(config, Optional.empty(), List.of(bin)))) {
      assertThatThrownBy(() -> backend.build(build, Duration.ofSeconds(60), "a test"))
          .isInstanceOf(BerthException.class)
          .hasMessageContaining("Building the image for a test from " + context.resolve("Dockerfile") + " failed")
          .hasMessageContaining("no basic auth credentials");
    }
  }

  private void storeLogin() throws IOException {
    String auth = java.util.Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes());
    Files.writeString(config.resolve("config.json"), "{\"auths\": {\"" + registry + "\": {\"auth\": \"" + auth
        + "\"}}}");
  }

  private static void pull(RegistryCredentials credentials) {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty(), "auto", credentials)) {
      backend.pull(ImageReference.parse(image), false, Duration.ofSeconds(60),
          "a test");
    }
  }

  private static void removeLocalCopy() {
    try {
      docker.removeImageCmd(image).exec();
    } catch (NotFoundException e) {
      // not pulled
    }
  }
}
