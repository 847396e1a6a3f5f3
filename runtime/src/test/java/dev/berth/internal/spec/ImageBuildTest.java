package dev.berth.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.berth.ServiceSpec;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.SpecAccess;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a build from a Dockerfile reads, and how that makes its digest; the builds themselves: DockerfileTest. */
class ImageBuildTest {

  @TempDir
  Path context;

  @BeforeEach
  void writeContext() throws IOException {
    write("Dockerfile", "FROM busybox:1.35\nCOPY . /app\n");
    write("app/index.html", "hello");
    write("app/run.sh", "#!/bin/sh\necho run\n");
    Files.setPosixFilePermissions(context.resolve("app/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    write("target/big.jar", "not needed");
    write(".dockerignore", "target\n*.swp\n");
  }

  @Test
  void theContextIsReadWithoutWhatDockerignoreLeavesOut() {
    ImageBuild build = ImageBuild.read(context, "Dockerfile");

    assertThat(build.files()).containsOnlyKeys("Dockerfile", ".dockerignore", "app/index.html", "app/run.sh");
    assertThat(build.executables()).containsExactly("app/run.sh");
    assertThat(build.image().toString()).isEqualTo("berth-build:" + build.digest().substring(0, 32));
  }

  @Test
  void theDockerfileAndDockerignoreAreSentEvenWhenLeftOut() throws IOException {
    write(".dockerignore", "*\n!app\n");

    assertThat(ImageBuild.read(context, "Dockerfile").files())
        .containsOnlyKeys("Dockerfile", ".dockerignore", "app/index.html", "app/run.sh");
  }

  @Test
  void theDigestFollowsWhatTheBuildSeesAndNothingElse() throws IOException {
    String digest = ImageBuild.read(context, "Dockerfile").digest();

    assertThat(ImageBuild.read(context, "Dockerfile").digest()).as("read again").isEqualTo(digest);
    write("target/big.jar", "changed, but left out");
    write("notes.swp", "left out");
    assertThat(ImageBuild.read(context, "Dockerfile").digest()).as("ignored files").isEqualTo(digest);

    write("app/index.html", "hello!");
    String changed = ImageBuild.read(context, "Dockerfile").digest();
    assertThat(changed).as("a changed file").isNotEqualTo(digest);

    Files.setPosixFilePermissions(context.resolve("app/run.sh"), PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(ImageBuild.read(context, "Dockerfile").digest()).as("a file no longer executable")
        .isNotEqualTo(changed);

    ImageBuild build = ImageBuild.read(context, "Dockerfile");
    assertThat(build.withArg("VERSION", "1").digest()).isNotEqualTo(build.digest())
        .isNotEqualTo(build.withArg("VERSION", "2").digest())
        .isEqualTo(build.withArg("VERSION", "1").digest());
    assertThat(build.withTarget("test").digest()).isNotEqualTo(build.digest());
  }

  @Test
  void theTarHoldsTheFilesWithTheirModes() throws IOException {
    byte[] tar = ImageBuild.read(context, "Dockerfile").tar();

    // Entries in path order: .dockerignore, Dockerfile, app/index.html, app/run.sh.
    assertThat(new String(Tar.firstFile(new ByteArrayInputStream(tar), "context"), StandardCharsets.UTF_8))
        .isEqualTo("target\n*.swp\n");
    assertThat(modeOf(tar, "app/run.sh")).isEqualTo("0000755");
    assertThat(modeOf(tar, "app/index.html")).isEqualTo("0000644");
  }

  @Test
  void aSpecFromADockerfileIsADefinitionOfItsOwn() throws IOException {
    ServiceSpec built = ServiceSpec.fromDockerfile(context).withExposedPort(8080);

    assertThat(built.image()).startsWith("berth-build:");
    assertThat(ServiceSpec.fromDockerfile(context).withExposedPort(8080)).isEqualTo(built);
    assertThat(built.withBuildArg("VERSION", "1")).isNotEqualTo(built);
    assertThat(built.withBuildArg("VERSION", "1").image()).isNotEqualTo(built.image());
    assertThat(def(built.withBuildTarget("test").withBuildArg("A", "b")).build().orElseThrow().target())
        .isEqualTo("test");
    assertThat(ServiceSpec.from(built.image()).withExposedPort(8080)).as("the image by its tag alone")
        .isNotEqualTo(built);

    write("app/index.html", "changed");
    assertThat(ServiceSpec.fromDockerfile(context).withExposedPort(8080)).isNotEqualTo(built);
  }

  @Test
  void aDockerfileElsewhereInTheContextIsNamedRelativeToIt() throws IOException {
    write("docker/app.Dockerfile", "FROM busybox:1.35\n");

    ImageBuild build = ImageBuild.read(context, "./docker/app.Dockerfile");

    assertThat(build.dockerfile()).isEqualTo("docker/app.Dockerfile");
    assertThat(build.dockerfilePath()).isEqualTo(context.toAbsolutePath().normalize().resolve("docker/app.Dockerfile"));
  }

  @Test
  void theBaseImagesRegistriesAreThoseOfItsFromLines() throws IOException {
    write("Dockerfile", """
        # syntax comments and other lines do not count
        ARG BASE=ghcr.io/org/base:1
        FROM --platform=linux/amd64 registry.example.com:5000/team/jdk:17 AS build
        RUN echo from build
        FROM build AS test
        from \\
          quay.io/org/tool:2
        FROM $BASE
        FROM scratch
        FROM redis:7.0
        COPY --from=build /out /out
        """);

    assertThat(ImageBuild.read(context, "Dockerfile").baseRegistries())
        .containsExactly("docker.io", "quay.io", "registry.example.com:5000");
  }

  @Test
  void badContextsSayWhatIsWrong() {
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceSpec.fromDockerfile(context.resolve("missing")))
        .withMessageContaining("The build context " + context.resolve("missing") + " is not a directory")
        .withMessageContaining("resolved against the working directory");
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceSpec.fromDockerfile(context.resolve("app")))
        .withMessageContaining("There is no Dockerfile " + context.resolve("app/Dockerfile"));
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceSpec.fromDockerfile(context, "../Dockerfile"))
        .withMessageContaining("must be a path inside the build context");
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceSpec.fromDockerfile(context, "/Dockerfile"))
        .withMessageContaining("must be a path inside the build context");
    assertThatIllegalStateException().isThrownBy(() -> ServiceSpec.from("redis:7.0").withBuildArg("A", "b"))
        .withMessage("withBuildArg(...) sets how an image is built, but redis:7.0 is not built here: start the spec"
            + " with ServiceSpec.fromDockerfile(context)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.fromDockerfile(context).withBuildArg("1A", "b"))
        .withMessageContaining("Build argument name '1A' is invalid");
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceSpec.fromDockerfile(context).withBuildTarget("a b"))
        .withMessageContaining("Build target 'a b' is not a stage name");
  }

  private void write(String path, String contents) throws IOException {
    Path file = context.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, contents);
  }

  /** The octal mode field of an entry's header. */
  private static String modeOf(byte[] tar, String name) {
    for (int offset = 0; offset + 512 <= tar.length; ) {
      String entry = new String(tar, offset, 100, StandardCharsets.UTF_8).replace("\0", "");
      long size = Long.parseLong(new String(tar, offset + 124, 11, StandardCharsets.US_ASCII).trim(), 8);
      if (entry.equals(name)) {
        return new String(tar, offset + 100, 7, StandardCharsets.US_ASCII);
      }
      offset += 512 + (int) ((size + 511) / 512 * 512);
    }
    throw new AssertionError(name + " is not in the tar");
  }

  /** What Berth's internals read of a spec. */
  private static Definition def(ServiceSpec spec) {
    return SpecAccess.definition(spec);
  }
}
