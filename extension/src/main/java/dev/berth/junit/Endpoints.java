package dev.berth.junit;

import dev.berth.ConnectionInfo;
import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.internal.spec.SpecAccess;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Host-side endpoints ({@code 127.0.0.1:<published port>}, unless {@code berth.publishAddress} and
 * {@code berth.hostAddress} say otherwise) in the types {@link ServiceEndpoint} supports.
 */
final class Endpoints {

  private Endpoints() {
  }

  static Object resolve(ServiceEndpoint endpoint, Class<?> type, String where, ExtensionContext context,
      Declarations declarations) {
    if (type != String.class && type != URI.class && type != InetSocketAddress.class && type != int.class
        && type != Integer.class && type != ConnectionInfo.class) {
      throw new ExtensionConfigurationException("@ServiceEndpoint(\"" + endpoint.value() + "\") on " + where
          + " has type " + type.getName() + "; supported types: String, java.net.URI, java.net.InetSocketAddress,"
          + " int, Integer and dev.berth.ConnectionInfo");
    }
    if (type == ConnectionInfo.class) {
      return connection(endpoint, where, context, declarations);
    }
    if (type == URI.class && endpoint.scheme().isEmpty()) {
      throw new ExtensionConfigurationException("@ServiceEndpoint(\"" + endpoint.value() + "\") on " + where
          + " is a URI but names no scheme; add scheme = \"http\" (or the service's protocol)");
    }
    ServiceSpec spec = declarations.spec(endpoint.value(), context.getTestInstances(), "@ServiceEndpoint on " + where);
    int port = port(endpoint, spec, where);
    InetSocketAddress address;
    try {
      address = ScopeResource.of(context).service(endpoint.value(), spec).hostAddress(port);
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException("@ServiceEndpoint on " + where + ": " + e.getMessage(), e);
    }
    String host = address.getHostString();
    String hostPort = (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    if (type == String.class) {
      return hostPort;
    }
    if (type == URI.class) {
      return URI.create(endpoint.scheme() + "://" + hostPort);
    }
    if (type == InetSocketAddress.class) {
      return address;
    }
    return address.getPort();
  }

  /** The connection to the service's main port; a port of the endpoint's own would be another port's address. */
  private static ConnectionInfo connection(ServiceEndpoint endpoint, String where, ExtensionContext context,
      Declarations declarations) {
    if (endpoint.port() != 0 || !endpoint.scheme().isEmpty()) {
      throw new ExtensionConfigurationException("@ServiceEndpoint(\"" + endpoint.value() + "\") on " + where
          + " is a ConnectionInfo, which describes the service's main port with its own URLs: leave out port and"
          + " scheme, or take a String, URI or InetSocketAddress for that port");
    }
    ServiceSpec spec = declarations.spec(endpoint.value(), context.getTestInstances(), "@ServiceEndpoint on " + where);
    try {
      return ScopeResource.of(context).service(endpoint.value(), spec).connection();
    } catch (IllegalStateException e) {
      throw new ExtensionConfigurationException("@ServiceEndpoint on " + where + ": " + e.getMessage(), e);
    }
  }

  /**
   * The container port an endpoint names, checked against the declaration: called before the test's services are
   * acquired, so that an endpoint the service cannot have fails before anything starts.
   */
  static int port(ServiceEndpoint endpoint, ServiceSpec spec, String where) {
    var definition = SpecAccess.definition(spec);
    List<Integer> exposed = definition.exposedPorts();
    if (exposed.isEmpty()) {
      throw new ExtensionConfigurationException("@ServiceEndpoint(\"" + endpoint.value() + "\") on " + where
          + ": service '" + endpoint.value() + "' (" + spec.image() + ") exposes no port; expose one with"
          + " withExposedPort(...) or ports = ...");
    }
    int port = endpoint.port();
    if (port == 0) {
      return exposed.get(0);
    }
    if (!definition.offersPort(port)) {
      throw new ExtensionConfigurationException("@ServiceEndpoint(\"" + endpoint.value() + "\", port = " + port
          + ") on " + where + ": service '" + endpoint.value() + "' (" + spec.image() + ") does not expose port "
          + port + "; exposed ports: " + exposed + ". Name one of those, or expose it with withExposedPort(" + port
          + ")");
    }
    return port;
  }
}
