package dev.berth.internal.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.AuthConfigurations;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.PullResponseItem;
import dev.berth.BerthException;
import dev.berth.internal.spec.ImageBuild;
import dev.berth.internal.spec.ImageReference;
import dev.berth.internal.spec.Labels;
import dev.berth.internal.spec.SpecEncoding;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Docker's images, through docker-java: whether one is present, pulls with credentials, builds, and pruning builds. */
final class DockerImages {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /** How often a pull or build waited for looks whether the engine still reports progress. */
  private static final Duration PROGRESS_POLL = Duration.ofMillis(100);
  /**
   * When a pull or build still going logs where it is: first after {@code PROGRESS_FIRST}, then every
   * {@code PROGRESS_EVERY}, so that a first run with large images does not look hung.
   */
  private static final Duration PROGRESS_FIRST = Duration.ofSeconds(2);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private final DockerClient docker;
  private final EngineJson json;
  private final URI host;
  private final RegistryCredentials credentials;
  /** {@code berth.pullProgressTimeout}: how long a pull or build may go without a word from the engine. */
  private final Duration progressTimeout;
  /** Whether the engine is Podman, which goes on with a build whose stream is closed. */
  private final BooleanSupplier podman;

  DockerImages(DockerClient docker, EngineJson json, URI host, RegistryCredentials credentials,
      Duration progressTimeout, BooleanSupplier podman) {
    this.docker = docker;
    this.podman = podman;
    this.json = json;
    this.host = host;
    this.credentials = credentials;
    this.progressTimeout = progressTimeout;
  }

  /**
   * Removes the images built before from the same Dockerfile, arguments and context directory, but other files
   * ({@code berth.builds.prune}). An image a container uses is left: the engine refuses to remove it, and
   * whoever uses it still needs it.
   */
  void removeSupersededBuilds(ImageBuild build) {
    var removed = new ArrayList<String>();
    for (Image image : docker.listImagesCmd().withLabelFilter(Map.of(Labels.BUILD_SOURCE, build.source())).exec()) {
      List<String> tags = image.getRepoTags() == null ? List.of() : List.of(image.getRepoTags());
      if (tags.stream().anyMatch(tag -> names(tag, build.image()))) {
        continue;
      }
      try {
        docker.removeImageCmd(image.getId()).withForce(false).exec();
        removed.addAll(tags);
      } catch (ConflictException inUse) {
        LOG.debug("Keeping the earlier build {} of {}: {}", tags, build.dockerfilePath(), inUse.getMessage());
      } catch (NotFoundException gone) {
        LOG.debug("The earlier build {} of {} is gone already", tags, build.dockerfilePath());
      }
    }
    if (!removed.isEmpty()) {
      LOG.info("Removed {} earlier build(s) of {} (berth.builds.prune): {}", removed.size(), build.dockerfilePath(),
          removed);
    }
  }

  /**
   * Whether the engine's tag names the image: compared parsed, since engines spell one name differently (Podman
   * lists {@code berth-build:x} as {@code docker.io/library/berth-build:x}). A tag that does not parse
   * ({@code <none>:<none>}) names nothing.
   */
  static boolean names(String tag, ImageReference image) {
    try {
      return ImageReference.parse(tag).equals(image);
    } catch (IllegalArgumentException notAReference) {
      return false;
    }
  }

  boolean hasImage(String image) {
    return json.image(image).isPresent();
  }

