package dev.berth;

import java.util.Optional;

/**
 * A JVM of its own that connects to the engine as a run does, with nothing but its environment to go by: prints
 * {@code engine <host>}, or {@code failed: <message>} and exits with 3.
 */
public final class EngineContextProbe {

  private EngineContextProbe() {
  }

  public static void main(String[] args) {
    try (DockerBackend backend = DockerBackend.connect(Optional.empty())) {
      System.out.println("engine " + backend.host());
    } catch (BerthException e) {
      System.out.println("failed: " + e.getMessage());
      System.exit(3);
    }
  }
}
