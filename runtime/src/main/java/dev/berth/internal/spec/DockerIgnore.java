package dev.berth.internal.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a build context's {@code .dockerignore}, as the docker CLI reads them: one pattern per line,
 * {@code #} starts a comment, {@code !} makes an exception, later lines override earlier ones. {@code *} and
 * {@code ?} stay within a path segment, {@code **} spans any number of them, and a pattern that matches a directory
 * leaves out everything under it. {@code [...]} is a character class as in Go's {@code filepath.Match}: only a leading
 * {@code ^} negates ({@code [!a]} matches '!' or 'a', as docker reads it), {@code a-z} is a range, and {@code \}
 * escapes the next character, inside a class or out. A pattern docker refuses is refused here too.
 */
final class DockerIgnore {

  private record Rule(Pattern pattern, boolean exception) {
  }

  private final List<Rule> rules;

  private DockerIgnore(List<Rule> rules) {
    this.rules = rules;
  }

  static final DockerIgnore NONE = new DockerIgnore(List.of());

  static DockerIgnore parse(String text) {
    var rules = new ArrayList<Rule>();
    String[] lines = text.split("\r?\n");
    for (int number = 1; number <= lines.length; number++) {
      String line = lines[number - 1];
      String pattern = line.strip();
      if (pattern.isEmpty() || pattern.startsWith("#")) {
        continue;
      }
      boolean exception = pattern.startsWith("!");
      if (exception) {
        pattern = pattern.substring(1).strip();
      }
      try {
        if (exception && pattern.isEmpty()) {
          throw new IllegalArgumentException("'!' excepts nothing");
        }
        pattern = clean(pattern);
        if (!pattern.isEmpty()) {
          rules.add(new Rule(Pattern.compile(regex(pattern)), exception));
        }
      } catch (IllegalArgumentException e) {
        // The docker CLI fails the build on such a line; sending a context it would not is worse.
        throw new IllegalArgumentException(".dockerignore line " + number + ", '" + line.strip()
            + "', is not a pattern docker accepts: " + e.getMessage(), e);
      }
    }
    return new DockerIgnore(List.copyOf(rules));
  }

  /** Whether the file at {@code path} (relative to the context, '/'-separated) is left out of the context. */
  boolean excludes(String path) {
    boolean excluded = false;
    for (Rule rule : rules) {
      if (matchesOrIsUnder(rule.pattern, path)) {
        excluded = !rule.exception;
      }
    }
    return excluded;
  }

  private static boolean matchesOrIsUnder(Pattern pattern, String path) {
    if (pattern.matcher(path).matches()) {
      return true;
    }
    for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      if (pattern.matcher(path.substring(0, slash)).matches()) {
        return true;
      }
    }
    return false;
  }

  /** As the CLI cleans a pattern: no leading '/', no "./" or empty segments, ".." resolved. */
  private static String clean(String pattern) {
    var segments = new ArrayList<String>();
    for (String segment : pattern.split("/+")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (!segments.isEmpty()) {
          segments.remove(segments.size() - 1);
        }
        continue;
      }
      segments.add(segment);
    }
    return String.join("/", segments);
  }

  private static String regex(String pattern) {
    var regex = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (pattern.startsWith("**/", i)) {
        // "**/" matches no directory as well as any number of them.
        regex.append("(?:.*/)?");
        i += 3;
      } else if (pattern.startsWith("**", i)) {
        regex.append(".*");
        i += 2;
      } else if (c == '*' || c == '?') {
        regex.append(c == '*' ? "[^/]*" : "[^/]");
        i++;
      } else if (c == '[') {
        i = characterClass(pattern, i, regex);
      } else {
        i = literal(pattern, i, regex);
      }
    }
    return regex.toString();
  }

  /**
   * Appends the class that opens at {@code open}, as Go reads it: '^' first negates, members are characters
   * (']', '-' and '\' escaped by '\') or ranges lo-hi. Returns the index after its ']'.
   */
  private static int characterClass(String pattern, int open, StringBuilder regex) {
    regex.append('[');
    int i = open + 1;
    if (i < pattern.length() && pattern.charAt(i) == '^') {
      regex.append('^');
      i++;
    }
    int first = i;
    while (i < pattern.length() && pattern.charAt(i) != ']') {
      int low = i;
      int afterLow = classMember(pattern, low, regex);
      i = afterLow;
      if (i < pattern.length() && pattern.charAt(i) == '-') {
        regex.append('-');
        i = classMember(pattern, i + 1, regex);
        if (pattern.codePointBefore(i) < pattern.codePointBefore(afterLow)) {
          throw new IllegalArgumentException("the range " + pattern.substring(low, i) + " runs backwards");
        }
      }
    }
    if (i >= pattern.length()) {
      throw new IllegalArgumentException("its '[' has no ']'");
    }
    if (i == first) {
      throw new IllegalArgumentException("its class " + pattern.substring(open, i + 1) + " is empty");
    }
    regex.append(']');
    return i + 1;
  }

  private static int classMember(String pattern, int at, StringBuilder regex) {
    if (at >= pattern.length()) {
      throw new IllegalArgumentException("its '[' has no ']'");
    }
    char c = pattern.charAt(at);
    if (c == '-' || c == ']') {
      throw new IllegalArgumentException("a '" + c + "' in a class needs a '\\' before it");
    }
    return literal(pattern, at, regex);
  }

  /**
   * Appends the character at {@code at} (or the one a '\' there escapes) to match itself, inside a class or out;
   * returns the index after it.
   */
  private static int literal(String pattern, int at, StringBuilder regex) {
    if (pattern.charAt(at) == '\\') {
      at++;
      if (at >= pattern.length()) {
        throw new IllegalArgumentException("its last '\\' escapes nothing");
      }
    }
    int codePoint = pattern.codePointAt(at);
    // A hex escape means the character alone in a Java regex, where '[', '&&' or '\\' would not.
    regex.append("\\x{").append(Integer.toHexString(codePoint)).append('}');
    return at + Character.charCount(codePoint);
  }
}
