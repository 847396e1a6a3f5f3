package dev.berth.samples.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.junit.ServiceTest;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a sample: a suite that is a module of its own ({@code src/test/modular}: a {@code module-info} that requires
 * {@code dev.berth.junit}, a test class, a main that runs it with the JUnit Platform) compiled and run on the module
 * path in a JVM of its own, with nothing on the classpath and no {@code --add-modules}: Berth's modules must say
 * everything they need. It starts a service, binds it into a client and connects from the JVM.
 */
@ServiceTest(disabledWithoutDocker = true)
class ModulePathTest {

  private static final Path SOURCES = Path.of("src/test/modular");

  @Test
  void aModularSuiteRunsOnTheModulePath(@TempDir Path classes) throws Exception {
    List<String> modulePath = jarsOfThisBuild();
    assumeTrue(modulePath.stream().anyMatch(jar -> jar.contains("berth-junit-jupiter")),
        "needs the packaged jars, as a Maven build has them");
    String path = String.join(File.pathSeparator, modulePath);

    var sources = new ArrayList<String>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> sources.add(f.toString()));
    }
    var args = new ArrayList<>(List.of("-d", classes.toString(), "--module-path", path));
    args.addAll(sources);
    assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)))
        .as("javac of the modular suite").isZero();

    Path output = classes.resolveSibling(classes.getFileName() + ".log");
    Process suite = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", path + File.pathSeparator + classes,
        "-m", "dev.berth.samples.modular/dev.berth.samples.modular.RunTests")
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    assertThat(suite.waitFor(3, TimeUnit.MINUTES)).as("the suite ends").isTrue();
    String log = Files.readString(output, StandardCharsets.UTF_8);

    assertThat(log).as(log).contains("2 tests successful").contains("0 tests failed");
    assertThat(suite.exitValue()).as(log).isZero();
  }

  /**
   * The jars this JVM was started with: Surefire passes them in the manifest of a single jar. Directories (this
   * module's own classes) and Surefire's own jars stay out.
   */
  private static List<String> jarsOfThisBuild() throws IOException {
    var entries = new LinkedHashSet<String>();
    String[] classpath = System.getProperty("java.class.path").split(File.pathSeparator);
    for (String entry : classpath) {
      entries.add(entry);
      if (classpath.length == 1 && entry.endsWith(".jar")) {
        try (var jar = new JarFile(entry)) {
          String manifestPath = jar.getManifest() == null ? null
              : jar.getManifest().getMainAttributes().getValue("Class-Path");
          if (manifestPath != null) {
            for (String item : manifestPath.trim().split("\\s+")) {
              entries.add(Path.of(Path.of(entry).getParent().toUri().resolve(URI.create(item))).toString());
            }
          }
        }
      }
    }
    return entries.stream()
        .filter(entry -> entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry)))
        .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("surefire"))
        .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("common-java5"))
        .toList();
  }
}
