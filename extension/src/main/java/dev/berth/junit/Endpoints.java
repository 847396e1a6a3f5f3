package dev.berth.junit;

import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.internal.spec.SpecAccess;
import java.net.InetSocketAddress;
import java.net.URI;
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
        && type != Integer.class) {
      throw new ExtensionConfigurationException("@ServiceEndpoint(\"" + endpoint.value() + "\") on " + where
          + " has type " + type.getName() + "; supported types: String, java.net.URI, java.net.InetSocketAddress,"
          + " int and Integer");
    }
    if (type == URI.class && endpoint.scheme().isEmpty()) {
      throw new ExtensionConfigurationException("@ServiceEndpoint(\"" + endpoint.value() + "\") on " + where
          + " is a URI but names no scheme; add scheme = \"http\" (or the service's protocol)");
    }
    ServiceSpec spec = declarations.spec(endpoint.value(), context.getTestInstances(), "@ServiceEndpoint on " + where);
    int port = endpoint.port();
    if (port == 0) {
      if (SpecAccess.definition(spec).exposedPorts().isEmpty()) {
        throw new ExtensionConfigurationException("@ServiceEndpoint(\"" + endpoint.value() + "\") on " + where
            + ": the service exposes no port; expose one with withExposedPort(...) or ports = ...");
      }
      port = SpecAccess.definition(spec).exposedPorts().get(0);
    }
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
}
