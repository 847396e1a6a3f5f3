package dev.berth.internal.container;

import dev.berth.internal.spec.Definition;
import java.time.Duration;
import java.util.Map;

/** Starts one service container until it is healthy, and stops it: the work {@link ServiceTable} schedules. */
public interface ServiceStarter {

  /**
   * Starts the service with its bindings resolved and returns once every exposed port accepts connections.
   *
   * @param boundHosts alias to address on the run's network, for the service's {@code /etc/hosts}
   * @throws ServiceStartException if the container exits or a port is not ready in time; the container is gone
   */
  RunningService start(String name, Definition spec, Map<String, String> boundHosts);

  /**
   * A test takes the service (a start ahead of its class does not): from now on the session's DNS answers its names.
   * A service started ahead is left out until then, so that it never takes a name from one a test is using.
   * Called for every lease a test takes; the first call for a container is the one that counts.
   */
  default void announce(RunningService service) {
  }

  /** Stops the service gently ({@code berth.stopTimeout}) and removes its container. */
  void stop(RunningService service);

  /**
   * The run has no more use for the service (its grace period ended): stops it, or, for a service the run reuses
   * ({@code berth.reuse}), leaves it up for later runs.
   */
  default void release(RunningService service) {
    stop(service);
  }

  /**
   * Stops the service, killing it once {@code timeout} has passed after its stop signal (at once, without a signal,
   * for zero), and removes its container.
   */
  void stop(RunningService service, Duration timeout);
}
