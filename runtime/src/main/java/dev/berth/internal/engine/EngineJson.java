package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.berth.BerthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Inspections read as JSON trees instead of docker-java's response types. The first time a JVM reads a container's
 * inspection as {@code InspectContainerResponse}, Jackson learns that type's whole graph ({@code HostConfig} alone
 * has some 100 fields): 0.5-1 s of a fresh JVM on this 2-core machine, 20-60 ms as a tree. Every run's first start,
 * and every attach to a service an earlier run left up, paid it; Berth reads a handful of fields.
 */
final class EngineJson {

  private final DockerHttpClient http;
  private final String prefix;

  EngineJson(DockerClient docker, DockerClientConfig config) {
    this.http = ((DockerClientImpl) docker).getHttpClient();
    // docker-java puts the configured API version before every path, and none when it is unknown; so does this.
    this.prefix = EngineClient.versionNamed(config).map(v -> "/v" + v).orElse("");
  }

  /** The answer to {@code GET path}, or empty when the engine has no such object (404). */
  Optional<JsonNode> get(String path) {
    return getAsGiven(prefix + path);
  }

  /**
   * The answer to {@code GET path}, {@code path} as given: no version of the Docker API before it (Podman's own API
   * has versions of its own); empty on 404.
   */
  Optional<JsonNode> getAsGiven(String path) {
    var request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
        .path(path).build();
    try (DockerHttpClient.Response response = http.execute(request); InputStream body = response.getBody()) {
      int status = response.getStatusCode();
      if (status == 404) {
        return Optional.empty();
      }
      if (status / 100 != 2) {
        String message = new String(body.readAllBytes(), StandardCharsets.UTF_8).strip();
        throw new BerthException("The engine answered GET " + path + " with status " + status + ": " + message);
      }
      return Optional.of(EngineClient.MAPPER.readTree(body));
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the engine's answer to GET " + path + " failed", e);
    }
  }

  /**
   * The answer to {@code POST path} with a JSON body, {@code path} as given: no version of the Docker API before it
   * (Podman's own API has versions of its own).
   */
  Answer post(String path, JsonNode body) {
    try (DockerHttpClient.Response response = open("POST", path, body)) {
      return Answer.of(response);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the engine's answer to POST " + path + " failed", e);
    }
  }

  /**
   * Sends {@code method path} with a JSON body, {@code path} as given, and hands over the answer as it comes: for
   * answers that stream. The caller closes it.
   */
  DockerHttpClient.Response open(String method, String path, JsonNode body) {
    var request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.valueOf(method))
        .path(path).putHeader("Content-Type", "application/json")
        .body(new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8))).build();
    return http.execute(request);
  }

  /** The answer to {@code DELETE path}, {@code path} as given. */
  Answer delete(String path) {
    var request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.DELETE).path(path).build();
    try (DockerHttpClient.Response response = http.execute(request)) {
      return Answer.of(response);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the engine's answer to DELETE " + path + " failed", e);
    }
  }

  /** {@code path} with the API version spoken before it, as {@link #get} sends it. */
  String versioned(String path) {
    return prefix + path;
  }

  /** An answer's status and body, as text. */
  record Answer(int status, String body) {

    /** The whole of {@code response}, read as text. */
    static Answer of(DockerHttpClient.Response response) throws IOException {
      try (InputStream body = response.getBody()) {
        return new Answer(response.getStatusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8).strip());
      }
    }
  }

  /** A container's inspection, by name or id. */
  Optional<JsonNode> container(String nameOrId) {
    return get("/containers/" + nameOrId + "/json");
  }

  /**
   * Every container, running or not, with all of {@code labels}: each as the engine lists it ({@code Id},
   * {@code Labels}, ...).
   */
  List<JsonNode> containers(Map<String, String> labels) {
    var filter = EngineClient.MAPPER.createObjectNode();
    var wanted = filter.putArray("label");
    labels.forEach((key, value) -> wanted.add(key + "=" + value));
    String query = URLEncoder.encode(filter.toString(), StandardCharsets.UTF_8);
    var listed = new ArrayList<JsonNode>();
    get("/containers/json?all=1&filters=" + query).ifPresent(array -> array.forEach(listed::add));
    return listed;
  }

  /** A network's inspection, by name or id. */
  Optional<JsonNode> network(String nameOrId) {
    return get("/networks/" + nameOrId);
  }

  /** An image's inspection, by reference or id. */
  Optional<JsonNode> image(String reference) {
    return get("/images/" + reference + "/json");
  }
}
