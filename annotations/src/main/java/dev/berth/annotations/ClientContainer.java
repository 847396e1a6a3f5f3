package dev.berth.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a test-scoped client container on a {@code Container} parameter or instance field: created for one
 * test, with the services bound by {@link BindService} up for every exec, and removed after the test.
 *
 * <p>The container idles (its entrypoint is replaced by {@code sleep}) unless {@link #command()} says otherwise, so
 * the test drives it with {@code exec}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD})
public @interface ClientContainer {

  /** The client image; empty uses the configuration key {@code berth.clientImage} (default {@code busybox:1.35}). */
  String image() default "";

  /**
   * Builds the client image instead, from a Dockerfile in this context directory (relative to the working
   * directory), as {@link ServiceContainer#build()} does: a client with the tools a test needs.
   */
  String build() default "";

  /** The Dockerfile's path inside the {@link #build()} context, if not {@code Dockerfile}. */
  String dockerfile() default "";

  /** Build arguments ({@code ARG} in the Dockerfile) as {@code "NAME=value"}. */
  String[] buildArgs() default {};

  /** A command to run instead of idling; it must keep the container running while the test execs into it. */
  String[] command() default {};

  /** Environment variables as {@code "NAME=value"}. */
  String[] env() default {};

  /** The working directory for the container and its execs; empty keeps the image's. */
  String workdir() default "";

  /** Labels on the container as {@code "key=value"}, as {@code docker run --label} takes them. */
  String[] labels() default {};
}
