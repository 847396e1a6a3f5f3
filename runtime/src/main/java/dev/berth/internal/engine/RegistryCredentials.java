package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The credentials for pulling from a registry, found where the docker CLI keeps them, so that a user who can
 * {@code docker pull} an image can have Berth pull it too: the JSON in {@code DOCKER_AUTH_CONFIG} first (CI systems set
 * it), then {@code config.json} in {@code DOCKER_CONFIG} (or {@code ~/.docker}). In each: the registry's credential
 * helper ({@code credHelpers}), else the default one ({@code credsStore}), else a stored login ({@code auths}), as the
 * CLI reads them. docker-java by itself reads only the stored logins, so helpers (Docker Desktop's, pass,
 * secretservice, cloud registries') were lost on it.
 *
 * <p>Consulted only when an image is missing and must be pulled, so it costs nothing on the usual path.
 */
final class RegistryCredentials {

  /** The key the CLI stores Docker Hub's credentials under, and the server address its helpers are asked for. */
  private static final String DOCKER_HUB = "https://index.docker.io/v1/";
  private static final List<String> DOCKER_HUB_HOSTS = List.of("docker.io", "index.docker.io", "registry-1.docker.io");
  /** A helper that waits longer is waiting for a person (a keychain prompt, say), who is not there during tests. */
  private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(10);

  /** Credentials for one registry: a user name and password, or an identity token; and where they were found. */
  record Credentials(String username, String password, String identityToken, String serverAddress, String source) {
    @Override
    public String toString() {
      return "credentials for " + serverAddress + " from " + source; // never the secret
    }
  }

  /** What a lookup found, or why it found nothing: for the pull's log line and its error message. */
  record Lookup(Optional<Credentials> credentials, String description) {
  }

  private final Path configDirectory;
  private final Optional<String> authConfigVariable;
  private final List<Path> searchPath;

  RegistryCredentials(Path configDirectory, Optional<String> authConfigVariable, List<Path> searchPath) {
    this.configDirectory = configDirectory;
    this.authConfigVariable = authConfigVariable;
    this.searchPath = List.copyOf(searchPath);
  }

  /** The test machine's: {@code DOCKER_CONFIG} (or {@code ~/.docker}), {@code DOCKER_AUTH_CONFIG} and {@code PATH}. */
  static RegistryCredentials fromEnvironment() {
    Map<String, String> env = System.getenv();
    Path directory = Optional.ofNullable(env.get("DOCKER_CONFIG")).filter(s -> !s.isBlank()).map(Path::of)
        .orElse(Path.of(System.getProperty("user.home"), ".docker"));
    var path = new ArrayList<Path>();
    for (String entry : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        path.add(Path.of(entry));
      }
    }
    return new RegistryCredentials(directory, Optional.ofNullable(env.get("DOCKER_AUTH_CONFIG"))
        .filter(s -> !s.isBlank()), path);
  }

  /** The docker CLI's configuration directory these credentials are read from. */
  Path configDirectory() {
    return configDirectory;
  }

  /** The credentials for {@code registry} (a host[:port], {@code docker.io} for Docker Hub), if any. */
  Lookup lookup(String registry) {
    String host = hostOf(registry);
    String server = isDockerHub(host) ? DOCKER_HUB : host;
    var notes = new ArrayList<String>();
    if (authConfigVariable.isPresent()) {
      Optional<Credentials> found = lookupIn(authConfigVariable.get(), "DOCKER_AUTH_CONFIG", host, server, notes);
      if (found.isPresent()) {
        return new Lookup(found, "credentials from " + found.get().source());
      }
    }
    Path file = configDirectory.resolve("config.json");
    if (Files.isRegularFile(file)) {
      String json;
      try {
        json = Files.readString(file);
      } catch (IOException e) {
        notes.add(file + " cannot be read (" + e.getMessage() + ")");
        json = null;
      }
      if (json != null) {
        Optional<Credentials> found = lookupIn(json, file.toString(), host, server, notes);
        if (found.isPresent()) {
          return new Lookup(found, "credentials from " + found.get().source());
        }
      }
    }
    if (!notes.isEmpty()) {
      return new Lookup(Optional.empty(), "no credentials for " + server + ": " + String.join("; ", notes));
    }
    String variable = authConfigVariable.isPresent() ? "DOCKER_AUTH_CONFIG has none" : "DOCKER_AUTH_CONFIG is not set";
    String config = Files.isRegularFile(file) ? file + " has none" : "there is no " + file;
    return new Lookup(Optional.empty(), "no credentials for " + server + " (" + variable + " and " + config + ")");
  }

  /** Looks in one config.json-shaped document; adds to {@code notes} why a source it names gave nothing. */
  private Optional<Credentials> lookupIn(String json, String where, String host, String server, List<String> notes) {
    JsonNode config;
    try {
      config = EngineClient.MAPPER.readTree(json);
    } catch (IOException e) {
      notes.add(where + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
      return Optional.empty();
    }
    if (config == null || !config.isObject()) {
      notes.add(where + " is not a JSON object");
      return Optional.empty();
    }
    Optional<String> helper = entryFor(config.path("credHelpers"), host).map(JsonNode::asText)
        .filter(s -> !s.isBlank());
    String helperKey = "credHelpers";
    if (helper.isEmpty()) {
      helper = Optional.of(config.path("credsStore").asText("")).filter(s -> !s.isBlank());
      helperKey = "credsStore";
    }
    if (helper.isPresent()) {
      Optional<Credentials> found = fromHelper(helper.get(), helperKey + " in " + where, server, notes);
      if (found.isPresent()) {
        return found;
      }
    }
    return entryFor(config.path("auths"), host).flatMap(entry -> fromAuthsEntry(entry, server, where, notes));
  }

  private static Optional<Credentials> fromAuthsEntry(JsonNode entry, String server, String where,
      List<String> notes) {
    String source = "auths in " + where;
    String token = entry.path("identitytoken").asText("");
    String username = entry.path("username").asText("");
    String password = entry.path("password").asText("");
    String auth = entry.path("auth").asText("");
    if (!auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        notes.add("the entry for " + server + " in " + source + " has an 'auth' that is not base64");
        return Optional.empty();
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        notes.add("the entry for " + server + " in " + source + " has an 'auth' that is not user:password");
        return Optional.empty();
      }
      username = decoded.substring(0, colon);
      password = decoded.substring(colon + 1);
    }
    if (!token.isEmpty()) {
      return Optional.of(new Credentials(username.isEmpty() ? null : username, null, token, server, source));
    }
    if (username.isEmpty()) {
      return Optional.empty(); // the CLI leaves empty entries beside a credsStore: nothing stored here
    }
    return Optional.of(new Credentials(username, password, null, server, source));
  }

  /**
   * Asks {@code docker-credential-<helper> get} for {@code server}, as the CLI does: the server on standard input,
   * a JSON object with {@code Username} and {@code Secret} on standard output ({@code <token>} as user name means
   * the secret is an identity token).
   */
  private Optional<Credentials> fromHelper(String helper, String namedBy, String server, List<String> notes) {
    String program = "docker-credential-" + helper;
    String source = program + " (" + namedBy + ")";
    Optional<Path> executable = onSearchPath(program);
    if (executable.isEmpty()) {
      notes.add(program + " is not on PATH, though " + namedBy + " names it (install it, or remove the entry if"
          + " that tool is gone)");
      return Optional.empty();
    }
    Process process;
    try {
      process = new ProcessBuilder(executable.get().toString(), "get").start();
    } catch (IOException e) {
      notes.add(source + " cannot be run: " + e.getMessage());
      return Optional.empty();
    }
    try {
      CompletableFuture<byte[]> out = readAll(process.getInputStream());
      CompletableFuture<byte[]> err = readAll(process.getErrorStream());
      try (OutputStream in = process.getOutputStream()) {
        in.write(server.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // A helper that exits without reading its input says why on its output, read below.
      }
      if (!process.waitFor(HELPER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        notes.add(source + " did not answer within " + HELPER_TIMEOUT.toSeconds() + " s");
        return Optional.empty();
      }
      String stdout = new String(out.join(), StandardCharsets.UTF_8).strip();
      String stderr = new String(err.join(), StandardCharsets.UTF_8).strip();
      if (process.exitValue() != 0) {
        String message = stdout.isEmpty() ? stderr : stdout;
        if (!message.toLowerCase(Locale.ROOT).contains("credentials not found")) {
          notes.add(source + " failed with exit code " + process.exitValue() + ": " + cut(message));
        }
        return Optional.empty();
      }
      JsonNode reply = EngineClient.MAPPER.readTree(stdout);
      String username = reply == null ? "" : reply.path("Username").asText("");
      String secret = reply == null ? "" : reply.path("Secret").asText("");
      if (secret.isEmpty()) {
        notes.add(source + " answered without a secret");
        return Optional.empty();
      }
      return Optional.of("<token>".equals(username)
          ? new Credentials(null, null, secret, server, source)
          : new Credentials(username, secret, null, server, source));
    } catch (IOException | UncheckedIOException e) {
      notes.add(source + " answered with something other than JSON: " + e.getMessage().lines().findFirst()
          .orElse(""));
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      notes.add("interrupted while asking " + source);
      return Optional.empty();
    } finally {
      process.destroyForcibly();
    }
  }

  private Optional<Path> onSearchPath(String program) {
    for (Path directory : searchPath) {
      for (String name : List.of(program, program + ".exe")) {
        Path candidate = directory.resolve(name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  private static CompletableFuture<byte[]> readAll(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        var buffer = new ByteArrayOutputStream();
        stream.transferTo(buffer);
        return buffer.toByteArray();
      } catch (IOException e) {
        return new byte[0];
      }
    }, EngineClient.REQUESTS);
  }

  /** The entry of {@code map} whose key names {@code host}: keys may carry a scheme and a path, as the CLI's do. */
  private static Optional<JsonNode> entryFor(JsonNode map, String host) {
    if (!map.isObject()) {
      return Optional.empty();
    }
    boolean dockerHub = isDockerHub(host);
    for (Iterator<Map.Entry<String, JsonNode>> entries = map.fields(); entries.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = entries.next();
      String key = hostOf(entry.getKey());
      if (key.equals(host) || (dockerHub && isDockerHub(key))) {
        return Optional.of(entry.getValue());
      }
    }
    return Optional.empty();
  }

  /** {@code https://ghcr.io/v2/} and {@code GHCR.io} are both {@code ghcr.io}. */
  private static String hostOf(String address) {
    String host = address.strip();
    int scheme = host.indexOf("://");
    if (scheme >= 0) {
      host = host.substring(scheme + 3);
    }
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    return host.toLowerCase(Locale.ROOT);
  }

  private static boolean isDockerHub(String host) {
    return DOCKER_HUB_HOSTS.contains(host);
  }

  private static String cut(String message) {
    return message.length() > 300 ? message.substring(0, 300) + "..." : message;
  }
}
