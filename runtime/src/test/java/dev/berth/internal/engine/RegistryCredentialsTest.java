package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.internal.engine.RegistryCredentials.Credentials;
import dev.berth.internal.engine.RegistryCredentials.Lookup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where Berth finds a registry's credentials, read as the docker CLI reads them. The credential helpers are real
 * programs (shell scripts) that Berth runs, speaking the helpers' protocol.
 */
class RegistryCredentialsTest {

  @TempDir
  Path config;

  @TempDir
  Path bin;

  private Path file;

  @BeforeEach
  void paths() {
    file = config.resolve("config.json");
  }

  @Test
  void aStoredLoginIsDecoded() throws IOException {
    write("{\"auths\": {\"registry.example:5000\": {\"auth\": \"" + base64("deploy:s3cr:et") + "\"}}}");

    Credentials found = lookup("registry.example:5000").credentials().orElseThrow();

    assertThat(found.username()).isEqualTo("deploy");
    assertThat(found.password()).isEqualTo("s3cr:et");
    assertThat(found.serverAddress()).isEqualTo("registry.example:5000");
    assertThat(found.source()).isEqualTo("auths in " + file);
  }

  @Test
  void dockerHubIsFoundUnderEachNameTheCliStoresItUnder() throws IOException {
    for (String key : List.of("https://index.docker.io/v1/", "index.docker.io", "docker.io",
        "https://registry-1.docker.io")) {
      write("{\"auths\": {\"" + key + "\": {\"auth\": \"" + base64("hub:pw") + "\"}}}");

      Credentials found = lookup("docker.io").credentials().orElseThrow();

      assertThat(found.username()).as(key).isEqualTo("hub");
      assertThat(found.serverAddress()).as(key).isEqualTo("https://index.docker.io/v1/");
    }
  }

  @Test
  void keysWithASchemeOrAPathOrCapitalsNameTheirHost() throws IOException {
    write("{\"auths\": {\"https://GHCR.io/v2/\": {\"username\": \"me\", \"password\": \"pw\"},"
        + " \"other.example\": {\"auth\": \"" + base64("not:me") + "\"}}}");

    assertThat(lookup("ghcr.io").credentials().orElseThrow().username()).isEqualTo("me");
    assertThat(lookup("ghcr.io.example").credentials()).isEmpty();
  }

  @Test
  void anIdentityTokenIsPassedAsSuch() throws IOException {
    write("{\"auths\": {\"myregistry.azurecr.io\": {\"auth\": \"" + base64("00000000-0000-0000-0000-000000000000:")
        + "\", \"identitytoken\": \"refresh-token\"}}}");

    Credentials found = lookup("myregistry.azurecr.io").credentials().orElseThrow();

    assertThat(found.identityToken()).isEqualTo("refresh-token");
    assertThat(found.password()).isNull();
  }

  @Test
  void theRegistrysHelperIsAskedForItsServerAndComesBeforeAStoredLogin() throws IOException {
    helper("berth-test", "printf '%s' \"$server\" > " + bin.resolve("asked") + "\n"
        + "printf '{\"ServerURL\":\"%s\",\"Username\":\"from-helper\",\"Secret\":\"hpw\"}' \"$server\"");
    write("{\"credHelpers\": {\"ghcr.io\": \"berth-test\"}, \"credsStore\": \"absent\","
        + " \"auths\": {\"ghcr.io\": {\"auth\": \"" + base64("stored:pw") + "\"}}}");

    Lookup lookup = lookup("ghcr.io");

    Credentials found = lookup.credentials().orElseThrow();
    assertThat(found.username()).isEqualTo("from-helper");
    assertThat(found.password()).isEqualTo("hpw");
    assertThat(found.source()).isEqualTo("docker-credential-berth-test (credHelpers in " + file + ")");
    assertThat(lookup.description()).isEqualTo("credentials from " + found.source());
    assertThat(Files.readString(bin.resolve("asked"))).isEqualTo("ghcr.io");
  }

  @Test
  void theDefaultStoreIsAskedForDockerHubByTheCliServerAddressAndMayAnswerWithAToken() throws IOException {
    helper("berth-store", "printf '%s' \"$server\" > " + bin.resolve("asked") + "\n"
        + "printf '{\"ServerURL\":\"%s\",\"Username\":\"<token>\",\"Secret\":\"tok\"}' \"$server\"");
    write("{\"credsStore\": \"berth-store\", \"auths\": {\"https://index.docker.io/v1/\": {}}}");

    Credentials found = lookup("docker.io").credentials().orElseThrow();

    assertThat(found.identityToken()).isEqualTo("tok");
    assertThat(found.username()).isNull();
    assertThat(Files.readString(bin.resolve("asked"))).isEqualTo("https://index.docker.io/v1/");
  }

