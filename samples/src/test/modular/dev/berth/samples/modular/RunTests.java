package dev.berth.samples.modular;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Runs this module's tests with the JUnit Platform, as a build tool would on the module path; exits 1 on failure.
 * With the argument {@code hold}, runs {@link HoldTest} instead, which holds a service until the JVM is killed.
 */
public final class RunTests {

  public static void main(String[] args) {
    var summary = new SummaryGeneratingListener();
    boolean hold = args.length > 0 && args[0].equals("hold");
    var request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(hold ? HoldTest.class : RedisTest.class)).build();
    LauncherFactory.create().execute(request, summary);
    summary.getSummary().printTo(new java.io.PrintWriter(System.out));
    summary.getSummary().printFailuresTo(new java.io.PrintWriter(System.out), 20);
    boolean passed = summary.getSummary().getTotalFailureCount() == 0 && summary.getSummary().getTestsSucceededCount() == 2;
    System.exit(passed ? 0 : 1);
  }
}
