package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * {@code disabledWithoutDocker = true} against an engine that accepts connections and never answers (a starting or
 * wedged one): the tests are skipped once the ping's deadline passes, and the reason says so. No Docker needed.
 */
@Timeout(30)
class SilentEngineTest {

  @Test
  void optionalTestsAreSkippedWhenThePingIsNotAnsweredInTime(@TempDir Path dir, TestReporter reporter)
      throws IOException {
    Path socket = dir.resolve("silent.sock");
    List<SocketChannel> accepted = new ArrayList<>();
    try (var engine = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      engine.bind(UnixDomainSocketAddress.of(socket));
      var accept = new Thread(() -> {
        try {
          while (true) {
            accepted.add(engine.accept()); // held open, never read, never answered
          }
        } catch (IOException closed) {
          // the test ended
        }
      }, "silent-engine");
      accept.setDaemon(true);
      accept.start();

      long started = System.nanoTime();
      var results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FaultsTest.EngineOptional.class))
          .configurationParameter("berth.dockerHost", "unix://" + socket)
          .configurationParameter("berth.pingTimeout", "1s")
          .configurationParameter("berth.session", "silent-" + UUID.randomUUID().toString().substring(0, 8))
          .configurationParameter("junit.jupiter.conditions.deactivate", "")
          .execute();
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      reporter.publishEntry("skipped after", took.toMillis() + " ms (berth.pingTimeout 1000 ms)");
      System.out.printf("a silent engine skipped the class after %d ms (berth.pingTimeout 1000 ms)%n",
          took.toMillis());

      results.containerEvents().skipped().assertThatEvents().singleElement().satisfies(e ->
          assertThat(e.getPayload(String.class)).hasValueSatisfying(reason -> assertThat(reason)
              .contains("No Docker engine answers, and @ServiceTest(disabledWithoutDocker = true) skips the tests")
              .contains("did not answer GET /_ping within 1 s (berth.pingTimeout")
              .contains("unix://" + socket)));
      results.testEvents().assertStatistics(s -> s.started(0));
      assertThat(took).as("within the ping's deadline plus a second").isLessThan(Duration.ofSeconds(2));
    } finally {
      for (SocketChannel connection : accepted) {
        connection.close();
      }
    }
  }
}
