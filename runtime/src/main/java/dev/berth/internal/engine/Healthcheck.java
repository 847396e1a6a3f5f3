package dev.berth.internal.engine;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An image's {@code HEALTHCHECK} as the engine keeps it, with the engine's defaults where the image sets none, and
 * how Docker would count it: a service is unhealthy once {@code retries} runs in a row failed after the start
 * period, one run each {@code interval}.
 *
 * @param test {@code ["CMD", "cmd", "arg"]} or {@code ["CMD-SHELL", "cmd arg"]}; empty or {@code ["NONE"]} for none
 * @param interval between runs (30 s by default)
 * @param timeout of one run (30 s by default)
 * @param startPeriod during which failures do not count (none by default)
 * @param retries failures in a row that make the service unhealthy (3 by default)
 */
public record Healthcheck(List<String> test, Duration interval, Duration timeout, Duration startPeriod, int retries) {

  static final Healthcheck NONE = new Healthcheck(List.of(), null, null, null, 0);

  private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final int DEFAULT_RETRIES = 3;

  /** From the engine's values: nanoseconds, 0 or null for the default. */
  static Healthcheck of(List<String> test, Long intervalNanos, Long timeoutNanos, Long startPeriodNanos,
      Integer retries) {
    return new Healthcheck(test == null ? List.of() : List.copyOf(test),
        positive(intervalNanos).orElse(DEFAULT_INTERVAL), positive(timeoutNanos).orElse(DEFAULT_TIMEOUT),
        positive(startPeriodNanos).orElse(Duration.ZERO),
        retries == null || retries <= 0 ? DEFAULT_RETRIES : retries);
  }

  private static Optional<Duration> positive(Long nanos) {
    return nanos == null || nanos <= 0 ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
  }

  /**
   * The command the check runs: {@code CMD}'s as it is, {@code CMD-SHELL}'s with {@code /bin/sh -c}, as the engine
   * runs them; empty for none. An image's {@code SHELL} instruction, which the engine would use in place of
   * {@code /bin/sh -c}, is not seen: the engine's client library does not read it.
   */
  public Optional<List<String>> command() {
    if (test.size() < 2) {
      return Optional.empty();
    }
    return switch (test.get(0)) {
      case "CMD" -> Optional.of(List.copyOf(test.subList(1, test.size())));
      case "CMD-SHELL" -> Optional.of(List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size()))));
      default -> Optional.empty();
    };
  }

  /**
   * How long after the container's start Docker would call it unhealthy if every run failed: the start period, then
   * {@code retries} intervals.
   */
  public Duration unhealthyAfter() {
    return startPeriod.plus(interval.multipliedBy(retries));
  }

  /** As messages show it: {@code interval 1000 ms, retries 2}. */
  public String counting() {
    return "interval " + interval.toMillis() + " ms, " + (startPeriod.isZero() ? ""
        : "start period " + startPeriod.toMillis() + " ms, ") + "retries " + retries;
  }
}
