package dev.berth.internal.container;

import dev.berth.BerthException;
import dev.berth.ExecResult;
import dev.berth.Protocol;
import dev.berth.ServiceStartException;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.engine.Healthcheck;
import dev.berth.internal.report.Phase;
import dev.berth.internal.report.RunTimeline;
import dev.berth.internal.spec.Definition;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a started service container is ready: every exposed port answers its protocol from inside the run's network
 * (through the port probe: a connection for plain TCP, the protocol's first exchange for the others), then its
 * output shows the spec's ready log line, its ready HTTP request gets a 2xx answer (through the probe too), and the
 * spec's ready command, or else its image's health check, exits with 0 in the container, where they are given. All
 * within the spec's startup timeout or else {@code berth.startupTimeout}, counted from when the image is present; a
 * container that exits meanwhile fails at once, and a health check fails once Docker would call the container
 * unhealthy.
 */
public final class Readiness {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  /**
   * Port polling: every 2 ms for the first 100 polls, where most services come up (a refused connection costs
   * microseconds), then every 10 ms.
   */
  private static final Poll.Interval POLL = count -> Duration.ofMillis(count <= 100 ? 2 : 10);
  /**
   * Ready requests: every 10 ms for the first half second, then every 50 ms; each is a request the service may log,
   * so fewer than the ports' polls.
   */
  private static final Poll.Interval HTTP_POLL = count -> Duration.ofMillis(count <= 50 ? 10 : 50);
  /**
   * Protocol checks: as ports while the port refuses connections; every 10 ms once the server answers that it is
   * not ready yet, since each such answer may cost it a process and a line of its log.
   */
  private static final Duration NOT_YET_PAUSE = Duration.ofMillis(10);
  /** Between runs of a ready command that failed: short, as each run takes the engine tens of milliseconds. */
  private static final Duration READY_COMMAND_PAUSE = Duration.ofMillis(20);
  private static final Duration READY_COMMAND_MINIMUM = Duration.ofSeconds(1);
  /** How much of a failing ready command's output a failure shows. */
  private static final int OUTPUT_SHOWN = 500;

  private final BerthConfig config;
  private final Supplier<Engine> engine;
  private final Supplier<PortProbe> probe;
  private final RunTimeline timeline;

  Readiness(BerthConfig config, Supplier<Engine> engine, Supplier<PortProbe> probe, RunTimeline timeline) {
    this.timeline = timeline;
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
  void waitFor(RunningService service, Healthcheck healthcheck, long startedNanos) {
    Definition spec = service.spec();
    Optional<Duration> own = spec.startupTimeout();
    var limit = new Limit(own.orElse(config.startupTimeout()),
        own.isPresent() ? "the spec's withStartupTimeout" : "berth.startupTimeout", startedNanos);
    PortProbe ports = probe.get();
    for (int port : spec.exposedPorts()) {
      Protocol protocol = spec.protocol(port);
      if (protocol == Protocol.UDP || spec.uncheckedPorts().contains(port)) {
        LOG.debug("{} port {}/{}: not checked", service.name(), port, protocol.lowerCaseName());
        continue;
      }
      Handshake handshake = Handshake.of(protocol, spec.env());
      LOG.debug("{} port {}: ready once it {}", service.name(), port,
          handshake == null ? "accepts a connection" : "answers as a " + protocol + " server");
      if (handshake == null) {
        awaitConnection(service, port, ports, limit);
        passed(service, "port " + port + " accepted a connection");
      } else {
        awaitHandshake(service, port, handshake, ports, limit);
        passed(service, "port " + port + " answered as a " + protocol + " server");
      }
    }
    failIfExited(service, 0);
    if (service.logs().readyLine().isPresent()) {
      awaitReadyLine(service, service.logs().readyLine().get(), limit);
      passed(service, "its output showed the ready line");
    }
    if (service.spec().readyHttp().isPresent()) {
      awaitReadyHttp(service, service.spec().readyHttp().get(), ports, limit);
      passed(service, "its ready request was answered");
    }
    if (service.spec().readyCommand().isPresent()) {
      awaitReadyCommand(service, new ReadyCommand(service.spec().readyCommand().get(), "its ready command",
          "Give withReadyCommand a command the image has, or its full path"), limit);
      passed(service, "its ready command succeeded");
    }
    if (spec.readyHealthcheck() && healthcheck.command().isEmpty()) {
      throw notReady(service, "its image has no HEALTHCHECK to tell when it is ready (withReadyHealthcheck)"
          + (healthcheck.test().isEmpty() ? "" : ": " + healthcheck.test()) + ". Give the spec a ready command"
          + " (withReadyCommand) instead, or build the image with a HEALTHCHECK instruction", null);
    }
    // The image's own check, by default, where the spec names no command of its own.
    if (spec.readyCommand().isEmpty() && !spec.ignoresHealthcheck() && healthcheck.command().isPresent()) {
      LOG.debug("{}: ready once its image's HEALTHCHECK {} passes ({})", service.name(),
          healthcheck.command().get(), healthcheck.counting());
      awaitReadyCommand(service, new ReadyCommand(healthcheck.command().get(), "its image's HEALTHCHECK command",
          "The image's HEALTHCHECK names a command the image lacks: use withReadyCommand instead, or"
              + " withoutReadyHealthcheck()", healthcheck), limit);
      passed(service, "its image's HEALTHCHECK passed");
    }
  }

  /** A check passed: a mark in the run report, and the readiness phase says what was checked last. */
  private void passed(RunningService service, String check) {
    timeline.mark(service.spec().digest(), "check", check);
    timeline.describe(service.spec().digest(), Phase.READINESS, check);
  }

  /**
   * A command to run until it succeeds, how messages name it, how to mend one the image cannot run, and the image's
   * health check it comes from (null for a spec's ready command), which limits each run and counts failures.
   */
  private record ReadyCommand(List<String> command, String what, String missingHint, Healthcheck healthcheck) {
    ReadyCommand(List<String> command, String what, String missingHint) {
      this(command, what, missingHint, null);
    }
  }

  /** Polls until the port accepts connections: how plain TCP ports are checked. */
  private static void awaitConnection(RunningService service, int port, PortProbe ports, Limit limit) {
    try {
      limit.await(service.name() + ":" + port, () -> {
        failIfExited(service, port);
        return ports.accepts(service.address(), port);
      });
    } catch (Poll.TimedOut e) {
      throw new StartFailure(service.name(), service.spec(), port, null,
          notAccepting(port, limit),
          service.logs().lastLines(false), e);
    }
  }

  /**
   * Polls until the port answers the handshake as a server that serves: as fast as ports while it refuses
   * connections, then every 10 ms while the server says it is not ready yet.
   */
  private static void awaitHandshake(RunningService service, int port, Handshake handshake, PortProbe ports,
      Limit limit) {
    Handshake.Verdict[] last = {null};
    Poll.Interval poll = count -> last[0] == null ? POLL.next(count) : NOT_YET_PAUSE;
    try {
      limit.await(service.name() + ":" + port, poll, () -> {
        failIfExited(service, port);
        last[0] = ports.exchange(service.address(), port, handshake);
        return last[0] != null && last[0].ready();
      });
    } catch (Poll.TimedOut e) {
      String name = handshake.protocol().name();
      throw new StartFailure(service.name(), service.spec(), port, null, last[0] == null
          ? notAccepting(port, limit)
          : "port " + port + " did not answer as a " + name + " server within " + limit + "; it last said: "
              + last[0].said() + ". If the service does not speak " + name + " there, declare the port's protocol"
              + " (withExposedPort(" + port + ", Protocol.TCP) or protocols = \"" + port + "/tcp\"); else raise "
              + limit.name(),
          service.logs().lastLines(false), e);
    }
  }

  /** Why a port that never took a connection failed the start, and what to check. */
  private static String notAccepting(int port, Limit limit) {
    return "port " + port + " did not accept connections within " + limit + ". Check that the service listens on"
        + " 0.0.0.0:" + port + " (not only 127.0.0.1), or raise " + limit.name();
  }

  /**
   * The start's time limit, counted from when the image is present: the spec's own or berth.startupTimeout, and how
   * to name it.
   */
  private record Limit(Duration timeout, String name, long startedNanos) {
    Duration left() {
      return timeout.minus(elapsed());
    }

    /** Since the image was present: about when the container started. */
    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** Waits for what is left of the limit (at least a moment, to look once), polling fast at first. */
    void await(String what, Callable<Boolean> condition) throws Poll.TimedOut {
      await(what, POLL, condition);
    }

    void await(String what, Poll.Interval interval, Callable<Boolean> condition) throws Poll.TimedOut {
      Duration left = left();
      Poll.until(what, left.isNegative() ? Duration.ofMillis(1) : left, interval, condition);
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
      Duration runLimit = left.compareTo(READY_COMMAND_MINIMUM) < 0 ? READY_COMMAND_MINIMUM : left;
      Healthcheck health = ready.healthcheck();
      boolean ownTimeout = health != null && health.timeout().compareTo(runLimit) < 0;
      ExecResult result;
      try {
        result = engine.get().exec(service.containerId(), command, null, ownTimeout ? health.timeout() : runLimit,
            ownTimeout ? "the HEALTHCHECK's timeout" : "what was left of " + limit.name(),
            "service " + service.describe());
      } catch (Engine.CommandCannotRun e) {
        throw notReady(service, ready.what() + " cannot run. " + e.getMessage() + ". " + ready.missingHint(), e);
      } catch (Engine.ExecTimedOut e) {
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
      if (health != null && limit.elapsed().compareTo(health.unhealthyAfter()) >= 0) {
        throw notReady(service, ready.what() + " " + command + " kept failing until Docker would call the container"
            + " unhealthy (" + health.counting() + "; " + health.unhealthyAfter().toMillis() + " ms after the start);"
            + " it last exited with code " + result.exitCode() + shown(result) + ". Try the command in the container"
            + " (docker exec), or ignore the check with withoutReadyHealthcheck()", null);
      }
      if (limit.left().toNanos() <= 0) {
        throw notReady(service, ready.what() + " " + command + " did not succeed within " + limit
            + "; it last exited with code " + result.exitCode() + shown(result)
            + ". Try the command in the container (docker exec), or raise " + limit.name(), null);
      }
      pause(READY_COMMAND_PAUSE);
    }
  }

  /** Waits for the lines of output that say the service is ready, watching for the container's exit meanwhile. */
  private static void awaitReadyLine(RunningService service, LogTail.ReadyLine line, Limit limit) {
    try {
      limit.await(service.name() + " ready line", () -> {
        failIfExited(service, 0);
        return line.seen.isDone();
      });
    } catch (Poll.TimedOut e) {
      throw notReady(service, "its output did not show a line matching '" + line.pattern + "'"
          + (line.times > 1 ? " " + line.times + " times (it did " + line.count() + ")" : "") + " within " + limit
          + ". Check the expression against the output below (it is matched against each line, anywhere in it), or"
          + " raise " + limit.name(), e);
    }
  }

  /** Sends the ready request until it is answered with a 2xx status, watching for the container's exit meanwhile. */
  private static void awaitReadyHttp(RunningService service, Definition.ReadyHttp ready, PortProbe probe,
      Limit limit) {
    int[] last = {-1};
    try {
      limit.await(service.name() + " ready HTTP", HTTP_POLL, () -> {
        failIfExited(service, 0);
        last[0] = probe.httpStatus(service.address(), ready.port(), ready.path());
        return last[0] >= 200 && last[0] < 300;
      });
    } catch (Poll.TimedOut e) {
      throw notReady(service, "GET " + ready.path() + " on port " + ready.port() + " was not answered with a 2xx"
          + " status within " + limit + (last[0] < 0 ? "; it was not answered at all" : "; the last answer was "
              + last[0]) + ". Check the path and port (try wget or curl in a container on the network), or raise "
          + limit.name(), e);
    }
  }

  /** A failed run's output as messages show it: {@code " and printed: ..."}, shortened; empty for none. */
  private static String shown(ExecResult result) {
    String output = (result.stdout() + result.stderr()).strip();
    if (output.length() > OUTPUT_SHOWN) {
      output = output.substring(0, OUTPUT_SHOWN) + "...";
    }
    return output.isEmpty() ? "" : " and printed: " + output;
  }

  private static ServiceStartException notReady(RunningService service, String problem, Throwable cause) {
    return new StartFailure(service.name(), service.spec(), 0, null, problem,
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
      throw new StartFailure(service.name(), service.spec(), port, code,
          "its container exited" + (code == null ? "" : " with code " + code)
              + (port > 0 ? " before port " + port + " accepted connections" : ""),
          service.logs().lastLines(true), null);
    }
  }
}
