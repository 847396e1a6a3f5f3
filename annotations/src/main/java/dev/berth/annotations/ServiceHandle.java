package dev.berth.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects the lazy {@code Service} handle of a declared service into a parameter or field, for explicit control:
 * {@code start()}, {@code stop()}, {@code hostname()}, {@code endpoint()}. Injecting it starts nothing, so a test
 * can decide when (and in which order) its services run.
 *
 * <pre>{@code
 * @Test
 * void restart(@ServiceHandle("redis") Service redis) {
 *   redis.start();
 *   redis.stop();
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD})
public @interface ServiceHandle {

  /** The name of the service. */
  String value();
}
