package dev.berth.internal.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a build context's {@code .dockerignore}, as the docker CLI reads them: one pattern per line,
 * {@code #} starts a comment, {@code !} makes an exception, later lines override earlier ones. {@code *} and
 * {@code ?} stay within a path segment, {@code **} spans any number of them, {@code [...]} is a character class, and
 * a pattern that matches a directory leaves out everything under it.
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
    for (String line : text.split("\r?\n")) {
      String pattern = line.strip();
      if (pattern.isEmpty() || pattern.startsWith("#")) {
        continue;
      }
      boolean exception = pattern.startsWith("!");
      if (exception) {
        pattern = pattern.substring(1).strip();
      }
      pattern = clean(pattern);
      if (!pattern.isEmpty()) {
        rules.add(new Rule(Pattern.compile(regex(pattern)), exception));
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
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
          i++;
          if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
            // "**/" matches no directory as well as any number of them.
            i++;
            regex.append("(?:.*/)?");
          } else {
            regex.append(".*");
          }
        } else {
          regex.append("[^/]*");
        }
      } else if (c == '?') {
        regex.append("[^/]");
      } else if (c == '[') {
        int end = pattern.indexOf(']', i + 2);
        if (end < 0) {
          regex.append("\\[");
        } else {
          String set = pattern.substring(i + 1, end);
          regex.append('[').append(set.startsWith("^") || set.startsWith("!") ? "^" + set.substring(1) : set)
              .append(']');
          i = end;
        }
      } else if (c == '\\' && i + 1 < pattern.length()) {
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return regex.toString();
  }
}
