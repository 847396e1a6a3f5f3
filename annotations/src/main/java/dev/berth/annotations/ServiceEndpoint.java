package dev.berth.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a service's host-side endpoint, {@code 127.0.0.1:<mapped port>}, reachable from the test JVM. The test
 * needs the service, so it is started and healthy before the test runs.
 *
 * <p>Supported parameter types: {@code String} ({@code "127.0.0.1:49153"}), {@code java.net.URI}
 * ({@code "http://127.0.0.1:49153"}, needs {@link #scheme()}), {@code java.net.InetSocketAddress} and
 * {@code int}/{@code Integer} (the mapped port), and {@code dev.berth.ConnectionInfo} (the JDBC URL, user and password
 * of a database, a Redis URI or an HTTP base URI of the service's main port; without port or scheme).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD})
public @interface ServiceEndpoint {

  /** The name of the service. */
  String value();

  /** The container port; {@code 0} (default) means the service's first exposed port. */
  int port() default 0;

  /** The URI scheme for {@code URI} targets, for example {@code "http"}. */
  String scheme() default "";
}
