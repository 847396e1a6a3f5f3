package dev.berth.internal.engine;

import dev.berth.BerthException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which version of the engine's API Berth speaks. Unversioned requests get whatever the engine's newest version
 * answers, in shapes Berth may never have read; a fixed version breaks when an engine stops serving it (Docker Engine
 * 29 refuses everything below 1.44). So Berth asks: the ping names the engine's newest version, and Berth speaks the
 * highest version both know, within what the engine serves.
 */
final class ApiVersions {

  /** The oldest API Berth speaks: Docker Engine 20.10, Podman 4. Older engines are refused with a clear error. */
  static final ApiVersion OLDEST = new ApiVersion(1, 41);
  /**
   * The newest API Berth speaks: the oldest Docker Engine 29 serves, and the newest docker-java 3.7 models. A newer
   * engine is spoken to at this version; one that no longer serves it, at the oldest it does.
   */
  static final ApiVersion NEWEST = new ApiVersion(1, 44);

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

  private ApiVersions() {
  }

  /** A version of the engine's API, such as 1.44. */
  record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {

    /** Parses {@code 1.44}; empty for anything else. */
    static Optional<ApiVersion> parse(String text) {
      if (text == null) {
        return Optional.empty();
      }
      Matcher m = VERSION.matcher(text.trim());
      return m.matches() ? Optional.of(new ApiVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
          : Optional.empty();
    }

    @Override
    public int compareTo(ApiVersion other) {
      return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    boolean below(ApiVersion other) {
      return compareTo(other) < 0;
    }

    @Override
    public String toString() {
      return major + "." + minor;
    }
  }

  /**
   * The version chosen, and a warning to log when it is not what the user asked for or newer than Berth knows.
   */
  record Choice(ApiVersion version, Optional<String> warning) {
  }

  /**
   * The version to ask the engine for its oldest version before choosing: the one Berth would speak unless the
   * engine no longer serves it. Only when it is below the engine's newest can the engine refuse it.
   */
  static ApiVersion candidate(Optional<ApiVersion> pinned, ApiVersion engineNewest) {
    return pinned.orElse(engineNewest.below(NEWEST) ? engineNewest : NEWEST);
  }

  /**
   * Chooses the version to speak to the engine at {@code host}, which serves {@code engineOldest} (when known) to
   * {@code engineNewest}; {@code pinned} is a version the user set ({@code pinnedBy} says where). A pinned version
   * the engine serves is spoken as it is; one it does not is replaced, with a warning, so that a setting left from
   * an older engine does not fail every test. An engine older than {@link #OLDEST} fails with both versions named.
   */
  static Choice choose(Optional<ApiVersion> pinned, String pinnedBy, ApiVersion engineNewest,
      Optional<ApiVersion> engineOldest, String host) {
    if (engineNewest.below(OLDEST)) {
      throw new BerthException("The Docker engine at " + host + " serves API versions up to " + engineNewest
          + "; Berth needs " + OLDEST + " or newer (Docker Engine 20.10, Podman 4.0 or newer). Upgrade the engine,"
          + " or point Berth at a newer one with DOCKER_HOST (or berth.dockerHost)");
    }
    ApiVersion oldest = engineOldest.orElse(new ApiVersion(1, 0));
    String range = engineOldest.map(o -> o + " to " + engineNewest).orElse("up to " + engineNewest);
    if (pinned.isPresent()) {
      ApiVersion wanted = pinned.get();
      if (!wanted.below(oldest) && !engineNewest.below(wanted)) {
        return new Choice(wanted, Optional.empty());
      }
      Choice instead = choose(Optional.empty(), pinnedBy, engineNewest, engineOldest, host);
      return new Choice(instead.version(), Optional.of("API version " + wanted + " (" + pinnedBy + ") is not one"
          + " the Docker engine at " + host + " serves (" + range + "); Berth speaks " + instead.version()
          + " instead. Remove " + pinnedBy + " to let Berth choose without this warning"));
    }
    ApiVersion best = candidate(Optional.empty(), engineNewest);
    if (best.below(oldest)) {
      return new Choice(oldest, Optional.of("The Docker engine at " + host + " serves API versions " + range
          + ", all newer than " + NEWEST + ", the newest Berth knows; Berth speaks " + oldest + ". If a call fails"
          + " on a reply Berth cannot read, a newer Berth release may know this engine"));
    }
    return new Choice(best, Optional.empty());
  }
}
