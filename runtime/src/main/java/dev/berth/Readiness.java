package dev.berth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.pollinterval.PollInterval;

/**
 * When a started service container is ready: every exposed port accepts connections from inside the run's network
 * (through the port probe), then its output shows the spec's ready log line, its ready HTTP request gets a 2xx answer
 * (through the probe too), and the spec's ready command (or its image's health check) exits with 0 in the container,
 * where the spec has them. All within the spec's startup timeout or else {@code berth.startupTimeout}, counted from
 * when the image is present; a container that exits meanwhile fails at once.
 */
final class Readiness {

  /**
   * Port polling: every 2 ms for the first 100 polls, where most services come up (a refused connection costs
   * microseconds), then every 10 ms.
   */
  private static final PollInterval POLL = (count, previous) -> Duration.ofMillis(count <= 100 ? 2 : 10);
  /**
   * Ready requests: every 10 ms for the first half second, then every 50 ms; each is a request the service may log,
   * so fewer than the ports' polls.
   */
  private static final PollInterval HTTP_POLL = (count, previous) -> Duration.ofMillis(count <= 50 ? 10 : 50);
  /** Between runs of a ready command that failed: short, as each run takes the engine tens of milliseconds. */
  private static final Duration READY_COMMAND_PAUSE = Duration.ofMillis(20);
  private static final Duration READY_COMMAND_MINIMUM = Duration.ofSeconds(1);
  /** How much of a failing ready command's output a failure shows. */
  private static final int OUTPUT_SHOWN = 500;

  private final BerthConfig config;
  private final Supplier<DockerBackend> engine;
  private final Supplier<PortProbe> probe;

  Readiness(BerthConfig config, Supplier<DockerBackend> engine, Supplier<PortProbe> probe) {
    this.config = config;
    this.engine = engine;
    this.probe = probe;
  }

  /**
   * Waits until every exposed port accepts connections, then for the ready log line, the ready request and the ready
   * command; fails fast when the container exits, and with the service's log when time runs out.
   *
   * @param healthcheck the test of the container's {@code HEALTHCHECK}, as the engine keeps it (empty if none)
   */
  void waitFor(RunningService service, List<String> healthcheck, long startedNanos) {
    Optional<Duration> own = service.spec().startupTimeout();
    var limit = new Limit(own.orElse(config.startupTimeout()),
        own.isPresent() ? "the spec's withStartupTimeout" : "berth.startupTimeout", startedNanos);
    PortProbe ports = probe.get();
    for (int port : service.spec().exposedPorts()) {
      try {
        limit.await(service.name() + ":" + port).until(() -> {
          failIfExited(service, port);
          return ports.accepts(service.address(), port);
        });
      } catch (ConditionTimeoutException e) {
        throw new ServiceStartException(service.name(), service.spec().image(), port, null,
            "port " + port + " did not accept connections within " + limit + ". Check that the service listens on"
                + " 0.0.0.0:" + port + " (not only 127.0.0.1), or raise " + limit.name(),
            service.logs().lastLines(false), e);
      }
    }
    failIfExited(service, 0);
    if (service.logs().readyLine().isPresent()) {
      awaitReadyLine(service, service.logs().readyLine().get(), limit);
    }
    if (service.spec().readyHttp().isPresent()) {
      awaitReadyHttp(service, service.spec().readyHttp().get(), ports, limit);
    }
    if (service.spec().readyCommand().isPresent()) {
      awaitReadyCommand(service, new ReadyCommand(service.spec().readyCommand().get(), "its ready command",
          "Give withReadyCommand a command the image has, or its full path"), limit);
    }
    if (service.spec().readyHealthcheck()) {
      List<String> command = healthcheckCommand(healthcheck).orElseThrow(() -> notReady(service, "its image has no"
          + " HEALTHCHECK to tell when it is ready (withReadyHealthcheck)" + (healthcheck.isEmpty() ? "" : ": "
          + healthcheck) + ". Give the spec a ready command (withReadyCommand) instead, or build the image with a"
          + " HEALTHCHECK instruction", null));
      awaitReadyCommand(service, new ReadyCommand(command, "its image's HEALTHCHECK command",
          "The image's HEALTHCHECK names a command the image lacks: use withReadyCommand instead"), limit);
    }
  }

