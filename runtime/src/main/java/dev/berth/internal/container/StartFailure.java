package dev.berth.internal.container;

import dev.berth.ServiceStartException;
import dev.berth.internal.spec.Definition;
import java.util.List;

/** A service that did not become ready, as Berth reports it: the message names the service, how it ran, its log. */
public final class StartFailure extends ServiceStartException {

  private static final long serialVersionUID = 1L;

  public StartFailure(String serviceName, Definition spec, int port, Integer exitCode, String problem,
      List<String> logTail, Throwable cause) {
    super(serviceName, spec.image(), port, exitCode, describe(serviceName, spec, port, problem, logTail), logTail,
        cause);
  }

  /** A waiter's own copy of a shared start failure: same message and details, the original as cause. */
  public StartFailure(ServiceStartException shared) {
    super(shared);
  }

  private static String describe(String name, Definition spec, int port, String problem, List<String> logTail) {
    var s = new StringBuilder("Service '").append(name).append("' (").append(spec.image());
    if (port > 0) {
      s.append(", port ").append(port);
    }
    s.append(") did not start: ").append(problem);
    s.append("\n  ").append(spec.startedAs());
    if (logTail.isEmpty()) {
      s.append("\n  (the container logged nothing)");
    } else {
      s.append("\n  last ").append(logTail.size()).append(" log lines:");
      for (String line : logTail) {
        s.append("\n  | ").append(line);
      }
    }
    return s.toString();
  }

}