  @Test
  void aHelperWithoutCredentialsLeavesItToTheStoredLogin() throws IOException {
    helper("berth-store", "echo 'credentials not found in native keychain'; exit 1");
    write("{\"credsStore\": \"berth-store\", \"auths\": {\"quay.io\": {\"auth\": \"" + base64("q:pw") + "\"}}}");

    assertThat(lookup("quay.io").credentials().orElseThrow().username()).isEqualTo("q");
    assertThat(lookup("ghcr.io").description()).isEqualTo("no credentials for ghcr.io (DOCKER_AUTH_CONFIG is not"
        + " set and " + file + " has none)");
  }

  @Test
  void aHelperThatIsNotInstalledIsNamedWithTheEntryThatNamesIt() throws IOException {
    write("{\"credsStore\": \"desktop\"}");

    Lookup lookup = lookup("docker.io");

    assertThat(lookup.credentials()).isEmpty();
    assertThat(lookup.description()).isEqualTo("no credentials for https://index.docker.io/v1/:"
        + " docker-credential-desktop is not on PATH, though credsStore in " + file + " names it (install it, or"
        + " remove the entry if that tool is gone)");
  }

  @Test
  void aHelperThatFailsOrAnswersNonsenseIsReported() throws IOException {
    helper("broken", "echo 'keychain locked' >&2; exit 2");
    helper("chatty", "echo 'hello'");
    write("{\"credHelpers\": {\"a.example\": \"broken\", \"b.example\": \"chatty\"}}");

    assertThat(lookup("a.example").description()).contains(
        "docker-credential-broken (credHelpers in " + file + ") failed with exit code 2: keychain locked");
    assertThat(lookup("b.example").description()).contains(
        "docker-credential-chatty (credHelpers in " + file + ") answered with something other than JSON");
  }

  @Test
  void theVariableDockerAuthConfigComesBeforeTheFile() throws IOException {
    write("{\"auths\": {\"ghcr.io\": {\"auth\": \"" + base64("file:pw") + "\"}}}");
    var credentials = new RegistryCredentials(config, Optional.of("{\"auths\": {\"ghcr.io\": {\"auth\": \""
        + base64("variable:pw") + "\"}}}"), List.of(bin));

    Credentials found = credentials.lookup("ghcr.io").credentials().orElseThrow();

    assertThat(found.username()).isEqualTo("variable");
    assertThat(found.source()).isEqualTo("auths in DOCKER_AUTH_CONFIG");
    assertThat(credentials.lookup("quay.io").description())
        .isEqualTo("no credentials for quay.io (DOCKER_AUTH_CONFIG has none and " + file + " has none)");
  }

  @Test
  void aFileThatIsNotJsonIsNamed() throws IOException {
    write("{\"auths\": ");

    Lookup lookup = lookup("ghcr.io");

    assertThat(lookup.credentials()).isEmpty();
    assertThat(lookup.description()).startsWith("no credentials for ghcr.io: " + file + " is not valid JSON");
  }

  @Test
  void withoutAFileThereAreNoCredentials() {
    assertThat(lookup("ghcr.io").description())
        .isEqualTo("no credentials for ghcr.io (DOCKER_AUTH_CONFIG is not set and there is no " + file + ")");
  }

  @Test
  void credentialsNeverShowTheirSecret() throws IOException {
    write("{\"auths\": {\"ghcr.io\": {\"auth\": \"" + base64("me:hunter2") + "\"}}}");

    Credentials found = lookup("ghcr.io").credentials().orElseThrow();

    assertThat(found.toString()).doesNotContain("hunter2").contains("ghcr.io");
  }

  private Lookup lookup(String registry) {
    return new RegistryCredentials(config, Optional.empty(), List.of(bin)).lookup(registry);
  }

  private void write(String json) throws IOException {
    Files.writeString(file, json);
  }

  /** A credential helper {@code docker-credential-<name>}: {@code body} runs with the asked server in $server. */
  private void helper(String name, String body) throws IOException {
    Path script = bin.resolve("docker-credential-" + name);
    Files.writeString(script, "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nserver=$(cat)\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
