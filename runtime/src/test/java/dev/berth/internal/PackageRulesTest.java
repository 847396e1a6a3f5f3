package dev.berth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules, read from the sources: which package may use which. The layers, top to bottom, are the run, one
 * service container's life, DNS, the session, the JVM's place on the network, the engine and its transport,
 * configuration, the spec and the run report. A package uses only packages below it; the API's value types
 * ({@code Protocol}, {@code ExecResult}, the exceptions, {@code Service}, {@code Container} and {@code ConnectionInfo})
 * are usable everywhere, the builder {@code ServiceSpec} only by the run, which turns it into a definition.
 */
class PackageRulesTest {

  private static final Path RUNTIME = Path.of("src/main/java");
  private static final Path EXTENSION = Path.of("../extension/src/main/java");
  private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*import\\s+(?:static\\s+)?([\\w.]+)");
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+);");

  private static final String INTERNAL = "dev.berth.internal.";
  /** Top to bottom. */
  private static final List<String> LAYERS = List.of("run", "container", "dns", "session", "net", "engine",
      "engine.transport", "config", "spec", "report");
  private static final Set<String> API_VALUES = Set.of("dev.berth.Protocol", "dev.berth.ExecResult",
      "dev.berth.BerthException", "dev.berth.ServiceStartException", "dev.berth.Service", "dev.berth.Container",
      "dev.berth.ConnectionInfo");

  private static Map<Path, Source> sources;

  record Source(String pkg, List<String> imports, String text) {
  }

  @BeforeAll
  static void readSources() throws IOException {
    assertThat(RUNTIME).as("the runtime's sources, relative to the module directory").isDirectory();
    assertThat(EXTENSION).as("the extension's sources, beside the runtime's").isDirectory();
    sources = new TreeMap<>();
    for (Path root : List.of(RUNTIME, EXTENSION)) {
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(file -> file.toString().endsWith(".java") && !file.endsWith("module-info.java"))
            .forEach(file -> sources.put(file, read(file)));
      }
    }
    assertThat(sources).containsKey(RUNTIME.resolve("dev/berth/internal/run/ServiceTable.java"));
  }

  private static Source read(Path file) {
    try {
      String text = Files.readString(file);
      var pkg = PACKAGE.matcher(text);
      assertThat(pkg.find()).as("package of %s", file).isTrue();
      return new Source(pkg.group(1), IMPORT.matcher(text).results().map(m -> m.group(1)).toList(), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void noRuntimeSourceImportsJUnit() {
    runtime().forEach((file, source) -> assertThat(source.imports()).as("imports of %s", file)
        .noneMatch(name -> name.startsWith("org.junit")));
  }

  /** docker-java stays behind the engine package; the transport beneath it uses only its transport interface. */
  @Test
  void onlyTheEngineImportsDockerJava() {
    runtime().forEach((file, source) -> {
      List<String> dockerJava = source.imports().stream().filter(name -> name.startsWith("com.github.dockerjava"))
          .toList();
      if (source.pkg().equals(INTERNAL + "engine.transport")) {
        assertThat(dockerJava).as("%s", file).isSubsetOf("com.github.dockerjava.transport.DockerHttpClient");
      } else if (!source.pkg().equals(INTERNAL + "engine")) {
        assertThat(dockerJava).as("%s imports docker-java", file).isEmpty();
        assertThat(source.text()).as("%s names docker-java", file).doesNotContain("com.github.dockerjava.");
      }
    });
  }

  @Test
  void onlyDnsAndDiscoveryImportDnsjava() {
    runtime().forEach((file, source) -> {
      if (!source.pkg().equals(INTERNAL + "dns") && !file.endsWith("Discovery.java")) {
        assertThat(source.imports()).as("imports of %s", file).noneMatch(name -> name.startsWith("org.xbill"));
      }
    });
  }

  @Test
  void internalPackagesUseOnlyPackagesBelowThem() {
    var violations = new ArrayList<String>();
    runtime().forEach((file, source) -> {
      if (!source.pkg().startsWith(INTERNAL)) {
        return;
      }
      int layer = layerOf(source.pkg());
      assertThat(layer).as("the layer of %s (a new package needs a place in LAYERS)", source.pkg()).isNotNegative();
      for (String used : usedBerthTypes(source)) {
        String usedPackage = used.substring(0, used.lastIndexOf('.'));
        if (usedPackage.startsWith(INTERNAL)) {
          int usedLayer = layerOf(usedPackage);
          if (usedLayer < layer) {
            violations.add(file + " uses " + used + ", which is above it");
          }
        } else if (usedPackage.equals("dev.berth") && !API_VALUES.contains(used)
            && !(used.equals("dev.berth.ServiceSpec") && (layer == 0 || file.endsWith("SpecAccess.java")))) {
          violations.add(file + " uses the API's " + used + "; internals take a Definition");
        }
      }
    });
    assertThat(violations).isEmpty();
  }

  /** The API uses the spec (its definition) and DNS (where Discovery asks); nothing else of the internals. */
  @Test
  void theApiUsesOnlyTheSpecAndDns() {
    runtime().forEach((file, source) -> {
      if (source.pkg().equals("dev.berth")) {
        assertThat(usedBerthTypes(source)).as("%s", file).allSatisfy(used -> assertThat(used)
            .matches("dev\\.berth\\.(\\w+|internal\\.spec\\.[\\w.]+|internal\\.dns\\.[\\w.]+)"));
      }
    });
  }

  /**
   * The extension reaches the runtime through the API and the run, with the configuration, the spec bridge and the
   * run report's timeline (where it notes its test classes).
   */
  @Test
  void theExtensionUsesTheApiTheRunAndTheConfiguration() {
    sources.forEach((file, source) -> {
      if (file.startsWith(EXTENSION)) {
        assertThat(usedBerthTypes(source)).as("%s", file).allSatisfy(used -> assertThat(used).matches(
            "dev\\.berth\\.(\\w+|annotations\\.\\w+|junit\\.\\w+|internal\\.(run|config|report)\\.[\\w.]+"
                + "|internal\\.spec\\.SpecAccess)"));
      }
    });
  }

  private static Map<Path, Source> runtime() {
    var runtime = new TreeMap<Path, Source>();
    sources.forEach((file, source) -> {
      if (file.startsWith(RUNTIME)) {
        runtime.put(file, source);
      }
    });
    return runtime;
  }

  private static int layerOf(String pkg) {
    return LAYERS.indexOf(pkg.substring(INTERNAL.length()));
  }

  /** Berth types a source imports or names in full, outside its own package; a nested type counts as its owner. */
  private static List<String> usedBerthTypes(Source source) {
    var used = new ArrayList<String>();
    for (String name : source.imports()) {
      if (name.startsWith("dev.berth.")) {
        used.add(topLevel(name));
      }
    }
    var named = Pattern.compile("\\bdev\\.berth\\.[\\w.]*?[A-Z]\\w*").matcher(code(source.text()));
    while (named.find()) {
      used.add(topLevel(named.group()));
    }
    used.removeIf(name -> name.substring(0, name.lastIndexOf('.')).equals(source.pkg()));
    return used;
  }

  /** The text without comments, string literals and import or package lines. */
  private static String code(String text) {
    return text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ")
        .replaceAll("\"(\\\\.|[^\"\\\\\n])*\"", "\"\"").replaceAll("(?m)^\\s*(import|package)\\s.*$", "");
  }

  private static String topLevel(String name) {
    String[] parts = name.split("\\.");
    var s = new StringBuilder();
    for (String part : parts) {
      s.append(s.length() == 0 ? "" : ".").append(part);
      if (Character.isUpperCase(part.charAt(0))) {
        break;
      }
    }
    return s.toString();
  }
}
