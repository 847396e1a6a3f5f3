package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.berth.BerthException;
import dev.berth.Container;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code berth.imagePull}: by default an image the engine has is used as it is; {@code always} pulls each image once
 * per run all the same, so that a tag that moves is current. Judged by the engine's image events.
 */
class ImagePullTest {

  /** An image only this engine has: a tag of busybox that no registry knows. */
  private static final String LOCAL_ONLY = "berth-test/local-only:1";

  @AfterEach
  void untagLocalOnly() {
    try {
      Engine.docker().removeImageCmd(LOCAL_ONLY).exec();
    } catch (NotFoundException e) {
      // not tagged
    }
  }

  @Test
  void presentImagesAreNotPulledByDefault() {
    Instant start = Instant.now();
    new KitRun().run(TwoTests.class).assertSucceeded(2);

    assertThat(Engine.imagePulls(start)).isEmpty();
  }

  @Test
  void alwaysPullsEachImageOncePerRun() {
    Instant start = Instant.now();
    var run = new KitRun().with("berth.imagePull", "always").run(TwoTests.class).assertSucceeded(2);

    assertThat(Engine.imagePulls(start)).containsExactlyInAnyOrder("redis:7.0", "busybox:1.35");
    assertThat(run.leftovers()).isEmpty();
  }

  /** An image named by its digest cannot have changed: the engine's copy serves, under always too. */
  @Test
  void anImagePinnedByDigestIsNotPulledAgain() {
    String pinned = Engine.docker().inspectImageCmd("busybox:1.35").exec().getRepoDigests().get(0);
    Instant start = Instant.now();

    var run = new KitRun().with("berth.imagePull", "always").with("berth.clientImage", pinned).run(Pinned.class)
        .assertSucceeded(1);

    assertThat(pinned).contains("@sha256:");
    assertThat(Engine.imagePulls(start)).isEmpty();
    assertThat(run.events("create")).singleElement()
        .satisfies(e -> assertThat(e.getActor().getAttributes()).containsEntry("image", pinned));
  }

  @Test
  void anImageThatCannotBePulledFailsUnderAlwaysSayingTheEngineHasIt() {
    Engine.docker().tagImageCmd("busybox:1.35", "berth-test/local-only", "1").exec();

    var run = new KitRun().with("berth.imagePull", "always").run(LocalOnly.class);

    assertThat(run.onlyFailure()).isInstanceOf(BerthException.class)
        .hasMessageContaining("Image '" + LOCAL_ONLY + "' for service 'local'")
        .hasMessageContaining("cannot be pulled, as berth.imagePull=always asks")
        .hasMessageContaining("The engine has a copy of it already: berth.imagePull=missing would use that");
    assertThat(run.leftovers()).isEmpty();
    new KitRun().run(LocalOnly.class).assertSucceeded(1);
  }

  @ServiceTest
  static class TwoTests {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    void first(@BindService("redis") Container client) {
      assertThat(client.exec("true").exitCode()).isZero();
    }

    @Test
    void second(@BindService("redis") Container client) {
      assertThat(client.exec("true").exitCode()).isZero();
    }
  }

  @ServiceTest
  static class Pinned {
    @Test
    void runsAClientOfIt(@ClientContainer Container client) {
      assertThat(client.exec("true").exitCode()).isZero();
    }
  }

  @ServiceTest
  static class LocalOnly {
    @ServiceContainer
    static final ServiceSpec local = ServiceSpec.from(LOCAL_ONLY).withExposedPort(8080)
        .withCommand("httpd", "-f", "-p", "8080");

    @Test
    void needsIt(@ServiceEndpoint("local") String address) {
    }
  }
}
