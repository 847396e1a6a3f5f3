package dev.berth.internal.spec;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A parsed image reference ({@code [registry/]path[:tag][@digest]}), normalised so that {@code redis},
 * {@code redis:latest} and {@code docker.io/library/redis:latest} are one image.
 */
public record ImageReference(String registry, String path, String tag, String digest) {

  private static final String DEFAULT_REGISTRY = "docker.io";
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern REGISTRY = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}");

  public static ImageReference parse(String reference) {
    if (reference == null || reference.isBlank()) {
      throw invalid(reference, "it is empty");
    }
    if (!reference.equals(reference.strip())) {
      throw invalid(reference, "it has leading or trailing whitespace");
    }
    String rest = reference;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw invalid(reference, "'" + digest + "' is not a digest like sha256:<64 hex digits>");
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw invalid(reference, "tag '" + tag + "' may hold only letters, digits, '_', '.' and '-'");
      }
    }
    String registry = DEFAULT_REGISTRY;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        rest = rest.substring(slash + 1);
        if (!REGISTRY.matcher(registry).matches()) {
          throw invalid(reference, "registry '" + registry + "' is not a host[:port]");
        }
      }
    }
    if (rest.isEmpty()) {
      throw invalid(reference, "it names no repository");
    }
    for (String component : rest.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw invalid(reference, "repository '" + rest + "' must be lowercase letters, digits and separators"
            + (component.equals(component.toLowerCase(Locale.ROOT)) ? "" : " (it has uppercase letters)"));
      }
    }
    if (registry.equals(DEFAULT_REGISTRY) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, rest, tag, digest);
  }

  /**
   * This image as a mirror of Docker Hub serves it: {@code prefix} (a registry and perhaps a path, ending in
   * {@code /}) before its full path, {@code library/} included for official images, as pull-through caches take it:
   * {@code mirror.example.com/hub/library/redis:7.0}. Images of other registries are returned as they are.
   */
  public ImageReference throughHubMirror(String prefix) {
    if (!registry.equals(DEFAULT_REGISTRY)) {
      return this;
    }
    return parse(prefix + path + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest));
  }

  private static IllegalArgumentException invalid(String reference, String problem) {
    return new IllegalArgumentException("Image reference '" + reference + "' is malformed: " + problem
        + "; expected [registry/]name[:tag][@sha256:digest], for example \"redis:7.0\"");
  }

  /** The repository to pull, in the form the engine shows it: {@code redis}, {@code ghcr.io/org/app}. */
  public String repository() {
    if (registry.equals(DEFAULT_REGISTRY)) {
      return path.startsWith("library/") ? path.substring("library/".length()) : path;
    }
    return registry + "/" + path;
  }

  /** The canonical form, used in digests. */
  String canonical() {
    return registry + "/" + path + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }

  /** The short form the engine accepts, for create and inspect. */
  @Override
  public String toString() {
    return repository() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }
}
