package dev.berth.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a service that already listens on the test machine reachable from the client containers of the class (or
 * method) under {@link #name()} and the same port: {@code @HostService(name = "db", value = "tcp://localhost:3306")}
 * answers at {@code db:3306}. It works when the service listens on 127.0.0.1 only, and needs no helper image.
 *
 * <p>The name can also be used like any declared service: {@code @BindService("db", alias = "...")},
 * {@code @ServiceEndpoint("db")}. A closed port fails the test that needs it, naming the address.
 *
 * <p>The address and ports may hold placeholders, {@code ${key}} or {@code ${key:default}}, resolved when a test
 * needs the service from the system property {@code key}, else the environment variable {@code key}:
 * {@code @HostService(name = "db", value = "tcp://localhost", ports = "3306:${db.port:3306}")}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(HostService.List.class)
public @interface HostService {

  /** The service's name, and the alias client containers reach it under. */
  String name();

  /** The service's address on the test machine: {@code tcp://host:port}, or {@code tcp://host} with {@link #ports()}. */
  String value();

  /**
   * Ports the service is offered on to the run's containers, each {@code "port:hostPort"}: {@code "5432:54321"} makes
   * port 5432 of its name relay to port 54321 of the address's host. Beside the address's own port, if it has one.
   */
  String[] ports() default {};

  /** Holds repeated {@link HostService} annotations. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.METHOD})
  @interface List {
    HostService[] value();
  }
}
