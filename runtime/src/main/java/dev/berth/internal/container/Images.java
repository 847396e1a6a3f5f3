package dev.berth.internal.container;

import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.report.Phase;
import dev.berth.internal.report.RunTimeline;
import dev.berth.internal.session.SessionNetwork;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.ImageBuild;
import dev.berth.internal.spec.ImageReference;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The images of the run's containers: which image the engine runs for a definition (a Docker Hub mirror's, a
 * build's tag), and getting it there, pulled by {@code berth.imagePull} or built once per session.
 */
final class Images {

  private final Supplier<Engine> engine;
  private final BerthConfig config;
  private final SessionNetwork network;
  /** The images this run has obtained (or is obtaining, or found present), by reference. */
  private final Map<String, CompletableFuture<Void>> obtained = new ConcurrentHashMap<>();

  private final RunTimeline timeline;

  Images(Supplier<Engine> engine, BerthConfig config, SessionNetwork network, RunTimeline timeline) {
    this.timeline = timeline;
    this.engine = engine;
    this.config = config;
    this.network = network;
  }

  /** Builds or pulls the spec's image if the engine lacks it; returns the image's name on the engine. */
  String ensure(Definition spec, String neededBy) {
    if (spec.build().isPresent()) {
      ImageBuild build = spec.build().get();
      // The forks of a build need the same images: one JVM builds, the others wait for it and find the image.
      String how = network.directory().locked("build-" + build.digest().substring(0, 32), () ->
          once(build.image().toString(), false, () -> {
            engine.get().build(build, config.pullTimeout(), neededBy);
            if (config.pruneBuilds()) {
              engine.get().removeSupersededBuilds(build);
            }
          }));
      timeline.describe(spec.digest(), Phase.IMAGE, how.equals(OBTAINED) ? "built from " + build.dockerfilePath()
          : how + " " + spec.image());
      return spec.image();
    }
    ImageReference image = engineImage(spec);
    String forWhom = image.equals(spec.imageReference()) ? neededBy : neededBy + " via berth.hubImagePrefix";
    boolean always = config.imagePull() == BerthConfig.ImagePull.ALWAYS && image.digest() == null;
    String how = once(image.toString(), always,
        () -> engine.get().pull(image, always, config.pullTimeout(), forWhom));
    timeline.describe(spec.digest(), Phase.IMAGE, (how.equals(OBTAINED) ? "pulled" : how) + " " + image);
    return image.toString();
  }

  /** What {@link #once} says when it pulled or built the image itself. */
  private static final String OBTAINED = "obtained";
  /** What {@link #once} says when the image was there (the report's detail: "present: redis:7.0"). */
  private static final String PRESENT = "present:";

  /**
   * Obtains an image once per run, if it is missing or {@code evenIfPresent}: callers needing it meanwhile wait for
   * the first. Says how the image came, for the run report: {@value #OBTAINED}, or as another start's, or present.
   */
  private String once(String key, boolean evenIfPresent, Runnable obtain) {
    var mine = new CompletableFuture<Void>();
    CompletableFuture<Void> existing = obtained.putIfAbsent(key, mine);
    if (existing != null) {
      try {
        boolean waited = !existing.isDone();
        existing.join();
        return waited ? "waited for another start's" : PRESENT;
      } catch (CompletionException e) {
        throw (RuntimeException) e.getCause();
      }
    }
    try {
      boolean needed = evenIfPresent || !engine.get().hasImage(key);
      if (needed) {
        obtain.run();
      }
      mine.complete(null);
      return needed ? OBTAINED : PRESENT;
    } catch (RuntimeException e) {
      obtained.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  /** Joins the run's network and notes which of the specs' images are present; see ServiceRuntime.warmUp. */
  void prepare(List<Definition> specs) {
    network.join();
    for (Definition spec : specs) {
      if (spec.hostTarget().isEmpty()) {
        // Under berth.imagePull=always a present image is pulled all the same: nothing to note.
        if (config.imagePull() == BerthConfig.ImagePull.MISSING) {
          String key = engineImage(spec).toString();
          if (!obtained.containsKey(key) && engine.get().hasImage(key)) {
            obtained.putIfAbsent(key, CompletableFuture.completedFuture(null));
          }
        }
      }
    }
  }

  /**
   * The image the engine runs for a spec: a Docker Hub image from the mirror {@code berth.hubImagePrefix} names, if
   * it names one (for machines that reach Docker Hub only through a mirror of it); others, and the images Berth
   * builds, as they are. The spec's digest is the same either way: the mirror serves the same image.
   */
  ImageReference engineImage(Definition spec) {
    ImageReference image = spec.imageReference();
    return spec.build().isPresent() ? image : config.hubImagePrefix().map(image::throughHubMirror).orElse(image);
  }

}
