package dev.berth.samples.forks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.junit.ServiceTest;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Run by {@code scripts/concurrent-builds} in two Maven builds at once, each with a session of its own: each build
 * gets its own redis container, and keeps it working while the other build runs and ends. The builds meet through
 * files in a shared directory, so they overlap for certain.
 */
@ServiceTest
class ConcurrentBuildCheck {

  @ServiceContainer
  static final ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);

  @Test
  void eachBuildHasItsOwnContainerAndKeepsIt(@ServiceEndpoint("redis") InetSocketAddress address) throws Exception {
    Path meeting = Path.of(System.getProperty("berth.concurrent.dir"));
    String self = System.getProperty("berth.concurrent.self");
    String other = System.getProperty("berth.concurrent.other");
    String session = System.getenv("BERTH_SESSION");
    String mine = docker("ps", "-q", "--filter", "label=dev.berth.session=" + session,
        "--filter", "label=dev.berth.role=service").strip();
    assertThat(mine.lines()).as("this build's service containers").hasSize(1);
    assertThat(command(address, "SET", "owner", self)).isEqualTo("+OK");

    Files.writeString(meeting.resolve(self), mine);
    await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(meeting.resolve(other)));
    assertThat(Files.readString(meeting.resolve(other)).strip()).as("the other build's container").isNotEqualTo(mine);

    // Build "a" holds on until build "b" has ended its whole run (and cleaned up after itself): a's container must
    // still be here, with its data. Build "b" only waits until "a" has checked, so that neither waits for the other.
    Files.writeString(meeting.resolve(self + ".checked"), "");
    String awaited = "a".equals(self) ? other + ".ended" : other + ".checked";
    await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(meeting.resolve(awaited)));
    assertThat(command(address, "GET", "owner")).isEqualTo("$" + self.length());
  }

  /** Sends one RESP command and returns the first line of the reply. */
  private static String command(InetSocketAddress address, String... words) throws Exception {
    var request = new StringBuilder("*" + words.length + "\r\n");
    for (String word : words) {
      request.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
    }
    try (var socket = new Socket()) {
      socket.connect(address, 2000);
      socket.setSoTimeout(2000);
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      var line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\r') {
        line.append((char) c);
      }
      return line.toString();
    }
  }

  private static String docker(String... args) throws Exception {
    var command = new java.util.ArrayList<String>();
    command.add("docker");
    command.addAll(java.util.List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(out).isZero();
    return out;
  }
}
