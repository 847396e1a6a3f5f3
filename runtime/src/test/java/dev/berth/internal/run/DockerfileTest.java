package dev.berth.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Event;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.TestDocker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Services whose image Berth builds from a Dockerfile, built by the engine for real. */
class DockerfileTest {

  static DockerClient docker;

  @TempDir
  Path context;

  @BeforeAll
  static void connect() {
    docker = TestDocker.connect();
  }

  @AfterAll
  static void disconnect() throws IOException {
    docker.close();
  }

  /**
   * The service runs what its Dockerfile built from the context: a copied directory, an executable script, a
   * build argument; what .dockerignore leaves out is not there. A second run builds nothing.
   */
  @Test
  void aServiceRunsTheImageItsDockerfileBuildsOncePerEngine() throws Exception {
    // Unique content: the image must be new to this engine, so that the first run has to build it.
    String marker = UUID.randomUUID().toString();
    write("Dockerfile", """
        FROM busybox:1.35
        ARG GREETING=hello
        COPY www/ /www/
        COPY serve.sh /serve.sh
        RUN echo "$GREETING from the build" > /www/greeting.txt
        CMD ["/serve.sh"]
        """);
    write("serve.sh", "#!/bin/sh\nexec httpd -f -p 8080 -h /www\n");
    Files.setPosixFilePermissions(context.resolve("serve.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    write("www/index.html", "Hello from the context " + marker);
    write("www/scratch.tmp", "left out");
    write(".dockerignore", "www/*.tmp\n");
    ServiceSpec app = ServiceSpec.fromDockerfile(context).withBuildArg("GREETING", "hi").withExposedPort(8080);
    ServiceSpec client = ServiceSpec.from("busybox:1.35").withServiceBinding("app", app);

    Instant firstRun = Instant.now();
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults());
        var container = runtime.newClient("client", client)) {
      assertThat(container.exec("wget", "-qO-", "http://app:8080/").stdout()).isEqualTo("Hello from the context "
          + marker);
      assertThat(container.exec("wget", "-qO-", "http://app:8080/greeting.txt").stdout())
          .isEqualTo("hi from the build\n");
      assertThat(container.exec("wget", "-qO-", "http://app:8080/scratch.tmp").exitCode()).as("left out")
          .isNotZero();
    }
    assertThat(builds(app.image(), firstRun)).as("the first run builds").hasSize(1);
    assertThat(docker.inspectImageCmd(app.image()).exec().getConfig().getLabels())
        .containsEntry("dev.berth.build", "true");

    Instant secondRun = Instant.now();
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults());
        var container = runtime.newClient("client", client)) {
      assertThat(container.exec("wget", "-qO-", "http://app:8080/").stdout()).endsWith(marker);
    }
    assertThat(builds(app.image(), secondRun)).as("the second run finds the image").isEmpty();
    docker.removeImageCmd(app.image()).exec();
  }

  /** A client can be built too; a build target stops a multi-stage Dockerfile at that stage. */
  @Test
  void aClientBuiltToAStageHasThatStagesFiles() throws Exception {
    write("Dockerfile", """
        FROM busybox:1.35 AS base
        RUN echo base > /stage
        FROM base AS final
        RUN echo final > /stage
        """);
    ServiceSpec toBase = ServiceSpec.fromDockerfile(context).withBuildTarget("base");

    try (var runtime = ServiceRuntime.start(BerthConfig.defaults());
        var client = runtime.newClient("client", toBase);
        var whole = runtime.newClient("whole", ServiceSpec.fromDockerfile(context))) {
      assertThat(client.exec("cat", "/stage").stdout()).isEqualTo("base\n");
      assertThat(whole.exec("cat", "/stage").stdout()).isEqualTo("final\n");
    }
    docker.removeImageCmd(toBase.image()).exec();
    docker.removeImageCmd(ServiceSpec.fromDockerfile(context).image()).exec();
  }

  /** Two runs of a session (two forks, say) that need the same image at once: one builds it, the other waits. */
  @Test
  void theRunsOfASessionBuildAnImageOnce() throws Exception {
    write("Dockerfile", "FROM busybox:1.35\nRUN mkdir /www && echo " + UUID.randomUUID() + " > /www/index.html"
        + " && sleep 1\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
    ServiceSpec app = ServiceSpec.fromDockerfile(context).withExposedPort(8080);
    String session = "build-once-" + UUID.randomUUID().toString().substring(0, 8);
    BerthConfig config = BerthConfig.from(key -> "berth.session".equals(key)
        ? java.util.Optional.of(session) : java.util.Optional.empty());
    Instant started = Instant.now();

    try (var first = ServiceRuntime.start(config); var second = ServiceRuntime.start(config)) {
      var both = List.of(first, second).stream()
          .map(runtime -> java.util.concurrent.CompletableFuture.runAsync(() -> {
            try (var client = runtime.newClient("client", ServiceSpec.from("busybox:1.35")
                .withServiceBinding("app", app))) {
              assertThat(client.exec("wget", "-qO-", "http://app:8080/").exitCode()).isZero();
            }
          }, java.util.concurrent.Executors.newSingleThreadExecutor()))
          .toList();
      both.forEach(java.util.concurrent.CompletableFuture::join);
    }

    assertThat(builds(app.image(), started)).hasSize(1);
    docker.removeImageCmd(app.image()).exec();
  }

  /**
   * {@code berth.builds.prune}: a build removes the earlier builds of its Dockerfile (same context directory and
   * arguments, other files) that no container uses, and nothing else; by default every build is kept.
   */
  @Tag("slow") // about 15 s
  @Test
  void pruningRemovesTheEarlierBuildsOfTheSameDockerfileThatNoContainerUses() throws Exception {
    String marker = UUID.randomUUID().toString();
    write("Dockerfile", "FROM busybox:1.35\nARG FLAVOUR=plain\nCOPY version /version\n");
    write("version", marker + " 1");
    ServiceSpec v1 = ServiceSpec.fromDockerfile(context);
    ServiceSpec spiced = ServiceSpec.fromDockerfile(context).withBuildArg("FLAVOUR", "spiced");
    BerthConfig keep = BerthConfig.defaults();
    BerthConfig prune = BerthConfig.from(key -> key.equals("berth.builds.prune") ? java.util.Optional.of("true")
        : java.util.Optional.empty());
    var images = new ArrayList<>(List.of(v1.image(), spiced.image()));
    try {
      try (var runtime = ServiceRuntime.start(keep); var a = runtime.newClient("a", v1);
          var b = runtime.newClient("b", spiced)) {
        assertThat(a.readFile("/version")).isEqualTo(marker + " 1");
      }
      write("version", marker + " 2");
      ServiceSpec v2 = ServiceSpec.fromDockerfile(context);
      images.add(v2.image());
      try (var runtime = ServiceRuntime.start(keep); var client = runtime.newClient("client", v2)) {
        assertThat(client.readFile("/version")).isEqualTo(marker + " 2");
      }
      assertThat(exists(v1.image())).as("kept by default").isTrue();
      write("version", marker + " 3");
      ServiceSpec v3 = ServiceSpec.fromDockerfile(context);
      images.add(v3.image());

      try (var holder = ServiceRuntime.start(keep); var usingV2 = holder.newClient("v2", v2);
          var runtime = ServiceRuntime.start(prune); var client = runtime.newClient("client", v3)) {
        assertThat(client.readFile("/version")).isEqualTo(marker + " 3");
        assertThat(exists(v1.image())).as("superseded, unused").isFalse();
        assertThat(exists(v2.image())).as("superseded, but a container uses it").isTrue();
        assertThat(exists(spiced.image())).as("other arguments: another image").isTrue();
      }
      assertThat(docker.inspectImageCmd(v3.image()).exec().getConfig().getLabels())
          .containsEntry("dev.berth.build.dockerfile", context.resolve("Dockerfile").toString());
    } finally {
      for (String image : images) {
        if (exists(image)) {
          docker.removeImageCmd(image).exec();
        }
      }
    }
  }

  private static boolean exists(String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /** A failing step fails the service with the engine's reason and the step's output, and leaves no container. */
  @Test
  void aFailingBuildSaysWhyAndLeavesNoContainer() throws Exception {
    String marker = "berth-build-fails-" + UUID.randomUUID();
    write("Dockerfile", "FROM busybox:1.35\nRUN echo " + marker + " && exit 3\n");
    ServiceSpec broken = ServiceSpec.fromDockerfile(context).withExposedPort(8080);

    try (var runtime = ServiceRuntime.start(BerthConfig.defaults())) {
      assertThatThrownBy(() -> runtime.newClient("client", ServiceSpec.from("busybox:1.35")
          .withServiceBinding("broken", broken)).close())
          .hasMessageStartingWith("Building the image for service 'broken' (" + broken.image())
          .hasMessageContaining(" from " + context.toAbsolutePath().normalize().resolve("Dockerfile") + " failed: ")
          // Docker's words and Podman's
          .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("returned a non-zero code: 3", "exit status 3"))
          .hasMessageContaining("The build's last lines:")
          .hasMessageContaining(marker);
    }
    // The step ran in an intermediate container; without forcerm the engine keeps it after the failure.
    assertThat(stepContainers(marker)).isEmpty();
  }

  /** A run that ends while its build runs cancels the build: the step's container goes at once, no image stays. */
  @Test
  void aRunEndingDuringABuildCancelsIt() throws Exception {
    assumeFalse(TestDocker.podman(docker), "Podman 4.3 goes on with a build whose stream is closed, and has no call"
        + " that cancels a build; Berth logs that it goes on");
    String marker = "berth-build-cancelled-" + UUID.randomUUID();
    write("Dockerfile", "FROM busybox:1.35\nRUN echo " + marker + " && sleep 60\n");
    ServiceSpec slow = ServiceSpec.fromDockerfile(context).withExposedPort(8080);
    var runtime = ServiceRuntime.start(BerthConfig.defaults());
    var start = new Thread(() -> {
      try {
        runtime.newClient("client", ServiceSpec.from("busybox:1.35").withServiceBinding("slow", slow)).close();
      } catch (RuntimeException expected) {
        // The run ends under it.
      }
    });
    start.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> !stepContainers(marker).isEmpty());

    runtime.close();

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(stepContainers(marker)).isEmpty());
    start.join(10_000);
    assertThatThrownBy(() -> docker.inspectImageCmd(slow.image()).exec()).isInstanceOf(NotFoundException.class);
  }

  /** The engine's containers that run a step naming {@code marker} (on Podman, Buildah's included). */
  private static List<String> stepContainers(String marker) throws IOException {
    return TestDocker.containerCommands(docker).stream().filter(command -> command.contains(marker)).toList();
  }

  /**
   * The engine's builds of {@code image} since {@code since}: Docker tags the image it built (an image event "tag"
   * that names it); Podman 4.3 says "build" and names nothing, so there every build counts (nothing else builds while
   * this class runs). Read up to the creation of a marker container, not up to a time: Podman answers nothing at all
   * when that time passes before it has read its events file.
   */
  private static List<Event> builds(String image, Instant since) throws Exception {
    String marker = "berth-events-marker-" + UUID.randomUUID();
    var events = new ArrayList<Event>();
    var markerSeen = new java.util.concurrent.CountDownLatch(1);
    try (var stream = docker.eventsCmd().withSince(String.format("%d.%09d", since.getEpochSecond(), since.getNano()))
        .exec(new ResultCallback.Adapter<Event>() {
          @Override
          public void onNext(Event event) {
            var attributes = event.getActor() == null ? null : event.getActor().getAttributes();
            if (attributes != null && marker.equals(attributes.get("name"))) {
              markerSeen.countDown();
            }
            synchronized (events) {
              events.add(event);
            }
          }
        })) {
      String id = docker.createContainerCmd("busybox:1.35").withName(marker).withCmd("true").exec().getId();
      docker.removeContainerCmd(id).exec();
      assertThat(markerSeen.await(30, TimeUnit.SECONDS)).as("the marker container's events came").isTrue();
    }
    synchronized (events) {
      return events.stream().filter(event -> "image".equals(String.valueOf(event.getType()).toLowerCase()))
          .filter(event -> "build".equals(event.getAction()) || "tag".equals(event.getAction())
              && event.getActor() != null && image.equals(event.getActor().getAttributes().get("name")))
          .toList();
    }
  }

  private void write(String path, String contents) throws IOException {
    Path file = context.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, contents);
  }
}
