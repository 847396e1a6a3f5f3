package dev.berth.samples.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.internal.engine.DockerBackend;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.spec.Labels;
import dev.berth.junit.ServiceTest;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a sample: a suite that is a module of its own ({@code src/test/modular}: a {@code module-info} that requires
 * {@code dev.berth.junit}, test classes, a main that runs them with the JUnit Platform) compiled and run on the
 * module path in a JVM of its own, with nothing on the classpath and no {@code --add-modules}: Berth's modules must
 * say everything they need.
 */
@ServiceTest(disabledWithoutDocker = true)
class ModulePathTest {

  private static final Path SOURCES = Path.of("src/test/modular");
  private static final String MAIN = "dev.berth.samples.modular/dev.berth.samples.modular.RunTests";

  @TempDir
  static Path classes;
  private static String modulePath;

  @BeforeAll
  static void compileTheModularSuite() throws IOException {
    List<String> jars = jarsOfThisBuild();
    assumeTrue(jars.stream().anyMatch(jar -> jar.contains("berth-junit-jupiter")),
        "needs the packaged jars, as a Maven build has them");
    String path = String.join(File.pathSeparator, jars);
    var args = new ArrayList<>(List.of("-d", classes.toString(), "--module-path", path));
    try (Stream<Path> files = Files.walk(SOURCES)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
    }
    assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)))
        .as("javac of the modular suite").isZero();
    modulePath = path + File.pathSeparator + classes;
  }

  /** A service bound into a client container and reached from the JVM, as on the classpath. */
  @Test
  void aModularSuiteRunsOnTheModulePath() throws Exception {
    Path output = classes.resolveSibling(classes.getFileName() + "-suite.log");
    Process suite = suite().redirectErrorStream(true).redirectOutput(output.toFile()).start();
    assertThat(suite.waitFor(3, TimeUnit.MINUTES)).as("the suite ends").isTrue();
    String log = Files.readString(output, StandardCharsets.UTF_8);

    assertThat(log).as(log).contains("2 tests successful").contains("0 tests failed");
    assertThat(suite.exitValue()).as(log).isZero();
  }

  /** The watchdog starts from the module path too: a killed JVM's service goes within seconds. */
  @Test
  void theWatchdogCleansUpAfterAModularJvmIsKilled() throws Exception {
    String session = "modular-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    ProcessBuilder builder = suite("hold").redirectErrorStream(true);
    builder.environment().put("BERTH_SESSION", session);
    Process suite = builder.start();
    try (Engine engine = DockerBackend.connect(Optional.empty())) {
      var output = new StringBuilder();
      try (var lines = new BufferedReader(new InputStreamReader(suite.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null && !line.startsWith("HOLDING")) {
          output.append(line).append('\n');
        }
        assertThat(line).as("the suite holds its service; it said:\n%s", output).isNotNull();
      }
      assertThat(engine.containersLabelled(Map.of(Labels.SESSION, session))).as("the held service").isNotEmpty();

      suite.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!engine.containersLabelled(Map.of(Labels.SESSION, session)).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(engine.containersLabelled(Map.of(Labels.SESSION, session))).as("left after the kill").isEmpty();
    } finally {
      suite.destroyForcibly();
    }
  }

  private static ProcessBuilder suite(String... args) {
    var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", modulePath, "-m", MAIN));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
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
