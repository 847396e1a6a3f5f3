package dev.berth.samples.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules for code in the documentation, kept apart from the files so that a test can feed it strings:
 *
 * <ol>
 *   <li>A fence is marked by the line before it (blank lines between are allowed):
 *       {@code <!-- snippet: path/to/Source.java#name -->}, or {@code <!-- snippet: none (reason) -->}.</li>
 *   <li>A marked fence holds exactly the source's region between {@code // tag::name[]} and {@code // end::name[]},
 *       both compared without their common indentation, without trailing spaces and without marker lines.</li>
 *   <li>Every {@code ```java} fence is marked; a marker names a file and a tag that exist, and is followed by a
 *       fence.</li>
 * </ol>
 */
final class Snippets {

  static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*snippet:\\s*(.*?)\\s*-->\\s*$");
  static final Pattern NONE = Pattern.compile("none \\((.+)\\)");
  static final Pattern SOURCE = Pattern.compile("([^#\\s]+)#([\\w.-]+)");
  static final Pattern FENCE = Pattern.compile("^(\\s*)(```+)\\s*([\\w+-]*)\\s*$");
  static final Pattern TAG_LINE = Pattern.compile("^\\s*//\\s*(tag|end)::([\\w.-]+)\\[]\\s*$");

  /** A fence found in a markdown file, with the marker that precedes it, if any. */
  record Fence(String file, int line, String language, String marker, String text) {}

  /** One problem, with where it is. */
  record Problem(String file, int line, String message) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + message;
    }
  }

  private Snippets() {}

  /** The fences of one markdown text, each with the marker before it (or null). */
  static List<Fence> fences(String file, String markdown, List<Problem> problems) {
    List<String> lines = markdown.lines().toList();
    List<Fence> fences = new ArrayList<>();
    String marker = null;
    int markerLine = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher m = MARKER.matcher(line);
      Matcher f = FENCE.matcher(line);
      if (m.matches()) {
        if (marker != null) {
          problems.add(new Problem(file, markerLine, "snippet marker is not followed by a fence"));
        }
        marker = m.group(1);
        markerLine = i + 1;
      } else if (f.matches()) {
        int close = i + 1;
        while (close < lines.size() && !lines.get(close).strip().equals(f.group(2))) {
          close++;
        }
        if (close == lines.size()) {
          problems.add(new Problem(file, i + 1, "fence is not closed"));
        }
        String text = String.join("\n", lines.subList(i + 1, Math.min(close, lines.size())));
        fences.add(new Fence(file, i + 1, f.group(3), marker, text));
        marker = null;
        i = close;
      } else if (!line.isBlank() && marker != null) {
        problems.add(new Problem(file, markerLine, "snippet marker is not followed by a fence"));
        marker = null;
      }
    }
    if (marker != null) {
      problems.add(new Problem(file, markerLine, "snippet marker is not followed by a fence"));
    }
    return fences;
  }

  /**
   * The region {@code name} of a source text: the lines between its tag and end markers, without any marker line.
   *
   * @throws IllegalArgumentException if the tag is missing, not ended or there twice
   */
  static String region(String source, String name) {
    List<String> lines = source.lines().toList();
    List<String> region = new ArrayList<>();
    int depth = 0;
    int starts = 0;
    boolean ended = false;
    for (String line : lines) {
      Matcher m = TAG_LINE.matcher(line);
      if (m.matches()) {
        if (m.group(2).equals(name)) {
          if (m.group(1).equals("tag")) {
            starts++;
            depth = 1;
          } else if (depth == 1) {
            depth = 0;
            ended = true;
          }
        }
        continue;
      }
      if (depth == 1) {
        region.add(line);
      }
    }
    if (starts == 0) {
      throw new IllegalArgumentException("no tag::" + name + "[]");
    }
    if (starts > 1) {
      throw new IllegalArgumentException("tag::" + name + "[] appears " + starts + " times");
    }
    if (!ended) {
      throw new IllegalArgumentException("tag::" + name + "[] has no end::" + name + "[]");
    }
    return String.join("\n", region);
  }

  /** The text without its common leading indentation, trailing spaces, or leading and trailing blank lines. */
  static String normalize(String text) {
    List<String> lines = new ArrayList<>(text.lines().map(String::stripTrailing).toList());
    while (!lines.isEmpty() && lines.get(0).isEmpty()) {
      lines.remove(0);
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    int indent = lines.stream().filter(l -> !l.isEmpty())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    return String.join("\n", lines.stream().map(l -> l.isEmpty() ? l : l.substring(indent)).toList());
  }

  /** Where two texts first differ, as a few lines a person can read. */
  static String diff(String expected, String actual) {
    List<String> e = expected.lines().toList();
    List<String> a = actual.lines().toList();
    int i = 0;
    while (i < e.size() && i < a.size() && e.get(i).equals(a.get(i))) {
      i++;
    }
    return "first difference at line " + (i + 1) + " of the snippet:\n"
        + "  source: " + (i < e.size() ? "|" + e.get(i) + "|" : "(ends)") + "\n"
        + "  doc:    " + (i < a.size() ? "|" + a.get(i) + "|" : "(ends)") + "\n"
        + "source has " + e.size() + " lines, doc has " + a.size() + "; the source's region:\n" + expected;
  }

  /**
   * Checks one markdown text against the rules.
   *
   * @param readSource the text of a repository-relative path, empty if there is no such file
   * @return the fences it checked against a source (the count keeps the check from passing on nothing)
   */
  static int check(String file, String markdown, Function<String, Optional<String>> readSource,
      List<Problem> problems) {
    int checked = 0;
    for (Fence fence : fences(file, markdown, problems)) {
      if (fence.marker() == null) {
        if (fence.language().equals("java")) {
          problems.add(new Problem(file, fence.line(), "java fence has no snippet marker: precede it with"
              + " <!-- snippet: samples/src/test/java/...java#name --> or <!-- snippet: none (reason) -->"));
        }
        continue;
      }
      if (NONE.matcher(fence.marker()).matches()) {
        continue;
      }
      Matcher m = SOURCE.matcher(fence.marker());
      if (!m.matches()) {
        problems.add(new Problem(file, fence.line(), "snippet marker '" + fence.marker()
            + "' is neither path#name nor none (reason)"));
        continue;
      }
      String path = m.group(1);
      String name = m.group(2);
      Optional<String> source = readSource.apply(path);
      if (source.isEmpty()) {
        problems.add(new Problem(file, fence.line(), "snippet '" + name + "': no file " + path));
        continue;
      }
      String expected;
      try {
        expected = normalize(region(source.get(), name));
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(file, fence.line(), "snippet '" + name + "' in " + path + ": " + e.getMessage()));
        continue;
      }
      String actual = normalize(fence.text());
      if (!expected.equals(actual)) {
        problems.add(new Problem(file, fence.line(), "snippet '" + name + "' differs from " + path + ": "
            + diff(expected, actual)));
      }
      checked++;
    }
    return checked;
  }

  /** Reads a repository-relative path, empty if it is not a file under the root. */
  static Function<String, Optional<String>> reader(Path root) {
    return path -> {
      Path p = root.resolve(path).normalize();
      if (!p.startsWith(root) || !Files.isRegularFile(p)) {
        return Optional.empty();
      }
      try {
        return Optional.of(Files.readString(p));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  /** The repository's root: the nearest directory, from the working directory up, with README.md and samples/. */
  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("README.md")) && Files.isDirectory(d.resolve("samples"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root (README.md beside samples/) at or above " + dir);
  }
}
