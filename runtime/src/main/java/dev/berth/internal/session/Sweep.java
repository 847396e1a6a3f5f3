package dev.berth.internal.session;

import dev.berth.internal.engine.Engine;
import dev.berth.internal.spec.Labels;
import java.util.Map;
import java.util.Set;

/**
 * Removes what a run of the session left on the engine: its clients and probe, and the service containers it held
 * that no other run of the session holds. Called at the end of a run (leaving out what it still has in hand) and
 * by the watchdog once the run's JVM is gone.
 */
public final class Sweep {

  private Sweep() {
  }

  /**
   * Removes what a run left: the service containers it held that no other live run of the session holds, then
   * its clients and probe. Used by the watchdog for a run whose JVM died.
   */
  public static void of(Engine backend, SessionDirectory directory, String session, String run) {
    except(backend, directory, session, run, Set.of(), Set.of());
  }

  /**
   * As above, leaving alone the digests and containers the caller removes itself; at the end of a run, this finds
   * what a start or stop cut short left behind.
   */
  public static void except(Engine backend, SessionDirectory directory, String session, String run,
      Set<String> digestsInHand, Set<String> containersInHand) {
    for (String digest : directory.keysHeldBy(run)) {
      if (SessionDirectory.DNS_RECORDS.equals(digest)) {
        directory.deleteLease(digest, run); // its DNS records
        continue;
      }
      if (SessionDirectory.RUN.equals(digest) || digestsInHand.contains(digest)) {
        continue;
      }
      directory.locked(digest, () -> {
        directory.deleteLease(digest, run);
        if (!directory.heldByOthers(digest, run)) {
          backend.containersLabelled(Map.of(Labels.DIGEST, digest, Labels.SESSION, session))
              .forEach(backend::remove);
        }
        return null;
      });
    }
    for (Engine.Listed container : backend.containersOf(Map.of(Labels.RUN, run))) {
      if (containersInHand.contains(container.id())) {
        continue;
      }
      String digest = container.labels().get(Labels.DIGEST);
      if (!"service".equals(container.labels().get(Labels.ROLE)) || digest == null) {
        backend.remove(container.id()); // a client or the probe
        continue;
      }
      // A service container the run created but holds no lease on any more: its own to remove unless another
      // run of the session holds the definition.
      directory.locked(digest, () -> {
        if (!directory.heldByOthers(digest, run)) {
          backend.remove(container.id());
        }
        return null;
      });
    }
  }}