  void pull(ImageReference image, boolean always, Duration timeout, String neededBy) {
    RegistryCredentials.Lookup login = credentials.lookup(image.registry());
    LOG.info("Pulling image {} for {}{} ({})", image, neededBy, always ? " (berth.imagePull=always)" : "",
        login.description());
    long started = System.nanoTime();
    String tag = image.digest() != null ? image.digest() : image.tag();
    var progress = new PullProgress(image);
    try {
      PullImageCmd command = docker.pullImageCmd(image.repository()).withTag(tag);
      login.credentials().map(DockerImages::authConfig).ifPresent(command::withAuthConfig);
      command.exec(progress);
      String what = "Pulling image '" + image + "' for " + neededBy;
      if (!await(progress, progress.seen, timeout, what, "POST /images/create", "layer", progress.tally::summary)) {
        throw new BerthException(what + " took longer than berth.pullTimeout (" + timeout.toSeconds() + " s); pull"
            + " it beforehand (docker pull " + image + ") or raise berth.pullTimeout");
      }
      progress.awaitCompletion(); // at once now; throws what ended the stream, if it failed
    } catch (InterruptedException e) {
      closeInBackground(progress, "POST /images/create");
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while pulling image '" + image + "' for " + neededBy, e);
    } catch (BerthException e) {
      throw e;
    } catch (RuntimeException e) {
      if (always && hasImage(image.toString())) {
        throw new BerthException("Image '" + image + "' for " + neededBy + " cannot be pulled, as berth.imagePull="
            + "always asks: " + Engine.rootMessage(e) + " (" + login.description() + "). The engine has a copy of it"
            + " already: berth.imagePull=missing would use that. Check the name and tag, or log in to its registry"
            + " (docker login)", e);
      }
      throw new BerthException("Image '" + image + "' for " + neededBy + " is not on the engine and cannot be"
          + " pulled: " + Engine.rootMessage(e) + " (" + login.description() + "). Check the name and tag, log in to its"
          + " registry (docker login), or build or pull it yourself first", e);
    }
    LOG.info("Pulled image {} in {} ms", image, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Waits for a pull or build to end: false once it took {@code timeout} in all (the stream closed), and a failure
   * once the engine said nothing for {@code berth.pullProgressTimeout}, naming the last {@code unit} (layer or step)
   * it reported. The stream is closed in the background: over docker-java's Apache transport, closing a chunked
   * reply reads what is left of it, which a stalled engine never sends. Meanwhile, a long one logs {@code where} it
   * is every few seconds.
   */
  private boolean await(Closeable stream, Progress seen, Duration timeout, String what, String call, String unit,
      Supplier<String> where) throws InterruptedException {
    long began = System.nanoTime();
    long due = began + timeout.toNanos();
    long nextReport = began + PROGRESS_FIRST.toNanos();
    while (!seen.ended.await(PROGRESS_POLL.toNanos(), TimeUnit.NANOSECONDS)) {
      if (System.nanoTime() - nextReport >= 0) {
        LOG.info("{}: {}, {} s so far", what, where.get(), (System.nanoTime() - began) / 1_000_000_000);
        nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
      }
      Duration silent = Duration.ofNanos(System.nanoTime() - seen.lastNanos);
      boolean tooLong = System.nanoTime() - due >= 0;
      if (tooLong || silent.compareTo(progressTimeout) >= 0) {
        closeInBackground(stream, call);
        if (tooLong) {
          return false;
        }
        throw new BerthException(what + " made no progress for " + EngineDeadlines.seconds(silent)
            + " (berth.pullProgressTimeout is " + EngineDeadlines.seconds(progressTimeout) + "): the Docker engine at "
            + host + " sent nothing more on " + call + " after "
            + (seen.last == null ? "its answer began" : "the " + unit + " '" + seen.last + "'") + ". "
            + EngineDeadlines.whatToCheck("berth.pullProgressTimeout"));
      }
    }
    return true;
  }

  private static void closeInBackground(Closeable stream, String call) {
    EngineClient.REQUESTS.execute(() -> {
      try {
        stream.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing the stream of {} failed", call, e);
      }
    });
  }

  /** When a pull or build last reported progress, what it was, and whether the stream ended. */
  private static final class Progress {
    final CountDownLatch ended = new CountDownLatch(1);
    volatile long lastNanos = System.nanoTime();
    volatile String last;

    void saw(String what) {
      lastNanos = System.nanoTime();
      if (what != null) {
        last = what;
      }
    }

    /** Closes the stream, which ends the wait for it whatever the close throws. */
    void endsWith(Closeable stream) throws IOException {
      try {
        stream.close();
      } finally {
        ended.countDown();
      }
    }
  }

  private static AuthConfig authConfig(RegistryCredentials.Credentials c) {
    return new AuthConfig().withUsername(c.username()).withPassword(c.password())
        .withIdentityToken(c.identityToken()).withRegistryAddress(c.serverAddress());
  }

  /**
   * Builds an image with the engine's classic builder. Intermediate containers are removed even when a step fails
   * ({@code forcerm}): they carry no label of the run, so nothing else would remove them.
   */
  void build(ImageBuild build, Duration timeout, String neededBy) {
    LOG.info("Building the image for {} from {}", neededBy, build.dockerfilePath());
    long started = System.nanoTime();
    var progress = new BuildProgress(build.image().toString());
    BuildImageCmd command = docker.buildImageCmd(new ByteArrayInputStream(build.tar()))
        .withDockerfilePath(build.dockerfile())
        .withTags(Set.of(build.image().toString()))
        .withLabels(Map.of(Labels.BERTH, SpecEncoding.VERSION, Labels.BUILD, "true", Labels.BUILD_SOURCE,
            build.source(), Labels.BUILD_DOCKERFILE, build.dockerfilePath().toString()))
        .withRemove(true)
        .withForcerm(true)
        .withPull(false);
    build.args().forEach(command::withBuildArg);
    // The engine pulls the base images itself, with the credentials the request carries for their registries.
    var logins = new AuthConfigurations();
    for (String registry : build.baseRegistries()) {
      credentials.lookup(registry).credentials().map(DockerImages::authConfig).ifPresent(logins::addConfig);
    }
    if (!logins.getConfigs().isEmpty()) {
      command.withBuildAuthConfigs(logins);
    }
    if (build.target() != null) {
      command.withTarget(build.target());
    }
    String what = "Building the image for " + neededBy + " from " + build.dockerfilePath();
    try {
      command.exec(progress);
      if (!await(progress, progress.seen, timeout, what, "POST /build", "step",
          () -> progress.seen.last == null ? "no step begun yet" : "at " + progress.seen.last)) {
        throw new BerthException(what + " took longer than berth.pullTimeout (" + timeout.toSeconds() + " s);"
            + " raise berth.pullTimeout" + progress.lastLines());
      }
    } catch (InterruptedException e) {
      // The run ends: closing the stream makes the engine cancel the build.
      try {
        progress.close();
      } catch (IOException closing) {
        LOG.debug("closing the interrupted build of {}", build.image(), closing);
      }
      if (podman.getAsBoolean()) {
        LOG.info("Podman goes on with the build of {} for {} after the run's end: it does not cancel a build whose"
            + " stream is closed. The image stays on the engine, as a finished build does", build.image(), neededBy);
      }
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while building image " + build.image() + " for " + neededBy, e);
    }
    if (progress.failure != null) {
      throw new BerthException(what + " failed: " + progress.failure.strip() + progress.lastLines());
    }
    LOG.info("Built image {} in {} ms", build.image(), (System.nanoTime() - started) / 1_000_000);
  }

  /** Follows a build: its steps at info level and their output at debug level, the last lines kept for a failure. */
  private static final class BuildProgress extends ResultCallback.Adapter<BuildResponseItem> {
    private static final int KEPT = 20;
    private final String image;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private volatile String failure;
    final Progress seen = new Progress();

    BuildProgress(String image) {
      this.image = image;
    }

    @Override
    public void onNext(BuildResponseItem item) {
      seen.saw(null);
      if (item.getStream() != null) {
        for (String line : item.getStream().split("\n")) {
          if (!line.isBlank()) {
            // The steps at INFO, so that a long build shows where it is; their output at DEBUG.
            if (line.startsWith("Step ")) {
              seen.saw(line.strip());
              LOG.info("{}: {}", image, line.stripTrailing());
            } else {
              LOG.debug("{}: {}", image, line.stripTrailing());
            }
            synchronized (lines) {
              if (lines.size() == KEPT) {
                lines.removeFirst();
              }
              lines.addLast(line.stripTrailing());
            }
          }
        }
      }
      if (item.isErrorIndicated()) {
        failure = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
            ? item.getErrorDetail().getMessage() : item.getError();
      }
    }

    @Override
    public void onError(Throwable throwable) {
      failure = Engine.rootMessage(throwable);
      try {
        close();
      } catch (IOException e) {
        LOG.debug("closing the failed build of {}", image, e);
      }
    }

    @Override
    public void close() throws IOException {
      seen.endsWith(super::close);
    }

    String lastLines() {
      synchronized (lines) {
        return lines.isEmpty() ? "" : ". The build's last lines:\n  " + String.join("\n  ", lines);
      }
    }
  }

  /**
   * Follows a pull: each layer's progress at debug level, and the engine's refusal kept for {@link #pull} to report
   * once, with its advice; docker-java would also log it as an error with a stack trace of its own threads.
   */
  private static final class PullProgress extends PullImageResultCallback {
    private final ImageReference image;
    private final Map<String, String> lastStatus = new ConcurrentHashMap<>();
    private volatile Throwable failure;
    final Progress seen = new Progress();
    final PullTally tally = new PullTally();

    PullProgress(ImageReference image) {
      this.image = image;
    }

    @Override
    public void onNext(PullResponseItem item) {
      // A layer's id with its status ("7f3a...: Downloading"); the first line's id is the tag, not a layer.
      seen.saw(item.getId() == null || item.getStatus() == null || item.getStatus().startsWith("Pulling from")
          ? null : item.getId() + ": " + item.getStatus());
      if (item.getStatus() == null) {
        // Podman answers some lines, its refusals among them, without a status, which docker-java's callback
        // reads unguarded: keep the refusal, pass nothing on.
        String refusal = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
            ? item.getErrorDetail().getMessage() : item.getError();
        if (refusal != null && failure == null) {
          failure = new DockerClientException(refusal);
        }
        return;
      }
      super.onNext(item);
      var detail = item.getProgressDetail();
      tally.saw(item.getId(), item.getStatus(), detail == null ? null : detail.getCurrent(),
          detail == null ? null : detail.getTotal());
      if (item.getId() != null && item.getStatus() != null
          && !item.getStatus().equals(lastStatus.put(item.getId(), item.getStatus()))) {
        LOG.debug("{}: {} {}", image, item.getId(), item.getStatus());
      }
    }

    @Override
    public void onError(Throwable throwable) {
      failure = throwable;
      try {
        close();
      } catch (IOException e) {
        LOG.debug("closing the failed pull of {}", image, e);
      }
    }

    @Override
    public void close() throws IOException {
      seen.endsWith(super::close);
    }

    @Override
    protected void throwFirstError() {
      Throwable failed = failure;
      if (failed instanceof RuntimeException e) {
        throw e;
      }
      if (failed != null) {
        throw new DockerClientException(failed.toString(), failed);
      }
      super.throwFirstError();
    }
  }

}
