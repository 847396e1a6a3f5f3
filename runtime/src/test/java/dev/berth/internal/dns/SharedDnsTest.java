package dev.berth.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.Container;
import dev.berth.Discovery;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The runs of one session share its network, so only one DNS server can listen on its gateway: runs of one JVM (a
 * test that starts a runtime of its own beside the extension's, say) share this JVM's server, and JVMs of the session
 * (Surefire's forks) share whichever JVM's server bound the port first, every run publishing its services there. The
 * server stays up until the last run of its JVM ends, and another JVM of the session then takes the port over. Needs
 * the engine, and port 53 (root).
 */
@Tag("slow") // JVMs of their own, killed and waited for
class SharedDnsTest {

  static final ServiceSpec WEB = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
      .withCommand("httpd", "-f", "-p", "8080");

  @Test
  void runsOfOneSessionInOneJvmPublishOnOneServerUntilTheLastEnds() {
    String session = "dns-" + UUID.randomUUID().toString().substring(0, 8);
    BerthConfig config = BerthConfig.from(key -> Optional.ofNullable(Map.of("berth.session", session).get(key)));
    ServiceRuntime first = ServiceRuntime.start(config);
    ServiceRuntime second = ServiceRuntime.start(config);
    try {
      first.newScope().service("one", WEB.withInstanceId("one")).start();
      first.newScope().service("both", WEB.withInstanceId("both")).start();
      second.newScope().service("two", WEB.withInstanceId("two")).start();
      second.newScope().service("both", WEB.withInstanceId("both")).start();

      assertThat(Discovery.lookup("one")).hasSize(1);
      assertThat(Discovery.lookup("two")).hasSize(1);
      try (Container client = second.newClient("client", ServiceSpec.from("busybox:1.35"))) {
        assertThat(client.exec("nslookup", "one").stdout()).contains(Discovery.lookup("one").get(0).getHostAddress());
        assertThat(client.exec("nslookup", "two").stdout()).contains(Discovery.lookup("two").get(0).getHostAddress());
      }

      first.close();

      assertThat(Discovery.lookup("one")).as("the first run's own service went with it").isEmpty();
      assertThat(Discovery.lookup("both")).as("the container both runs use is still up, held by the second")
          .hasSize(1);
      assertThat(Discovery.lookup("two")).hasSize(1);
    } finally {
      first.close();
      second.close();
    }
    assertThatThrownBy(() -> Discovery.lookup("two")).as("the last run closed the server")
        .isInstanceOf(IllegalStateException.class);
    try (ServiceRuntime third = ServiceRuntime.start(config)) {
      third.newScope().service("three", WEB.withInstanceId("three")).start();
      assertThat(Discovery.lookup("three")).as("the port is free again").hasSize(1);
    }
  }

  @Test
  void jvmsOfOneSessionResolveEachOthersServicesAndTheSurvivorTakesTheServerOver() throws Exception {
    String session = "forks-" + UUID.randomUUID().toString().substring(0, 8);
    BerthConfig config = BerthConfig.from(key -> Optional.ofNullable(Map.of("berth.session", session).get(key)));
    ServiceRuntime here = ServiceRuntime.start(config);
    Peer peer = null;
    try {
      here.newScope().service("one", WEB.withInstanceId("one")).start(); // this JVM binds port 53 first
      String one = Discovery.lookup("one").get(0).getHostAddress();
      peer = new Peer(session);
      String two = peer.ask("start two");

      assertThat(Discovery.lookup("two")).as("served here, published by the other JVM")
          .containsExactly(InetAddress.getByName(two));
      try (Container client = here.newClient("client", ServiceSpec.from("busybox:1.35"))) {
        assertThat(client.exec("nslookup", "two").stdout()).contains(two);
      }
      assertThat(peer.ask("lookup one")).as("the other JVM's Discovery asks this JVM's server").isEqualTo(one);
      assertThat(peer.ask("nslookup one")).as("and so do its containers").contains(one);

      here.close();

      long since = System.nanoTime();
      String twoAfter = peer.ask("lookup two");
      while (!twoAfter.equals(two) && System.nanoTime() - since < TimeUnit.SECONDS.toNanos(10)) {
        Thread.sleep(50);
        twoAfter = peer.ask("lookup two");
      }
      assertThat(twoAfter).as("the other JVM took the server over").isEqualTo(two);
      assertThat(peer.ask("lookup one")).as("this JVM's run ended, and its records with it").isEmpty();
      assertThat(peer.ask("nslookup two")).contains(two);
      assertThat(peer.exit()).isZero();
    } finally {
      here.close();
      if (peer != null) {
        peer.process.destroyForcibly();
      }
    }
  }

  /**
   * A JVM killed while it serves the session's DNS: the survivor takes the port over, and the dead JVM's records
   * drop out with its lease (the kernel releases it), before its watchdog has even removed its containers.
   */
  @Test
  void whenTheServingJvmIsKilledTheSurvivorServesWithoutTheDeadOnesRecords() throws Exception {
    String session = "killed-" + UUID.randomUUID().toString().substring(0, 8);
    BerthConfig config = BerthConfig.from(key -> Optional.ofNullable(Map.of("berth.session", session).get(key)));
    var peer = new Peer(session, true);
    ServiceRuntime here = null;
    try {
      String doomed = peer.ask("start doomed"); // the peer binds port 53 first
      here = ServiceRuntime.start(config);
      here.newScope().service("survivor", WEB.withInstanceId("survivor")).start();
      assertThat(Discovery.lookup("doomed")).as("served by the peer").containsExactly(InetAddress.getByName(doomed));
      String survivor = Discovery.lookup("survivor").get(0).getHostAddress();

      peer.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

      assertThat(Discovery.lookup("survivor")).extracting(InetAddress::getHostAddress).as("served here now")
          .containsExactly(survivor);
      assertThat(Discovery.lookup("doomed")).as("the dead JVM's records").isEmpty();
    } finally {
      peer.process.destroyForcibly();
      if (here != null) {
        here.close();
      }
      awaitNothingLeft(session);
    }
  }

  /** The killed JVM's watchdog removes its containers within seconds; nothing of the session may stay. */
  private static void awaitNothingLeft(String session) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String left;
    do {
      Thread.sleep(250);
      Process ps = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.berth.session=" + session)
          .redirectErrorStream(true).start();
      left = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      ps.waitFor();
    } while (!left.isEmpty() && System.nanoTime() < deadline);
    assertThat(left).as("containers of session %s left", session).isEmpty();
  }

  /** A {@link DnsPeer} in a JVM of its own. */
  private static final class Peer {
    final Process process;
    final PrintWriter commands;
    final BufferedReader answers;

    Peer(String session) throws Exception {
      this(session, false);
    }

    /** @param watchdog whether the JVM starts its watchdog, which cleans up after it if it is killed */
    Peer(String session, boolean watchdog) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      process = new ProcessBuilder(java, "-Dberth.watchdog=" + watchdog, "-cp", System.getProperty("java.class.path"),
          DnsPeer.class.getName(), session).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
      answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends a command; its answer, without the command's name (other lines, a logger's, are skipped). */
    String ask(String command) throws Exception {
      commands.println(command);
      String prefix = command.split(" ")[0] + ": ";
      for (String line = answers.readLine(); line != null; line = answers.readLine()) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length());
        }
      }
      throw new AssertionError("the other JVM ended before it answered '" + command + "'");
    }

    int exit() throws Exception {
      commands.println("exit");
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the other JVM ended").isTrue();
      return process.exitValue();
    }
  }
}
