package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.annotations.ServiceHandle;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Starting the plan's services ahead: run through a launcher of its own (start-ahead listens to the launcher's
 * plan), three classes with a service each, the first busy for a while.
 */
class StartAheadTest {

  static volatile Boolean secondRunningAtStart;
  static volatile Boolean thirdRunningAtStart;

  @Test
  void theNextClassesServicesAreRunningWhenTheyBegin() {
    Launched run = launch(Map.of(), First.class, Second.class, Third.class);

    assertThat(run.summary.getTestsSucceededCount()).as(run.failures()).isEqualTo(3);
    assertThat(secondRunningAtStart).isTrue();
    assertThat(thirdRunningAtStart).isTrue();
    assertThat(run.servicesCreated()).containsExactlyInAnyOrder("first", "second", "third");
  }

  @Test
  void aFilteredRunStartsNothingOutsideTheFilterNorForADisabledTest() {
    Launched run = launch(Map.of(), First.class, WithADisabledTest.class, Third.class);

    assertThat(run.summary.getTestsSucceededCount()).as(run.failures()).isEqualTo(2);
    assertThat(run.summary.getTestsSkippedCount()).isEqualTo(1);
    assertThat(run.servicesCreated()).containsExactlyInAnyOrder("first", "third");
  }

  /**
   * Two classes each call their own service "web": the second's, started ahead while the first's test uses its own,
   * takes the name only when its class begins.
   */
  @Test
  void aServiceStartedAheadTakesNoNameFromOneInUse() {
    Launched run = launch(Map.of(), NameInUse.class, NameAhead.class);

    assertThat(run.summary.getTestsSucceededCount()).as(run.failures()).isEqualTo(2);
    assertThat(run.servicesCreated()).containsExactly("web", "web");
  }

  @Test
  void withStartAheadOffAClassWaitsForItsOwn() {
    Launched run = launch(Map.of("berth.startAhead", "0"), First.class, Second.class);

    assertThat(run.summary.getTestsSucceededCount()).as(run.failures()).isEqualTo(2);
    assertThat(secondRunningAtStart).isFalse();
  }

  private static Launched launch(Map<String, String> parameters, Class<?>... classes) {
    secondRunningAtStart = null;
    thirdRunningAtStart = null;
    String session = "ahead-" + UUID.randomUUID().toString().substring(0, 8);
    Fixtures.session = session;
    var request = LauncherDiscoveryRequestBuilder.request()
        .selectors(java.util.Arrays.stream(classes).map(c -> (ClassSelector) selectClass(c)).toList())
        .configurationParameter("berth.session", session)
        .configurationParameter("junit.jupiter.conditions.deactivate", "")
        .configurationParameters(parameters)
        .build();
    var summary = new SummaryGeneratingListener();
    try (var recorder = new Engine.Recorder(session)) {
      LauncherFactory.create().execute(request, summary);
      recorder.settle();
      return new Launched(summary.getSummary(), recorder.events("create").stream()
          .filter(e -> "service".equals(e.getActor().getAttributes().get("dev.berth.role")))
          .map(e -> e.getActor().getAttributes().get("dev.berth.service")).toList());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private record Launched(TestExecutionSummary summary, List<String> servicesCreated) {
    String failures() {
      var out = new java.io.StringWriter();
      summary.printFailuresTo(new java.io.PrintWriter(out), 30);
      return out.toString();
    }
  }

  static ServiceSpec web(String which) {
    return ServiceSpec.from("busybox:1.35").withEnv("CLASS", which).withExposedPort(8080)
        .withCommand("httpd", "-f", "-p", "8080");
  }

  /** Busy long enough for the next classes' services to start. */
  @ServiceTest
  static class First {
    @ServiceContainer
    static final ServiceSpec first = web("first");

    @Test
    void works(@ServiceEndpoint("first") InetSocketAddress address) throws InterruptedException {
      Thread.sleep(3000);
    }
  }

  @ServiceTest
  static class Second {
    @ServiceContainer
    static final ServiceSpec second = web("second");

    @BeforeAll
    static void record(@ServiceHandle("second") Service handle) {
      secondRunningAtStart = handle.isRunning();
    }

    @Test
    void works(@ServiceEndpoint("second") InetSocketAddress address) {
    }
  }

  @ServiceTest
  static class NameInUse {
    @ServiceContainer
    static final ServiceSpec web = web("in use");

    @Test
    void keepsItsName(@ServiceHandle("web") Service web) throws Exception {
      web.start();
      var deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
      while (Engine.running(Fixtures.session, "service").size() < 2) {
        assertThat(System.nanoTime()).as("the next class's web started ahead").isLessThan(deadline);
        Thread.sleep(50);
      }
      Thread.sleep(500); // it is ready, and would have been published by now
      assertThat(dev.berth.Discovery.lookup("web")).isEqualTo(dev.berth.Discovery.lookup(web.hostname()));
    }
  }

  @ServiceTest
  static class NameAhead {
    @ServiceContainer
    static final ServiceSpec web = web("ahead");

    @Test
    void takesTheNameWhenItsClassBegins(@ServiceHandle("web") Service web,
        @ServiceEndpoint("web") InetSocketAddress needed) {
      assertThat(dev.berth.Discovery.lookup("web")).isEqualTo(dev.berth.Discovery.lookup(web.hostname()));
    }
  }

  @ServiceTest
  static class WithADisabledTest {
    @ServiceContainer
    static final ServiceSpec never = web("never");

    @org.junit.jupiter.api.Disabled("it must not start its service ahead either")
    @Test
    void disabled(@ServiceEndpoint("never") InetSocketAddress address) {
    }
  }

  @ServiceTest
  static class Third {
    @ServiceContainer
    static final ServiceSpec third = web("third");

    @BeforeAll
    static void record(@ServiceHandle("third") Service handle) {
      thirdRunningAtStart = handle.isRunning();
    }

    @Test
    void works(@ServiceEndpoint("third") InetSocketAddress address) {
    }
  }
}
