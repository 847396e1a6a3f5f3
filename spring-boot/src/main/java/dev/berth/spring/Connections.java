package dev.berth.spring;

import dev.berth.ConnectionInfo;
import dev.berth.Service;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connections of a context's services, as its connection details need them. */
final class Connections {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  private Connections() {
  }

  /** A service's connection from this JVM, if it has a port to connect to. */
  static Optional<ConnectionInfo> of(Service service) {
    try {
      return Optional.of(service.connection());
    } catch (IllegalStateException e) {
      return Optional.empty();   // exposes no port
    }
  }

  /**
   * The one service of a kind, by name. With several there is none: Spring Boot makes one client of a kind, and which
   * service it talks to stays the application's choice; the log says which property to set.
   */
  static Optional<Map.Entry<String, ConnectionInfo>> single(Map<String, Service> services,
      Predicate<ConnectionInfo> kind, String details, String property) {
    var found = new ArrayList<Map.Entry<String, ConnectionInfo>>();
    services.forEach((name, service) -> of(service).filter(kind).ifPresent(info -> found.add(Map.entry(name, info))));
    if (found.size() > 1) {
      LOG.info("The Spring context has {} services for {} ({}): Berth gives it none; set {} for the one it uses",
          found.size(), details, found.stream().map(Map.Entry::getKey).toList(), property);
      return Optional.empty();
    }
    return found.stream().findFirst();
  }
}
