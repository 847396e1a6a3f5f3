package dev.berth.internal.container;

import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.session.SessionNetwork;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.ImageBuild;
import dev.berth.internal.spec.ImageReference;
import java.util.List;
import java.util.function.Supplier;

/**
 * The images of the run's containers: which image the engine runs for a definition (a Docker Hub mirror's, a
 * build's tag), and getting it there, pulled by {@code berth.imagePull} or built once per session.
 */
final class Images {

  private final Supplier<Engine> engine;
  private final BerthConfig config;
  private final SessionNetwork network;

  Images(Supplier<Engine> engine, BerthConfig config, SessionNetwork network) {
    this.engine = engine;
    this.config = config;
    this.network = network;
  }

  /** Builds or pulls the spec's image if the engine lacks it; returns the image's name on the engine. */
  String ensure(Definition spec, String neededBy) {
    if (spec.build().isPresent()) {
      ImageBuild build = spec.build().get();
      // The forks of a build need the same images: one JVM builds, the others wait for it and find the image.
      network.directory().locked("build-" + build.digest().substring(0, 32), () -> {
        engine.get().ensureBuilt(build, config.pullTimeout(), neededBy, config.pruneBuilds());
        return null;
      });
      return spec.image();
    }
    ImageReference image = engineImage(spec);
    String forWhom = image.equals(spec.imageReference()) ? neededBy : neededBy + " via berth.hubImagePrefix";
    engine.get().ensureImage(image, config.imagePull(), config.pullTimeout(), forWhom);
    return image.toString();
  }

  /** Joins the run's network and notes which of the specs' images are present; see ServiceRuntime.warmUp. */
  void prepare(List<Definition> specs) {
    network.join();
    for (Definition spec : specs) {
      if (spec.hostTarget().isEmpty()) {
        // Under berth.imagePull=always a present image is pulled all the same: nothing to note.
        if (config.imagePull() == BerthConfig.ImagePull.MISSING) {
          engine.get().notePresent(engineImage(spec));
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
