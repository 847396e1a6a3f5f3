package dev.berth.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

  private static final String HEX64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @Test
  void dockerHubImagesComeFromTheMirrorUnderTheirFullPath() {
    String mirror = "mirror.example.com:5000/hub/";

    assertThat(ImageReference.parse("redis:7.0").throughHubMirror(mirror))
        .hasToString("mirror.example.com:5000/hub/library/redis:7.0");
    assertThat(ImageReference.parse("bitnami/redis").throughHubMirror(mirror))
        .hasToString("mirror.example.com:5000/hub/bitnami/redis:latest");
    String pinned = "redis@sha256:" + "a".repeat(64);
    assertThat(ImageReference.parse(pinned).throughHubMirror(mirror))
        .hasToString("mirror.example.com:5000/hub/library/redis@sha256:" + "a".repeat(64));
    assertThat(ImageReference.parse("ghcr.io/org/app:1").throughHubMirror(mirror))
        .as("another registry's image").hasToString("ghcr.io/org/app:1");
  }

  @Test
  void bareNameIsALibraryImageOnDockerHubTaggedLatest() {
    ImageReference ref = ImageReference.parse("redis");

    assertThat(ref).isEqualTo(new ImageReference("docker.io", "library/redis", "latest", null));
    assertThat(ref.canonical()).isEqualTo("docker.io/library/redis:latest");
    assertThat(ref.repository()).isEqualTo("redis");
    assertThat(ref).hasToString("redis:latest");
  }

  @Test
  void nameWithTag() {
    ImageReference ref = ImageReference.parse("redis:7.0");

    assertThat(ref).isEqualTo(new ImageReference("docker.io", "library/redis", "7.0", null));
    assertThat(ref.canonical()).isEqualTo("docker.io/library/redis:7.0");
    assertThat(ref.repository()).isEqualTo("redis");
    assertThat(ref).hasToString("redis:7.0");
  }

  @Test
  void explicitLibraryPath() {
    ImageReference ref = ImageReference.parse("library/redis:7.0");

    assertThat(ref).isEqualTo(ImageReference.parse("redis:7.0"));
    assertThat(ref.canonical()).isEqualTo("docker.io/library/redis:7.0");
    assertThat(ref.repository()).isEqualTo("redis");
    assertThat(ref).hasToString("redis:7.0");
  }

  @Test
  void userRepositoryOnDockerHub() {
    ImageReference ref = ImageReference.parse("bitnami/redis:7.0");

    assertThat(ref).isEqualTo(new ImageReference("docker.io", "bitnami/redis", "7.0", null));
    assertThat(ref.canonical()).isEqualTo("docker.io/bitnami/redis:7.0");
    assertThat(ref.repository()).isEqualTo("bitnami/redis");
    assertThat(ref).hasToString("bitnami/redis:7.0");
  }

  @Test
  void otherRegistry() {
    ImageReference ref = ImageReference.parse("ghcr.io/org/app:1.2");

    assertThat(ref).isEqualTo(new ImageReference("ghcr.io", "org/app", "1.2", null));
    assertThat(ref.canonical()).isEqualTo("ghcr.io/org/app:1.2");
    assertThat(ref.repository()).isEqualTo("ghcr.io/org/app");
    assertThat(ref).hasToString("ghcr.io/org/app:1.2");
  }

  @Test
  void registryWithPortAndNoTag() {
    ImageReference ref = ImageReference.parse("localhost:5000/app");

    assertThat(ref).isEqualTo(new ImageReference("localhost:5000", "app", "latest", null));
    assertThat(ref.canonical()).isEqualTo("localhost:5000/app:latest");
    assertThat(ref.repository()).isEqualTo("localhost:5000/app");
    assertThat(ref).hasToString("localhost:5000/app:latest");
  }

  @Test
  void localhostWithoutPortIsARegistry() {
    ImageReference ref = ImageReference.parse("localhost/app:1");

    assertThat(ref.registry()).isEqualTo("localhost");
    assertThat(ref.canonical()).isEqualTo("localhost/app:1");
  }

  @Test
  void digestWithoutTagGetsNoLatestTag() {
    ImageReference ref = ImageReference.parse("app@sha256:" + HEX64);

    assertThat(ref).isEqualTo(new ImageReference("docker.io", "library/app", null, "sha256:" + HEX64));
    assertThat(ref.canonical()).isEqualTo("docker.io/library/app@sha256:" + HEX64);
    assertThat(ref.repository()).isEqualTo("app");
    assertThat(ref).hasToString("app@sha256:" + HEX64);
  }

  @Test
  void tagAndDigestTogether() {
    ImageReference ref = ImageReference.parse("ghcr.io/org/app:1.2@sha256:" + HEX64);

    assertThat(ref).isEqualTo(new ImageReference("ghcr.io", "org/app", "1.2", "sha256:" + HEX64));
    assertThat(ref.canonical()).isEqualTo("ghcr.io/org/app:1.2@sha256:" + HEX64);
    assertThat(ref).hasToString("ghcr.io/org/app:1.2@sha256:" + HEX64);
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis", "redis:latest", "library/redis", "library/redis:latest", "docker.io/redis",
      "docker.io/library/redis", "docker.io/library/redis:latest"})
  void spellingsOfTheSameHubImageAreOneImage(String reference) {
    ImageReference ref = ImageReference.parse(reference);

    assertThat(ref).isEqualTo(ImageReference.parse("redis"));
    assertThat(ref.canonical()).isEqualTo("docker.io/library/redis:latest");
    assertThat(ref).hasToString("redis:latest");
  }

  @ParameterizedTest
  @ValueSource(strings = {"python:3.11-slim", "my_org/my-app:v1_2", "a.b/c__d:x", "registry.example.com:443/a/b/c"})
  void validReferencesRoundTripThroughToString(String reference) {
    ImageReference ref = ImageReference.parse(reference);

    assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
    assertThat(ImageReference.parse(ref.canonical())).isEqualTo(ref);
  }

  @ParameterizedTest(name = "[{0}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "\"\"|empty",
      "\"   \"|empty",
      "Redis:7|uppercase",
      "redis:|tag ''",
      "redis:bad tag|tag 'bad tag'",
      "\" redis\"|whitespace",
      "\"redis \"|whitespace",
      "redis@sha256:xyz|'sha256:xyz' is not a digest",
      "redis@|'' is not a digest",
      "ghcr.io/|names no repository",
      "org//app|repository 'org//app'",
      "redis:-x|tag '-x'",
  })
  void malformedReferencesAreRejectedWithTheReferenceAndAnExample(String reference, String problem) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ImageReference.parse(reference))
        .withMessageStartingWith("Image reference '" + reference + "' is malformed: ")
        .withMessageContaining(problem)
        .withMessageContaining("[registry/]name[:tag][@sha256:digest]")
        .withMessageContaining("for example \"redis:7.0\"");
  }

  @Test
  void nullIsRejectedAsEmpty() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ImageReference.parse(null))
        .withMessageContaining("it is empty");
  }
}
