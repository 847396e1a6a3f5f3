package dev.berth.samples.modular;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/** Runs this module's tests with the JUnit Platform, as a build tool would on the module path; exits 1 on failure. */
public final class RunTests {

  public static void main(String[] args) {
    var summary = new SummaryGeneratingListener();
    var request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(RedisTest.class)).build();
    LauncherFactory.create().execute(request, summary);
    summary.getSummary().printTo(new java.io.PrintWriter(System.out));
    summary.getSummary().printFailuresTo(new java.io.PrintWriter(System.out), 20);
    boolean passed = summary.getSummary().getTotalFailureCount() == 0 && summary.getSummary().getTestsSucceededCount() == 2;
    System.exit(passed ? 0 : 1);
  }
}
