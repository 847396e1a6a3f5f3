package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where no {@code DOCKER_HOST} says otherwise, Berth uses the engine of the docker CLI's current context, as
 * {@code docker} itself does (Docker Desktop, Colima and rootless Docker set one up): each case runs in a JVM of its
 * own, whose environment is all it has to go by. The contexts here point at a link to this machine's engine socket
 * and at a socket that does not exist.
 */
class EngineContextTest {

  private static final Path ENGINE_SOCKET = Path.of("/var/run/docker.sock");

  @TempDir
  Path dir;
  private Path config;
  private Path linked;

  @BeforeEach
  void contexts() throws Exception {
    config = Files.createDirectory(dir.resolve("docker-config"));
    linked = Files.createSymbolicLink(dir.resolve("engine.sock"), ENGINE_SOCKET);
    context("linked", "unix://" + linked);
    context("away", "unix://" + dir.resolve("missing.sock"));
  }

  @Test
  void theCurrentContextOfConfigJsonNamesTheEngine() throws Exception {
    Files.writeString(config.resolve("config.json"), "{\"currentContext\": \"linked\"}");

    var probe = probe(Map.of("DOCKER_CONFIG", config.toString()));

    assertThat(probe.output()).isEqualTo("engine unix://" + linked);
    assertThat(probe.exitCode()).isZero();
  }

  @Test
  void dockerContextNamesTheEngineInPlaceOfConfigJson() throws Exception {
    Files.writeString(config.resolve("config.json"), "{\"currentContext\": \"away\"}");

    var probe = probe(Map.of("DOCKER_CONFIG", config.toString(), "DOCKER_CONTEXT", "linked"));

    assertThat(probe.output()).isEqualTo("engine unix://" + linked);
  }

  @Test
  void aContextWhoseEngineIsAwayIsNamedInTheFailure() throws Exception {
    Files.writeString(config.resolve("config.json"), "{\"currentContext\": \"away\"}");

    var probe = probe(Map.of("DOCKER_CONFIG", config.toString()));

    assertThat(probe.exitCode()).isEqualTo(3);
    assertThat(probe.output()).startsWith("failed: No Docker engine answers at unix://" + dir.resolve("missing.sock"))
        .contains("It is the engine of the docker CLI's context 'away' (currentContext in "
            + config.resolve("config.json") + "): start it, or choose another context with docker context use.")
        .contains("point Berth at a running engine with the DOCKER_HOST environment variable");
  }

  @Test
  void dockerHostComesBeforeAnyContext() throws Exception {
    Files.writeString(config.resolve("config.json"), "{\"currentContext\": \"away\"}");

    var probe = probe(Map.of("DOCKER_CONFIG", config.toString(), "DOCKER_HOST", "unix://" + linked));

    assertThat(probe.output()).isEqualTo("engine unix://" + linked);
  }

  @Test
  void onlyAContextInEffectIsNamed() throws Exception {
    assertThat(EngineClient.cliContext(Map.of(), config)).as("no config.json").isEmpty();
    Files.writeString(config.resolve("config.json"), "{\"currentContext\": \"default\"}");
    assertThat(EngineClient.cliContext(Map.of(), config)).as("the CLI's default").isEmpty();
    assertThat(EngineClient.cliContext(Map.of("DOCKER_CONTEXT", "colima"), config))
        .contains("'colima' (DOCKER_CONTEXT)");
    assertThat(EngineClient.cliContext(Map.of("DOCKER_CONTEXT", "colima", "DOCKER_HOST", "tcp://h:2375"), config))
        .as("DOCKER_HOST comes first").isEmpty();
    Files.writeString(config.resolve("config.json"), "{\"auths\": {}}");
    assertThat(EngineClient.cliContext(Map.of(), config)).as("no currentContext").isEmpty();
  }

  /** Writes a context as {@code docker context create} does: its metadata under the SHA-256 of its name. */
  private void context(String name, String host) throws IOException, NoSuchAlgorithmException {
    String id = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    Path meta = Files.createDirectories(config.resolve("contexts/meta/" + id));
    Files.writeString(meta.resolve("meta.json"), "{\"Name\": \"" + name + "\", \"Metadata\": {}, \"Endpoints\":"
        + " {\"docker\": {\"Host\": \"" + host + "\", \"SkipTLSVerify\": false}}}");
  }

  private static EngineContextProbe.Result probe(Map<String, String> env) throws Exception {
    return EngineContextProbe.runIn(env);
  }
}
