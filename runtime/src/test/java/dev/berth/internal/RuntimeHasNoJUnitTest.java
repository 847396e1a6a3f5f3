package dev.berth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RuntimeHasNoJUnitTest {

  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*import\\s+(?:static\\s+)?([\\w.]+)");

  private static final List<String> ENGINE_CLASSES =
      List.of("DockerBackend.java", "EngineClient.java", "UnixSocketTransport.java");

  private static Map<Path, List<String>> imports;

  @BeforeAll
  static void readSources() throws IOException {
    assertThat(SOURCES).as("the runtime's sources, relative to the module directory").isDirectory();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      imports = files
          .filter(file -> file.toString().endsWith(".java"))
          .collect(Collectors.toMap(file -> file, RuntimeHasNoJUnitTest::importsOf));
    }
    assertThat(imports).containsKey(SOURCES.resolve("dev/berth/internal/run/ServiceTable.java"));
  }

  private static List<String> importsOf(Path file) {
    try {
      return IMPORT.matcher(Files.readString(file)).results().map(m -> m.group(1)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void noSourceImportsJUnit() {
    assertThat(imports).allSatisfy((file, names) ->
        assertThat(names).as("imports of %s", file).noneMatch(name -> name.startsWith("org.junit")));
  }

  /** docker-java stays behind the backend, the client set-up it uses, and the transport beneath that. */
  @Test
  void onlyTheEngineClassesImportDockerJava() {
    List<String> importers = imports.entrySet().stream()
        .filter(e -> e.getValue().stream().anyMatch(name -> name.startsWith("com.github.dockerjava")))
        .map(e -> e.getKey().getFileName().toString())
        .toList();

    assertThat(importers).containsExactlyInAnyOrder(ENGINE_CLASSES.toArray(String[]::new));
  }

  /** The Unix socket transport implements docker-java's transport interface and uses nothing else of it. */
  @Test
  void theTransportUsesOnlyDockerJavasTransportInterface() {
    assertThat(imports.get(SOURCES.resolve("dev/berth/internal/engine/transport/UnixSocketTransport.java")))
        .filteredOn(name -> name.startsWith("com.github.dockerjava"))
        .containsExactly("com.github.dockerjava.transport.DockerHttpClient");
  }

  @Test
  void noSourceNamesJUnitOrDockerJavaWithoutImportingIt() throws IOException {
    for (Path file : imports.keySet()) {
      String text = Files.readString(file);
      assertThat(text).as("%s", file).doesNotContain("org.junit.");
      if (!ENGINE_CLASSES.contains(file.getFileName().toString())) {
        assertThat(text).as("%s", file).doesNotContain("com.github.dockerjava.");
      }
    }
  }
}