  /**
   * The command a {@code HEALTHCHECK} runs, from its test as the engine keeps it: {@code ["CMD", "cmd", "arg"]}, or
   * {@code ["CMD-SHELL", "cmd arg"]}, which the engine runs with {@code /bin/sh -c}; empty for none ({@code []},
   * inherited from no base image, or {@code ["NONE"]}). An image's {@code SHELL} instruction, which the engine would
   * use in place of {@code /bin/sh -c}, is not seen: the engine's client library does not read it.
   */
  static Optional<List<String>> healthcheckCommand(List<String> test) {
    if (test.size() < 2) {
      return Optional.empty();
    }
    return switch (test.get(0)) {
      case "CMD" -> Optional.of(List.copyOf(test.subList(1, test.size())));
      case "CMD-SHELL" -> Optional.of(List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size()))));
      default -> Optional.empty();
    };
  }

  /** A command to run until it succeeds, how messages name it, and how to mend one the image cannot run. */
  private record ReadyCommand(List<String> command, String what, String missingHint) {
  }

  /**
   * The start's time limit, counted from when the image is present: the spec's own or berth.startupTimeout, and how
   * to name it.
   */
  private record Limit(Duration timeout, String name, long startedNanos) {
    Duration left() {
      return timeout.minusNanos(System.nanoTime() - startedNanos);
    }

    /** A wait for what is left of the limit (at least a moment, to look once), polling fast at first. */
    ConditionFactory await(String alias) {
      return await(alias, POLL);
    }

    ConditionFactory await(String alias, PollInterval interval) {
      Duration left = left();
      return Awaitility.await().alias(alias)
          .atMost(left.isNegative() ? Duration.ofMillis(1) : left)
          .pollDelay(Duration.ZERO)
          .pollInterval(interval)
          .pollInSameThread();
    }

    /** As messages name it: {@code berth.startupTimeout (60000 ms)}. */
    @Override
    public String toString() {
      return name + " (" + timeout.toMillis() + " ms)";
    }
  }

  /**
   * Runs the spec's ready command in the service's container until it exits with 0. Each run costs the engine an
   * exec (some 40-80 ms here), so the first starts once the ports accept, when the service is most likely ready.
   */
  private void awaitReadyCommand(RunningService service, ReadyCommand ready, Limit limit) {
    List<String> command = ready.command();
    while (true) {
      // Each run gets what is left of the startup time, but at least a second: a last run must be able to finish.
      Duration left = limit.left();
      ExecResult result;
      try {
        result = engine.get().exec(service.containerId(), command, null,
            left.compareTo(READY_COMMAND_MINIMUM) < 0 ? READY_COMMAND_MINIMUM : left,
            "what was left of " + limit.name(), "service " + service.describe());
      } catch (DockerBackend.CommandCannotRun e) {
        throw notReady(service, ready.what() + " cannot run. " + e.getMessage() + ". " + ready.missingHint(), e);
      } catch (DockerBackend.ExecTimedOut e) {
        throw notReady(service, ready.what() + " did not finish. " + e.getMessage() + ". Give the command a time"
            + " limit of its own (pg_isready -t 1, timeout 1 ...), or raise " + limit.name(), e);
      } catch (BerthException e) {
        // Most likely the container stopped under the exec: say so, with its exit code, once the engine has told.
        try {
          service.exit().get(1, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException ignored) {
          // not known to have exited: report the exec's failure
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
        failIfExited(service, 0);
        throw notReady(service, ready.what() + " " + command + " could not run: " + e.getMessage(), e);
      }
      if (result.exitCode() == 0) {
        return;
      }
      failIfExited(service, 0);
      if (limit.left().toNanos() <= 0) {
        String output = (result.stdout() + result.stderr()).strip();
        if (output.length() > OUTPUT_SHOWN) {
          output = output.substring(0, OUTPUT_SHOWN) + "...";
        }
        throw notReady(service, ready.what() + " " + command + " did not succeed within " + limit
            + "; it last exited with code " + result.exitCode() + (output.isEmpty() ? "" : " and printed: " + output)
            + ". Try the command in the container (docker exec), or raise " + limit.name(), null);
      }
      pause(READY_COMMAND_PAUSE);
    }
  }

  /** Waits for the lines of output that say the service is ready, watching for the container's exit meanwhile. */
  private static void awaitReadyLine(RunningService service, LogTail.ReadyLine line, Limit limit) {
    try {
      limit.await(service.name() + " ready line").until(() -> {
        failIfExited(service, 0);
        return line.seen.isDone();
      });
    } catch (ConditionTimeoutException e) {
      throw notReady(service, "its output did not show a line matching '" + line.pattern + "'"
          + (line.times > 1 ? " " + line.times + " times (it did " + line.count() + ")" : "") + " within " + limit
          + ". Check the expression against the output below (it is matched against each line, anywhere in it), or"
          + " raise " + limit.name(), e);
    }
  }

  /** Sends the ready request until it is answered with a 2xx status, watching for the container's exit meanwhile. */
  private static void awaitReadyHttp(RunningService service, ServiceSpec.ReadyHttp ready, PortProbe probe,
      Limit limit) {
    int[] last = {-1};
    try {
      limit.await(service.name() + " ready HTTP", HTTP_POLL).until(() -> {
        failIfExited(service, 0);
        last[0] = probe.httpStatus(service.address(), ready.port(), ready.path());
        return last[0] >= 200 && last[0] < 300;
      });
    } catch (ConditionTimeoutException e) {
      throw notReady(service, "GET " + ready.path() + " on port " + ready.port() + " was not answered with a 2xx"
          + " status within " + limit + (last[0] < 0 ? "; it was not answered at all" : "; the last answer was "
              + last[0]) + ". Check the path and port (try wget or curl in a container on the network), or raise "
          + limit.name(), e);
    }
  }

  private static ServiceStartException notReady(RunningService service, String problem, Throwable cause) {
    return new ServiceStartException(service.name(), service.spec().image(), 0, null, problem,
        service.logs().lastLines(false), cause);
  }

  private static void pause(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while waiting for a service to be ready", e);
    }
  }

  private static void failIfExited(RunningService service, int port) {
    if (service.exit().isDone()) {
      Integer code = service.exit().isCompletedExceptionally() ? null : service.exit().join();
      throw new ServiceStartException(service.name(), service.spec().image(), port, code,
          "its container exited" + (code == null ? "" : " with code " + code)
              + (port > 0 ? " before port " + port + " accepted connections" : ""),
          service.logs().lastLines(true), null);
    }
  }
}
