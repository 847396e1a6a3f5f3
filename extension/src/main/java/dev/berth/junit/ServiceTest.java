package dev.berth.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class whose tests use Berth's service containers: it registers the extension that reads
 * {@code @ServiceContainer} fields, starts services just before the first test that needs them, and injects
 * clients, endpoints and service handles.
 *
 * <pre>{@code
 * @ServiceTest
 * class WwwTest {
 *   @ServiceContainer
 *   static final ServiceSpec www = ServiceSpec.from("python:3.11-slim").withExposedPort(8080)
 *       .withCommand("python", "-m", "http.server", "8080");
 *
 *   @Test
 *   void get(@BindService("www") @ClientContainer(image = "busybox:1.35") Container client) {
 *     assertThat(client.exec("wget", "-qO-", "http://www:8080").exitCode()).isZero();
 *   }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith({ReportedTests.class, BerthExtension.class})
public @interface ServiceTest {

  /**
   * Skip the class's tests, instead of failing them, when no Docker engine answers (for example on a developer
   * machine without Docker). CI should leave this off so that a missing engine fails the build.
   */
  boolean disabledWithoutDocker() default false;
}
