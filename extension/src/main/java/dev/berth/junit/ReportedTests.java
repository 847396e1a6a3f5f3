package dev.berth.junit;

import dev.berth.internal.report.RunTimeline;
import dev.berth.internal.run.ServiceScope;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * Notes each test class and test for the run report: when it ran, how it ended, and how long it waited for its
 * services (the extension's {@code beforeEach} says, through {@link #waited}). Registered before the extension, so
 * a test's time begins before its wait for services. A class is handed to the run's timeline when it ends, if the
 * run has a runtime by then: a run that starts no service has no report.
 */
final class ReportedTests implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  /** A class as it runs: its tests are added as they end, from any thread. */
  private record ClassRun(long start, List<RunTimeline.TestRan> tests) {
  }

  /** A test's wait for its services. */
  private record Waited(long millis, List<String> services) {
  }

  private record TestStart(long at) {
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    store(context).put(ClassRun.class, new ClassRun(RunTimeline.now(), new CopyOnWriteArrayList<>()));
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    store(context).put(TestStart.class, new TestStart(RunTimeline.now()));
  }

  /** The test of {@code context} waited {@code millis} for {@code services} before it ran. */
  static void waited(ExtensionContext context, long millis, List<String> services) {
    store(context).put(Waited.class, new Waited(millis, List.copyOf(services)));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestStart start = store(context).get(TestStart.class, TestStart.class);
    // A store looks in its ancestors' too: the nearest class's, through a parameterized test's container.
    ClassRun run = store(context).get(ClassRun.class, ClassRun.class);
    if (start == null || run == null) {
      return;
    }
    Waited waited = Optional.ofNullable(store(context).get(Waited.class, Waited.class))
        .orElse(new Waited(0, List.of()));
    Optional<Throwable> failure = context.getExecutionException();
    // What the services said when the test failed: read only then, and only of what the class holds already.
    Map<String, List<String>> logTails = failure.isPresent()
        ? ScopeResource.existing(context).map(ServiceScope::logTails).orElse(Map.of()) : Map.of();
    run.tests().add(new RunTimeline.TestRan(testName(context), start.at(), RunTimeline.now(),
        outcome(failure), waited.millis(), waited.services(), failure.map(ReportedTests::message).orElse(null),
        logTails));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ClassRun run = store(context).get(ClassRun.class, ClassRun.class);
    Optional<dev.berth.internal.run.ServiceRuntime> runtime = RuntimeResource.existing(context);
    if (run == null || runtime.isEmpty()) {
      return;
    }
    Class<?> testClass = context.getRequiredTestClass();
    String outcome = context.getExecutionException().map(ReportedTests::outcome)
        .orElse(run.tests().stream().anyMatch(test -> test.outcome().equals("failed")) ? "failed" : "successful");
    // A static nested class's default display name is its binary name's tail ("OuterTest$Inner").
    runtime.get().timeline().classRan(new RunTimeline.ClassRan(testClass.getName(),
        context.getDisplayName().replace('$', '.'),
        run.start(), RunTimeline.now(), outcome, List.copyOf(run.tests())));
  }

  /** A test's display name; an invocation of a parameterized or repeated test's after its method's ("[1] 2"). */
  private static String testName(ExtensionContext context) {
    return context.getParent().filter(parent -> parent.getTestMethod().isPresent())
        .map(parent -> parent.getDisplayName() + " " + context.getDisplayName()).orElse(context.getDisplayName());
  }

  /** How the run report names a test class's scope as a user of its services. */
  static String userName(Class<?> testClass) {
    String name = testClass.getName();
    return name.substring(name.lastIndexOf('.') + 1).replace('$', '.');
  }

  private static String outcome(Optional<Throwable> failure) {
    return failure.map(ReportedTests::outcome).orElse("successful");
  }

  private static String outcome(Throwable failure) {
    return failure instanceof TestAbortedException ? "aborted" : "failed";
  }

  private static String message(Throwable failure) {
    return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
  }

  private static ExtensionContext.Store store(ExtensionContext context) {
    return context.getStore(ExtensionContext.Namespace.create(ReportedTests.class));
  }
}
