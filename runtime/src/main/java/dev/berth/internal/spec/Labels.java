package dev.berth.internal.spec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels Berth puts on everything it creates, so that cleanup touches only the run's own resources and
 * tooling can find them: {@code docker ps --filter label=dev.berth.session=<session>}.
 */
public final class Labels {

  /** Present on every resource of Berth; the value is Berth's version of the encoding. */
  public static final String BERTH = "dev.berth";
  /** The run (one runtime, normally one JVM) that created the resource; cleanup filters on it. */
  public static final String RUN = "dev.berth.run";
  /** {@code berth.session}: groups the runs of one build, and lets CI check for leaks. */
  public static final String SESSION = "dev.berth.session";
  /** {@code service}, {@code client}, {@code probe} or {@code network}. */
  public static final String ROLE = "dev.berth.role";
  public static final String DIGEST = "dev.berth.digest";
  public static final String SERVICE = "dev.berth.service";
  /** On a replica: the hostname of its group, which the engine answers with every replica. */
  public static final String GROUP = "dev.berth.group";
  /** On cache volumes: they outlive the run, so they carry no run or session label. */
  public static final String CACHE = "dev.berth.cache";
  public static final String CACHE_NAME = "dev.berth.cache.name";
  /** On images built from a Dockerfile: kept as a cache, like pulled images. */
  public static final String BUILD = "dev.berth.build";
  /** On built images: which image they are versions of ({@link ImageBuild#source()}), for pruning earlier ones. */
  public static final String BUILD_SOURCE = "dev.berth.build.source";
  /** On built images: their Dockerfile, for people looking for them. */
  public static final String BUILD_DOCKERFILE = "dev.berth.build.dockerfile";

  private Labels() {
  }

  public static Map<String, String> of(String runId, String session, String role) {
    var labels = new LinkedHashMap<String, String>();
    labels.put(BERTH, SpecEncoding.VERSION);
    labels.put(RUN, runId);
    labels.put(SESSION, session);
    labels.put(ROLE, role);
    return labels;
  }
}
