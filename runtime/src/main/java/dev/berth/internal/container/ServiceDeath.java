package dev.berth.internal.container;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A service that is gone while others need it: its container exited after it was ready. Those that reach it
 * through bindings see it with the way there, one binding alias per step ({@link #boundAs}), outermost first.
 *
 * @param service the service whose container exited
 * @param exitCode its exit code; null if the engine stopped watching it first
 * @param lastLines the last lines it printed, at most {@link #SHOWN_LINES}
 * @param aliases the binding aliases from those that see this death to the dead service; empty for the service itself
 */
public record ServiceDeath(RunningService service, Integer exitCode, List<String> lastLines, List<String> aliases) {

  /** How many of its last log lines a message shows. */
  public static final int SHOWN_LINES = 20;
  /** Its last lines come on the log stream, which the engine ends just after the exit: worth this long a wait. */
  private static final Duration OUTPUT_WAIT = Duration.ofMillis(500);

  public ServiceDeath {
    lastLines = List.copyOf(lastLines);
    aliases = List.copyOf(aliases);
  }

  /** The death of a service whose container has exited, with its last lines once its output has ended. */
  public static ServiceDeath of(RunningService service) {
    return of(service, OUTPUT_WAIT);
  }

  /** As above, waiting at most {@code outputWait} for its output to end. */
  public static ServiceDeath of(RunningService service, Duration outputWait) {
    CompletableFuture<Integer> exit = service.exit();
    Integer code = exit.isDone() && !exit.isCompletedExceptionally() ? exit.join() : null;
    if (!outputWait.isZero()) {
      service.logs().awaitEnd(outputWait.toNanos());
    }
    List<String> lines = service.logs().lastLines(false);
    return new ServiceDeath(service, code, lines.subList(Math.max(0, lines.size() - SHOWN_LINES), lines.size()),
        List.of());
  }

  /** The same death seen by one that binds, under {@code alias}, the service that saw it. */
  public ServiceDeath boundAs(String alias) {
    var way = new ArrayList<String>(aliases.size() + 1);
    way.add(alias);
    way.addAll(aliases);
    return new ServiceDeath(service, exitCode, lastLines, way);
  }

  /**
   * Names the dead service, its hostname, the alias it is bound under (and the bindings on the way), its exit code
   * and its last log lines: {@code service 'db' (postgres:16, 3f2a1b9c0d4e), hostname berth-3f2a..., bound as 'db'
   * through 'api', exited with code 1 after it was ready. Its last 2 log lines: ...}
   */
  public String describe() {
    var text = new StringBuilder("service ").append(service.describe())
        .append(", hostname ").append(service.spec().hostname());
    if (!aliases.isEmpty()) {
      text.append(", bound as '").append(aliases.get(aliases.size() - 1)).append("'");
      if (aliases.size() > 1) {
        text.append(" through '").append(String.join("' and '", aliases.subList(0, aliases.size() - 1)))
            .append("'");
      }
    }
    text.append(", exited").append(exitCode == null ? "" : " with code " + exitCode).append(" after it was ready. ");
    if (lastLines.isEmpty()) {
      return text.append("It printed nothing").toString();
    }
    return text.append("Its last ").append(lastLines.size()).append(" log lines:\n  | ")
        .append(String.join("\n  | ", lastLines)).toString();
  }
}
