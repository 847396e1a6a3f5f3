package dev.berth.samples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.internal.config.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/reference/configuration.md lists every {@code berth.*} key the code reads, and no other. The code is read as
 * text (its string literals that start with {@code "berth.}), so that the check holds whatever package a class is in.
 */
class ConfigurationReferenceTest {

  /** Literals that start like a key but are none, each with what it is. */
  static final Map<String, String> NOT_KEYS = Map.of(
      "berth.service", "logger prefix: a service's output goes to berth.service.<name>",
      "berth.spec", "version tag in the spec's canonical encoding (berth.spec/v1)",
      "berth.build", "version tags in a Dockerfile build's encoding (berth.build/v1, berth.build-source/v1)",
      "berth.invalid", "registry of the warm-up's image that cannot exist (berth.invalid/rehearsal)",
      "berth.properties", "the name of the user's own settings file (~/.berth.properties)");

  /** A string literal's start: "berth." and dot-separated names, up to anything that is not part of a name. */
  static final Pattern LITERAL = Pattern.compile("\"(berth(?:\\.[A-Za-z][A-Za-z0-9]*)+)");

  /** A row of the reference's table: its first cell is the key in backticks. */
  static final Pattern ROW = Pattern.compile("^\\|\\s*`(berth\\.[^`]+)`\\s*\\|");

  @Test
  void theReferenceListsEveryKeyTheCodeReads() throws IOException {
    Path root = Snippets.repositoryRoot();
    Map<String, Set<String>> inCode = new TreeMap<>();
    for (String module : new String[] {"runtime/src/main/java", "extension/src/main/java"}) {
      try (Stream<Path> files = Files.walk(root.resolve(module))) {
        files.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
          Matcher m = LITERAL.matcher(read(p));
          while (m.find()) {
            inCode.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(root.relativize(p).toString());
          }
        });
      }
    }
    assertThat(inCode.keySet()).as("berth.* literals found in the code (is the scan reading the sources?)")
        .hasSizeGreaterThan(15);
    assertThat(NOT_KEYS.keySet()).as("names listed as not keys that the code no longer has: drop them from NOT_KEYS")
        .allMatch(inCode::containsKey);
    inCode.keySet().removeAll(NOT_KEYS.keySet());

    Set<String> documented = new TreeSet<>();
    read(root.resolve("docs/reference/configuration.md")).lines().map(ROW::matcher).filter(Matcher::find)
        .forEach(m -> documented.add(m.group(1)));

    Set<String> undocumented = new TreeSet<>(inCode.keySet());
    undocumented.removeAll(documented);
    Map<String, Set<String>> where = new TreeMap<>(inCode);
    where.keySet().retainAll(undocumented);
    assertThat(undocumented).as("keys the code reads that docs/reference/configuration.md does not list (where: %s);"
        + " add a row, or, if it is no key, add it to NOT_KEYS with what it is", where).isEmpty();

    assertThat(documented).as("the keys the check of settings knows (dev.berth.internal.config.Keys) are the"
        + " documented ones").isEqualTo(Keys.known());

    Set<String> unknown = new TreeSet<>(documented);
    unknown.removeAll(inCode.keySet());
    assertThat(unknown).as("keys docs/reference/configuration.md lists that no source under runtime/ or extension/"
        + " names; remove the row or fix its name").isEmpty();
  }

  @Test
  void theScanSeesKeysInsideLongerLiteralsAndSkipsOthers() {
    String code = """
        String a = "berth.gracePeriod";
        log.info("berth.cacheVolumes.prune: removed {}", n);
        String b = "berth.spec/v1" + "berth.service." + name;
        String c = "berthing" + "other.berth.x";
        """;
    Set<String> found = new TreeSet<>();
    Matcher m = LITERAL.matcher(code);
    while (m.find()) {
      found.add(m.group(1));
    }
    assertThat(found).containsExactly("berth.cacheVolumes.prune", "berth.gracePeriod", "berth.service", "berth.spec");
    assertThat(ROW.matcher("| `berth.dns` | `true` | whether ... |").find()).isTrue();
    assertThat(ROW.matcher("| Key | Default | Meaning |").find()).isFalse();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
