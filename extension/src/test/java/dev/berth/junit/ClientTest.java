package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.berth.BerthException;
import dev.berth.Container;
import dev.berth.ExecResult;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.annotations.ServiceHandle;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Client containers live for one test; services log to SLF4J; images are pulled when missing. */
class ClientTest {

  private static final ListAppender<ILoggingEvent> captured = new ListAppender<>();

  @AfterEach
  void detach() {
    synchronized (captured) {
      captured.list.clear();
    }
    ((Logger) LoggerFactory.getLogger("berth.service.echo")).detachAppender(captured);
    ((Logger) LoggerFactory.getLogger("dev.berth")).detachAppender(captured);
  }

  @Test
  void eachTestGetsItsOwnClientWhichIsRemovedAfterIt() {
    PerTest.ids.clear();
    var run = new KitRun().run(PerTest.class).assertSucceeded(2);

    assertThat(PerTest.ids).hasSize(3);
    assertThat(run.events("destroy"))
        .extracting(e -> e.getId()).containsAll(PerTest.ids);
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void serviceOutputGoesToItsLogger() {
    attach("berth.service.echo");
    new KitRun().run(Echo.class).assertSucceeded(1);

    assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage).contains("hello from echo");
  }

  @Test
  void aTestReadsWhatItsServicePrinted() {
    new KitRun().run(Chatty.class).assertSucceeded(1);
  }

