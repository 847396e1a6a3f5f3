package dev.berth.samples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.samples.docs.Snippets.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java code in README.md and docs/ is the code of compiled samples: each fence names a tagged region of a
 * source under samples/, and must hold that region as it is (see {@link Snippets} for the rules). No engine needed.
 */
class DocSnippetsTest {

  @Test
  void everySnippetIsItsSamplesRegion() throws IOException {
    Path root = Snippets.repositoryRoot();
    List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<Problem> problems = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      checked += Snippets.check(root.relativize(page).toString(), Files.readString(page), Snippets.reader(root),
          problems);
    }
    assertThat(problems).as("snippets that do not match their samples:\n%s",
        problems.stream().map(Problem::toString).collect(Collectors.joining("\n\n"))).isEmpty();
    assertThat(checked).as("snippets checked against samples in %d pages", pages.size()).isGreaterThan(10);
  }

  // The rules themselves, on strings, so that the check above cannot pass by finding nothing to check.

  private static final String SOURCE = """
      class A {
        // tag::body[]
        void run() {
          go();
        }
        // end::body[]
        // tag::outer[]
        int x;
        // tag::inner[]
        int y;
        // end::inner[]
        // end::outer[]
      }
      """;

  private static final Function<String, Optional<String>> FILES =
      path -> Optional.ofNullable(Map.of("src/A.java", SOURCE).get(path));

  private static List<Problem> check(String markdown) {
    List<Problem> problems = new ArrayList<>();
    Snippets.check("page.md", markdown, FILES, problems);
    return problems;
  }

  @Test
  void aMatchingSnippetPasses() {
    assertThat(check("""
        Text.

        <!-- snippet: src/A.java#body -->
        ```java
        void run() {
          go();
        }
        ```
        """)).isEmpty();
  }

  @Test
  void indentationInAListAndNestedMarkersDoNotCount() {
    assertThat(check("""
        - item:

          <!-- snippet: src/A.java#outer -->
          ```java
          int x;
          int y;
          ```
        """)).isEmpty();
  }

  @Test
  void aChangedLineFailsNamingFileSnippetAndLine() {
    assertThat(check("""
        <!-- snippet: src/A.java#body -->
        ```java
        void run() {
          stop();
        }
        ```
        """)).singleElement().satisfies(p -> {
          assertThat(p.file()).isEqualTo("page.md");
          assertThat(p.line()).isEqualTo(2);
          assertThat(p.message()).contains("'body'", "src/A.java", "line 2", "|  go();|", "|  stop();|");
        });
  }

  @Test
  void aMissingFileOrTagFails() {
    assertThat(check("""
        <!-- snippet: src/B.java#body -->
        ```java
        void run() {}
        ```
        <!-- snippet: src/A.java#nothing -->
        ```java
        void run() {}
        ```
        """)).extracting(Problem::message)
        .containsExactly("snippet 'body': no file src/B.java", "snippet 'nothing' in src/A.java: no tag::nothing[]");
  }

  @Test
  void aTagWithoutEndFails() {
    List<Problem> problems = new ArrayList<>();
    Snippets.check("page.md", "<!-- snippet: src/C.java#open -->\n```java\nint z;\n```\n",
        path -> Optional.of("// tag::open[]\nint z;\n"), problems);
    assertThat(problems).extracting(Problem::message)
        .containsExactly("snippet 'open' in src/C.java: tag::open[] has no end::open[]");
  }

  @Test
  void anUnmarkedJavaFenceFailsUnlessMarkedNone() {
    assertThat(check("""
        ```java
        int a;
        ```
        """)).singleElement().satisfies(p -> assertThat(p.message()).startsWith("java fence has no snippet marker"));
    assertThat(check("""
        <!-- snippet: none (one-line fragment) -->
        ```java
        int a;
        ```

        ```xml
        <a/>
        ```
        """)).isEmpty();
  }

  @Test
  void aMarkerWithoutFenceOrOfAnotherShapeFails() {
    assertThat(check("""
        <!-- snippet: src/A.java#body -->
        Some text.

        <!-- snippet: whatever -->
        ```java
        int a;
        ```
        """)).extracting(Problem::message).containsExactly("snippet marker is not followed by a fence",
        "snippet marker 'whatever' is neither path#name nor none (reason)");
  }
}
