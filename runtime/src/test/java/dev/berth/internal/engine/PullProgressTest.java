package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.run.ServiceScope;
import dev.berth.internal.spec.ImageBuild;
import dev.berth.internal.spec.ImageReference;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull or build that takes seconds says where it is every few seconds, so that a first run with large images does
 * not look hung. The image is one of its own (8 MB of random bytes in a layer no engine has), pushed to a registry Berth
 * starts and pulled through a proxy that passes 2 MB a second.
 */
@Tag("slow")
class PullProgressTest {

  @Test
  void aLongPullLogsItsLayersAndBytes() throws Exception {
    try (ServiceRuntime runtime = ServiceRuntime.start(BerthConfig.defaults());
        ServiceScope scope = runtime.newScope();
        DockerClient docker = TestDocker.connect()) {
      InetSocketAddress registry = scope.service("registry", ServiceSpec.from("registry:2").withExposedPort(5000))
          .hostAddress(5000);
      String pushed = "127.0.0.1:" + registry.getPort() + "/berth-test/slow-pull";
      String made = docker.createContainerCmd("busybox:1.35")
          .withCmd("sh", "-c", "head -c 8000000 /dev/urandom > /blob").exec().getId();
      try {
        docker.startContainerCmd(made).exec();
        docker.waitContainerCmd(made).start().awaitStatusCode(60, TimeUnit.SECONDS);
        docker.commitCmd(made).withRepository(pushed).withTag("1").exec();
      } finally {
        docker.removeContainerCmd(made).withForce(true).exec();
      }
      docker.pushImageCmd(pushed + ":1").start().awaitCompletion(60, TimeUnit.SECONDS);
      docker.removeImageCmd(pushed + ":1").exec();

      try (var proxy = new ThrottledProxy(new InetSocketAddress("127.0.0.1", registry.getPort()), 2_000_000);
          DockerBackend backend = DockerBackend.connect(Optional.empty())) {
        String slow = "127.0.0.1:" + proxy.port() + "/berth-test/slow-pull:1";
        String logged = loggedDuring(() -> backend.pull(ImageReference.parse(slow), false, Duration.ofMinutes(2),
            "a test"));
        try {
          assertThat(logged).contains("Pulling image '" + slow + "' for a test: ");
          assertThat(logged).containsPattern("\\d of \\d layers complete, [0-9.]+ MB of 8\\.\\d MB downloaded"
              + " \\(\\d+%\\), \\d+ s so far");
          assertThat(logged).contains("Pulled image " + slow);
        } finally {
          removeQuietly(docker, slow);
        }
      }
    }
  }

  @Test
  void aLongBuildLogsTheStepItIsAt(@TempDir Path context) throws Exception {
    // A step of its own each time: the engine's build cache would make it instant.
    Files.writeString(context.resolve("Dockerfile"), "FROM busybox:1.35\nRUN echo " + UUID.randomUUID()
        + " && sleep 3\n");
    ImageBuild build = ImageBuild.read(context, "Dockerfile");
    try (DockerBackend backend = DockerBackend.connect(Optional.empty());
        DockerClient docker = TestDocker.connect()) {
      String logged = loggedDuring(() -> backend.build(build, Duration.ofMinutes(2), "a test"));
      try {
        assertThat(logged).containsPattern("Building the image for a test from .*Dockerfile: at Step 2/\\d+ : RUN echo"
            + " [0-9a-f-]+ && sleep 3, \\d+ s so far");
      } finally {
        removeQuietly(docker, build.image().toString());
      }
    }
  }

  /** What the run logged (slf4j-simple writes to the standard error stream it finds at each line). */
  private static String loggedDuring(Runnable action) {
    PrintStream original = System.err;
    var captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static void removeQuietly(DockerClient docker, String image) {
    try {
      docker.removeImageCmd(image).exec();
    } catch (NotFoundException e) {
      // not pulled
    }
  }

  /** Writes to both. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    TeeStream(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws java.io.IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }
  }
}
