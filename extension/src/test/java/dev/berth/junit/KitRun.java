package dev.berth.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import com.github.dockerjava.api.model.Event;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs fixture test classes in a Jupiter engine of their own, as a build would: its own Berth run (runtime
 * created and closed inside) under a fresh session label, so the engine's events tell exactly what that run did.
 */
final class KitRun {

  final String session;
  private boolean keepSessionDirectory;
  private final Map<String, String> parameters = new LinkedHashMap<>();
  EngineExecutionResults results;
  /** The run's container events, recorded as the engine reported them (its event history keeps only 256). */
  private Engine.Recorder recorded;

  KitRun() {
    this("kit-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /** A run in a given session: runs one after the other in one session, as later builds on a machine are. */
  KitRun(String session) {
    this.session = session;
  }

  /** Leaves the session's directory to later runs of the session (what berth.reuse keeps is noted there). */
  KitRun keepingSessionDirectory() {
    keepSessionDirectory = true;
    return this;
  }

  KitRun with(String key, String value) {
    parameters.put(key, value);
    return this;
  }

  KitRun parallel() {
    return with("junit.jupiter.execution.parallel.enabled", "true")
        .with("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .with("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
        .with("junit.jupiter.execution.parallel.config.strategy", "fixed")
        .with("junit.jupiter.execution.parallel.config.fixed.parallelism", "8")
        .with("junit.jupiter.execution.parallel.config.fixed.max-pool-size", "8");
  }

  KitRun run(Class<?>... classes) {
    return run(java.util.Arrays.stream(classes).map(c -> (DiscoverySelector) selectClass(c)).toList());
  }

  KitRun run(List<DiscoverySelector> selectors) {
    Fixtures.session = session;
    var kit = EngineTestKit.engine("junit-jupiter").selectors(selectors.toArray(DiscoverySelector[]::new))
        .configurationParameter("berth.session", session)
        .configurationParameter("junit.jupiter.conditions.deactivate", "");
    parameters.forEach(kit::configurationParameter);
    try (var recorder = new Engine.Recorder(session)) {
      results = kit.execute();
      recorder.settle();
      recorded = recorder;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (!keepSessionDirectory) {
      removeSessionDirectory();
    }
    return this;
  }

  /**
   * Asserts that exactly {@code count} tests ran and all succeeded, and that no class or the run's end failed;
   * shows every failure's stack otherwise.
   */
  KitRun assertSucceeded(int count) {
    // Container events include the engine itself: a failure to close the run (cleanup) shows up there.
    var failures = results.allEvents().failed().stream()
        .map(e -> e.getTestDescriptor().getDisplayName() + ": "
            + e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                .map(KitRun::stackTrace).orElse("?"))
        .toList();
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " fixture test(s) failed:\n" + String.join("\n", failures));
    }
    results.testEvents().assertStatistics(s -> s.succeeded(count).failed(0));
    return this;
  }

  /** The failure of the one test that failed (there must be exactly one). */
  Throwable onlyFailure() {
    results.testEvents().assertStatistics(s -> s.failed(1));
    return results.testEvents().failed().stream().findFirst()
        .flatMap(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class))
        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
        .orElseThrow();
  }

  /** The failure of the first class (or the run itself) that failed. */
  Throwable classFailure() {
    return results.containerEvents().failed().stream().findFirst()
        .flatMap(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class))
        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
        .orElseThrow();
  }

  static String stackTrace(Throwable t) {
    var out = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  Events tests() {
    return results.testEvents();
  }

  int servicesCreated() {
    return serviceCreations().size();
  }

  /** The run's service containers as they were created, oldest first. */
  List<Event> serviceCreations() {
    return events("create").stream()
        .filter(e -> "service".equals(e.getActor().getAttributes().get("dev.berth.role"))).toList();
  }

  /** The run's container events with one of these actions, oldest first (see {@link Engine.Recorder#events}). */
  List<Event> events(String... actions) {
    return recorded.events(actions);
  }

  List<String> leftovers() {
    return Engine.leftovers(session);
  }

  /**
   * Berth's directory of a session: under the temporary directory, in one of the user's own. Reckoned here, as a
   * witness of the runtime's rule rather than a call into its internals (they are not exported to this module).
   */
  static java.nio.file.Path sessionDirectory(String session) {
    String user = System.getProperty("user.name", "").replaceAll("[^a-zA-Z0-9_.-]", "_");
    return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), user.isEmpty() ? "berth" : "berth-" + user,
        session);
  }

  /**
   * The run's session is this kit run's alone, and over: its lock files can go (Berth keeps those of named sessions).
   */
  private void removeSessionDirectory() {
    java.nio.file.Path dir = sessionDirectory(session);
    try (var files = java.nio.file.Files.list(dir)) {
      for (var file : files.toList()) {
        java.nio.file.Files.deleteIfExists(file);
      }
      java.nio.file.Files.deleteIfExists(dir);
    } catch (java.io.IOException e) {
      // a run that started nothing made no directory
    }
  }
}