  @Test
  void missingImageIsPulledWithProgressLogged() {
    try {
      Engine.docker().removeImageCmd("nginx:1.22").withForce(true).exec();
    } catch (NotFoundException e) {
      // not present: the pull below is needed either way
    }
    attach("dev.berth");
    new KitRun().run(Nginx.class).assertSucceeded(1);

    assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).startsWith("Pulling image nginx:1.22 for service 'web'"))
        .anySatisfy(m -> assertThat(m).startsWith("Pulled image nginx:1.22 in"));
  }

  @Test
  void imageThatCannotBePulledFailsClearly() {
    var run = new KitRun().run(Unpullable.class);

    Throwable failure = run.onlyFailure();
    assertThat(failure).isInstanceOf(BerthException.class)
        .hasMessageContaining("Image 'berth-test/does-not-exist:1.0' for service 'ghost'")
        .hasMessageContaining("cannot be pulled")
        .hasMessageContaining("Check the name and tag");
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void aServiceRunsCommandsAndGivesFilesFromItsOwnContainer() {
    new KitRun().run(IntoTheService.class).assertSucceeded(2);
  }

  @Test
  void aClientTakesFilesForTheCommandsItRunsNext() {
    new KitRun().run(WritesFiles.class).assertSucceeded(1);
  }

  @Test
  void execStartsTheServiceIfNeeded() {
    new KitRun().run(ExecStarts.class).assertSucceeded(1);
  }

  /** Whether the captured loggers logged this message (the appender adds under its own lock). */
  static boolean logged(String message) {
    synchronized (captured) {
      return captured.list.stream().anyMatch(e -> e.getFormattedMessage().equals(message));
    }
  }

  private void attach(String logger) {
    captured.start();
    ((Logger) LoggerFactory.getLogger(logger)).addAppender(captured);
  }

  @ServiceTest
  @BindService(value = "www", alias = "web")
  static class PerTest {
    static final Set<String> ids = ConcurrentHashMap.newKeySet();

    @ServiceContainer
    static final ServiceSpec www = Fixtures.httpServer("hi");

    @ClientContainer
    Container client;

    @Test
    void hostsFile() {
      ids.add(client.id());
      List<String> lines = client.readFile("/etc/hosts").lines().toList();
      assertThat(lines).anySatisfy(l -> assertThat(l).matches("\\d+\\.\\d+\\.\\d+\\.\\d+\\s+web"));
      assertThat(client.exec("wget", "-qO-", "http://web:8080").stdout()).isEqualTo("hi");
    }

    @Test
    void parameterAndFieldAreDistinct(@BindService("www") Container other) {
      ids.add(client.id());
      assertThat(other.id()).isNotEqualTo(client.id());
      ids.add(other.id());
      assertThat(other.exec("wget", "-qO-", "http://www:8080").stdout()).isEqualTo("hi");
      assertThat(other.exec("wget", "-qO-", "http://web:8080").stdout()).isEqualTo("hi");
    }
  }

  @ServiceTest
  static class Echo {
    @ServiceContainer
    static final ServiceSpec echo = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "echo hello from echo; exec httpd -f -p 8080");

    /**
     * The line comes from the engine on a stream of its own, attached beside the start; the run ends right after
     * this test, and a stream cut by the container's removal may not have delivered it yet. So wait for it here.
     */
    @Test
    void needsIt(@ServiceEndpoint("echo") String address) {
      await().atMost(Duration.ofSeconds(5)).until(() -> logged("hello from echo"));
    }
  }

  /** Prints a line to standard error as it starts, and one per request to its CGI script. */
  @ServiceTest
  static class Chatty {
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withNewFile("/www/cgi-bin/log", """
            #!/bin/sh
            echo "served $QUERY_STRING" >&2
            printf 'Content-Type: text/plain\r\n\r\nok'
            """)
        .withCommand("sh", "-c", "chmod +x /www/cgi-bin/log; echo starting >&2; exec httpd -f -p 8080 -h /www");

    @Test
    void readsIt(@ServiceHandle("web") Service web, @BindService("web") Container client) {
      assertThat(web.output()).contains("starting").doesNotContain("served");

      assertThat(client.exec("wget", "-qO-", "http://web:8080/cgi-bin/log?first").stdout()).isEqualTo("ok");

      assertThat(web.output()).contains("starting").contains("served first");
    }
  }

  @ServiceTest
  static class Nginx {
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.from("nginx:1.22").withExposedPort(80);

    @Test
    void needsIt(@BindService("web") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://web/").exitCode()).isZero();
    }
  }

  @ServiceTest
  static class Unpullable {
    @ServiceContainer
    static final ServiceSpec ghost = ServiceSpec.from("berth-test/does-not-exist:1.0").withExposedPort(80);

    @Test
    void needsIt(@ServiceEndpoint("ghost") String address) {
    }
  }

  @ServiceTest
  static class IntoTheService {
    @ServiceContainer
    static final ServiceSpec web = ServiceSpec.from("busybox:1.35").withExposedPort(8080)
        .withCommand("sh", "-c", "mkdir -p /www; echo before > /www/index.html; exec httpd -f -p 8080 -h /www")
        .withInstanceId("into");

    @ServiceContainer
    static final ServiceSpec pool = web.withInstanceId("pool").withReplicas(2);

    @Test
    void changesWhatItServes(@ServiceHandle("web") Service web, @BindService("web") Container client) {
      ExecResult result = web.exec("sh", "-c", "echo after > /www/index.html; echo done; echo oops >&2; exit 3");

      assertThat(result).isEqualTo(new ExecResult(3, "done\n", "oops\n"));
      assertThat(client.exec("wget", "-qO-", "http://web:8080/").stdout()).isEqualTo("after\n");
      assertThat(web.readFile("/www/index.html")).isEqualTo("after\n");
      web.exec("sh", "-c", "printf '\\000\\377\\200' > /www/bytes");
      assertThat(web.readBytes("/www/bytes")).as("not UTF-8").containsExactly(0, 255, 128);
      assertThatThrownBy(() -> web.exec("no-such-tool")).isInstanceOf(BerthException.class)
          .hasMessageContaining("Cannot run [no-such-tool] in service 'web'")
          .hasMessageContaining("Give its full path, or run it in a client container of an image that has it");
      assertThatThrownBy(() -> web.readFile("/www/missing")).isInstanceOf(BerthException.class)
          .hasMessageContaining("Cannot read '/www/missing' in service 'web'").hasMessageContaining("no such file");
    }

    @Test
    void replicasHaveNoOneContainer(@ServiceHandle("pool") Service pool) {
      assertThatThrownBy(() -> pool.exec("true")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("has no container of its own to run a command in: it runs 2 replicas, each a service"
              + " of its own (pool-0, pool-1, ...)");
    }
  }

  @ServiceTest
  static class ExecStarts {
    @ServiceContainer
    static final ServiceSpec web = IntoTheService.web.withInstanceId("exec-starts");

    @Test
    void startsIt(@ServiceHandle("web") Service web) {
      assertThat(web.isRunning()).isFalse();
      assertThat(web.exec("cat", "/www/index.html").stdout()).isEqualTo("before\n");
      assertThat(web.isRunning()).isTrue();
    }
  }

  @ServiceTest
  static class WritesFiles {
    @Test
    void writesAScriptAndRunsIt(@ClientContainer Container client) {
      client.writeFile("/work/scripts/greet.sh", "echo \"hello, $1\" > /work/out.txt\n");
      client.writeFile("/work/data.bin", new byte[] {0, 1, 2, (byte) 255});

      assertThat(client.exec("sh", "/work/scripts/greet.sh", "you").exitCode()).isZero();
      assertThat(client.readFile("/work/out.txt")).isEqualTo("hello, you\n");
      assertThat(client.exec("od", "-An", "-tu1", "/work/data.bin").stdout().trim()).isEqualTo("0   1   2 255");
      client.exec("sh", "-c", "printf '\\200\\377' >> /work/data.bin");
      assertThat(client.readBytes("/work/data.bin")).containsExactly(0, 1, 2, 255, 128, 255);
      client.writeFile("/work/out.txt", "replaced");
      assertThat(client.readFile("/work/out.txt")).isEqualTo("replaced");
      assertThatThrownBy(() -> client.writeFile("work/x", "")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("writeFile needs the absolute path of a file, such as \"/work/input.txt\"; got 'work/x'");
    }
  }
}
