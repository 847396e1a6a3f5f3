package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The engine's whole answer to an unversioned {@code GET}, before any API version is chosen: status, headers and
 * body, read within the call's deadline.
 */
record EngineAnswer(int status, Map<String, List<String>> headers, String body) {

  static EngineAnswer of(DockerHttpClient http, String path) {
    var request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET).path(path).build();
    try (DockerHttpClient.Response response = http.execute(request); InputStream in = response.getBody()) {
      return new EngineAnswer(response.getStatusCode(), response.getHeaders(),
          new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the engine's answer to GET " + path + " failed", e);
    }
  }

  /** A header's first value, by its name in any case; null when absent. */
  String header(String name) {
    return headers.entrySet().stream().filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name))
        .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
  }

  /** A top-level text field of the JSON body; null when absent or the body is not JSON. */
  String field(String name) {
    try {
      JsonNode value = EngineClient.MAPPER.readTree(body).get(name);
      return value == null || value.isNull() ? null : value.asText();
    } catch (IOException e) {
      return null;
    }
  }
}
