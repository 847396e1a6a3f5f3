package dev.berth.internal.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An image to build from a Dockerfile and its context directory, which are read when the spec is made, as
 * {@link dev.berth.ServiceSpec#withCopyOf} reads files: what the build sees is part of the spec's digest, and the image is
 * tagged {@code berth-build:<digest>}, so a changed file makes a new image and an unchanged context is built once
 * per engine. Files the context's {@code .dockerignore} leaves out are neither read nor sent.
 */
public final class ImageBuild {

  /** More than this is most likely a context that takes in build output or dependencies by mistake. */
  static final long MAX_CONTEXT_BYTES = 256L << 20;

  private final Path context;
  private final String dockerfile;
  private final SortedMap<String, byte[]> files;
  private final SortedSet<String> executables;
  private final SortedMap<String, String> args;
  private final String target;
  private final String digest;

  private ImageBuild(Path context, String dockerfile, SortedMap<String, byte[]> files, SortedSet<String> executables,
      SortedMap<String, String> args, String target) {
    this.context = context;
    this.dockerfile = dockerfile;
    this.files = files;
    this.executables = executables;
    this.args = args;
    this.target = target;
    this.digest = SpecEncoding.digest(this);
  }

  /**
   * Reads the context.
   *
   * @param dockerfile the Dockerfile's path within the context, '/'-separated
   */
  public static ImageBuild read(Path context, String dockerfile) {
    Path root = context.toAbsolutePath().normalize();
    String where = " (a relative path is resolved against the working directory, " + Path.of("").toAbsolutePath()
        + ")";
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("The build context " + root + " is not a directory" + where
          + ": give the directory the Dockerfile's COPY and ADD lines read from");
    }
    String file = dockerfile.replace('\\', '/').replaceFirst("^(\\./)+", "");
    if (file.isEmpty() || file.startsWith("/") || Path.of(file).normalize().startsWith("..")) {
      throw new IllegalArgumentException("The Dockerfile '" + dockerfile + "' must be a path inside the build context "
          + root + ", such as \"Dockerfile\" or \"docker/app.Dockerfile\"");
    }
    if (!Files.isRegularFile(root.resolve(file))) {
      throw new IllegalArgumentException("There is no Dockerfile " + root.resolve(file) + where + ": give the"
          + " context directory that holds it, or name it with Definition.fromDockerfile(context, dockerfile)");
    }
    var files = new TreeMap<String, byte[]>();
    var executables = new TreeSet<String>();
    try {
      Path ignoreFile = root.resolve(".dockerignore");
      DockerIgnore ignore = Files.isRegularFile(ignoreFile)
          ? DockerIgnore.parse(Files.readString(ignoreFile, StandardCharsets.UTF_8)) : DockerIgnore.NONE;
      long total = 0;
      for (String relative : FileTree.relativeFiles(root)) {
        // The engine needs the Dockerfile and .dockerignore whatever the latter says, as the docker CLI sends them.
        if (ignore.excludes(relative) && !relative.equals(file) && !relative.equals(".dockerignore")) {
          continue;
        }
        Path path = root.resolve(relative);
        total += Files.size(path);
        if (total > MAX_CONTEXT_BYTES) {
          throw new IllegalArgumentException("The build context " + root + " holds more than "
              + (MAX_CONTEXT_BYTES >> 20) + " MiB: leave out what the Dockerfile does not copy (build output,"
              + " dependencies, .git) in " + ignoreFile + ", or give a smaller directory");
        }
        files.put(relative, Files.readAllBytes(path));
        if (FileTree.isExecutable(path)) {
          executables.add(relative);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the build context " + root + ": "
          + (e instanceof NoSuchFileException ? "no such file " + e.getMessage() : e.toString()), e);
    }
    return new ImageBuild(root, file, Collections.unmodifiableSortedMap(files),
        Collections.unmodifiableSortedSet(executables), Collections.emptySortedMap(), null);
  }

  /** This build with a build argument ({@code ARG} in the Dockerfile) set, replacing an earlier value. */
  public ImageBuild withArg(String name, String value) {
    var next = new TreeMap<>(args);
    next.put(name, value);
    return new ImageBuild(context, dockerfile, files, executables, Collections.unmodifiableSortedMap(next), target);
  }

  /** This build, stopping at the stage {@code target} of a multi-stage Dockerfile. */
  public ImageBuild withTarget(String stage) {
    return new ImageBuild(context, dockerfile, files, executables, args, stage);
  }

  /** The hex SHA-256 of everything the build sees: the same on every machine for the same files and arguments. */
  public String digest() {
    return digest;
  }

  /** The tag the built image gets: the same for the same build, so that it is built once per engine. */
  public ImageReference image() {
    return ImageReference.parse("berth-build:" + digest.substring(0, 32));
  }

  /**
   * Which image this build is a version of (see {@link SpecEncoding#source}): a later build of the same source
   * supersedes it.
   */
  public String source() {
    return SpecEncoding.source(this);
  }

  /** The context directory, absolute. */
  Path context() {
    return context;
  }

  /** The Dockerfile, for messages. */
  public Path dockerfilePath() {
    return context.resolve(dockerfile);
  }

  public String dockerfile() {
    return dockerfile;
  }

  SortedMap<String, byte[]> files() {
    return files;
  }

  Set<String> executables() {
    return executables;
  }

  public Map<String, String> args() {
    return args;
  }

  /**
   * The registries the Dockerfile's {@code FROM} lines pull from, for the credentials the engine needs to pull
   * private base images during the build. References to earlier stages, {@code scratch} and references with
   * variables ({@code FROM $BASE}) are left out: the engine resolves those.
   */
  public Set<String> baseRegistries() {
    // Continuation lines joined, so that a FROM split over lines reads as one.
    String text = new String(files.get(dockerfile), StandardCharsets.UTF_8).replaceAll("\\\\\r?\n", " ");
    var stages = new TreeSet<String>();
    var registries = new TreeSet<String>();
    for (String line : text.split("\r?\n")) {
      List<String> words = List.of(line.strip().split("\\s+"));
      if (words.size() < 2 || !words.get(0).equalsIgnoreCase("FROM")) {
        continue;
      }
      List<String> rest = words.subList(1, words.size()).stream().filter(w -> !w.startsWith("--")).toList();
      if (rest.isEmpty()) {
        continue;
      }
      String base = rest.get(0);
      boolean earlierStage = stages.contains(base.toLowerCase(Locale.ROOT));
      if (rest.size() >= 3 && rest.get(1).equalsIgnoreCase("AS")) {
        stages.add(rest.get(2).toLowerCase(Locale.ROOT));
      }
      if (earlierStage || base.contains("$") || base.equalsIgnoreCase("scratch")) {
        continue;
      }
      try {
        registries.add(ImageReference.parse(base).registry());
      } catch (IllegalArgumentException e) {
        // The engine says what is wrong with it, in the build's output.
      }
    }
    return registries;
  }

  /** The stage to build, or null for the last one. */
  public String target() {
    return target;
  }

  /** The context as the engine's build API takes it: a tar of the files, relative to the context. */
  public byte[] tar() {
    return Tar.of(files, path -> executables.contains(path) ? 0755 : 0644);
  }
}
