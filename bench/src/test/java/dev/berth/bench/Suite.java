package dev.berth.bench;

import static org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Runs one benchmark suite (the test classes of one package) through the JUnit Platform launcher, in the JVM the
 * runner started for it, and exits 0 only if every test passed. Prints {@code bench-event <epoch micros> <what>}
 * lines on stdout: where the run's time went. With {@code -Dbench.sample=<file>}, {@link Sampler} writes the threads'
 * stacks to the file every 10 ms.
 *
 * <pre>java -cp ... dev.berth.bench.Suite dev.berth.bench.berth</pre>
 */
public final class Suite {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final PrintStream OUT = System.out;

  private Suite() {
  }

  public static void main(String[] args) {
    event("main");
    Sampler.startIfAsked();
    String pkg = args[0];
    int expected = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectPackage(pkg))
        .filters(includeClassNamePatterns(".*Test"))
        .build();
    var summary = new SummaryGeneratingListener();
    var timeline = new TestExecutionListener() {
      @Override
      public void executionStarted(TestIdentifier id) {
        if (id.isTest()) {
          event("test-start " + id.getUniqueId());
        } else if (id.getSource().filter(ClassSource.class::isInstance).isPresent()) {
          event("class-start " + id.getDisplayName());
        }
      }

      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (id.isTest()) {
          event("test-end " + result.getStatus());
        } else if (id.getSource().filter(ClassSource.class::isInstance).isPresent()) {
          event("class-end " + id.getDisplayName() + " " + result.getStatus());
        } else if (id.getParentId().isEmpty()) {
          event("engine-end " + result.getStatus());
        }
      }
    };
    var launcher = LauncherFactory.create();
    event("discover");
    var plan = launcher.discover(request);
    event("execute");
    launcher.execute(plan, summary, timeline);
    event("done");
    var s = summary.getSummary();
    s.printFailuresTo(new java.io.PrintWriter(OUT, true), 30);
    OUT.printf("bench-summary found=%d succeeded=%d failed=%d aborted=%d%n", s.getTestsFoundCount(),
        s.getTestsSucceededCount(), s.getTestsFailedCount(), s.getTestsAbortedCount());
    OUT.flush();
    System.exit(s.getTestsSucceededCount() == expected && s.getTotalFailureCount() == 0 ? 0 : 1);
  }

  static void event(String what) {
    OUT.println("bench-event " + nowMicros() + " " + what);
  }

  /** Wall-clock time in microseconds since the epoch: comparable across JVMs and with containers' clocks. */
  static long nowMicros() {
    Instant now = CLOCK.instant();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }
}
