package dev.berth.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a service, by name, into a container under an alias that its {@code /etc/hosts} resolves.
 *
 * <p>Where it goes decides what receives the binding:
 * <ul>
 *   <li>a client parameter or field: that client container;</li>
 *   <li>a test method: every client of that test, and the test needs the service even without a client;</li>
 *   <li>a test class: every client of every test in the class (and its {@code @Nested} classes);</li>
 *   <li>a {@link ServiceContainer} field: that service container, which then starts after the bound one.</li>
 * </ul>
 * Names resolve through the test class, its superclasses and its enclosing classes.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.TYPE})
@Repeatable(BindService.List.class)
public @interface BindService {

  /** The name of the service to bind: a {@link ServiceContainer} field's name or its {@code name} attribute. */
  String value();

  /** The hostname the service is reachable under; defaults to the service's name. */
  String alias() default "";

  /** Holds repeated {@link BindService} annotations. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.TYPE})
  @interface List {
    BindService[] value();
  }
}
