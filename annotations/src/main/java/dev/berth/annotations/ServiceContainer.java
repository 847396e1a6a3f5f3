package dev.berth.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a service container on a field of a test class.
 *
 * <p>On a {@code ServiceSpec} field the spec defines the service and only {@link #name()} may be set (the others
 * fail the class, rather than be ignored). On a {@code Service} field the attributes define it and the extension
 * injects a lazy handle: nothing starts until a test needs the service.
 *
 * <pre>{@code
 * @ServiceContainer(name = "cache", image = "redis:7.0", ports = 6379)
 * static Service redis;
 * }</pre>
 *
 * <p>Equal definitions anywhere in a test run share one container: identity is the definition's content, not the
 * field. Put {@link BindService} on the same field to bind another service into this one.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface ServiceContainer {

  /** The service's name, used by {@link BindService} and {@link ServiceEndpoint}; defaults to the field's name. */
  String name() default "";

  /** The image reference, for example {@code "redis:7.0"}; a {@code Service} field needs this or {@link #build()}. */
  String image() default "";

  /**
   * Builds the image instead, from a Dockerfile in this context directory (relative to the working directory, the
   * module's under Maven): {@code build = "src/test/docker/app"}. Files its {@code .dockerignore} leaves out are not
   * read; a changed file makes a new definition and image.
   */
  String build() default "";

  /** The Dockerfile's path inside the {@link #build()} context, if not {@code Dockerfile}. */
  String dockerfile() default "";

  /** Build arguments ({@code ARG} in the Dockerfile) as {@code "NAME=value"}. */
  String[] buildArgs() default {};

  /**
   * The TCP ports the service listens on; each must be ready before a test that needs it runs: it answers the
   * protocol its image is known for on that port (PostgreSQL on 5432 of {@code postgres}, ...), else accepts a
   * connection.
   */
  int[] ports() default {};

  /**
   * Names of ports, each {@code "name=port"}, exposing the port if {@link #ports()} does not: {@code "admin=9090"}
   * adds the SRV records {@code _admin._<service>._tcp} of that port alone.
   */
  String[] portNames() default {};

  /**
   * What the service speaks on a port, each {@code "port/protocol"}, exposing the port if {@link #ports()} does not:
   * {@code "5432/postgres"} waits until PostgreSQL no longer says it is starting up; {@code "53/udp"} publishes a UDP
   * port, never waited for. Protocols: tcp, http, postgres, mysql, redis, amqp, smtp, udp.
   */
  String[] protocols() default {};

  /**
   * TCP ports published but not waited for: a port the service opens later, or only when a test makes it.
   */
  int[] uncheckedPorts() default {};

  /** The command, replacing the image's default; empty keeps the image's. */
  String[] command() default {};

  /** Environment variables as {@code "NAME=value"}. */
  String[] env() default {};

  /**
   * A command that says when the service is ready, run in its container once every port is ready until it exits
   * with 0, for services whose ports say too little; for example {@code {"pg_isready", "-h", "127.0.0.1"}}. Empty:
   * the image's {@code HEALTHCHECK}, if it has one, else the ports.
   */
  String[] ready() default {};

  /**
   * The image's own {@code HEALTHCHECK} says when the service is ready: its command is run in the container once
   * every port accepts connections, until it exits with 0 (at once and 20 ms after each failure, not at the check's
   * interval). Images that have one are checked so anyway: this makes an image without one fail the start. Not with
   * {@link #ready()}, which names a command instead.
   */
  boolean readyHealthcheck() default false;

  /**
   * Ignores the image's {@code HEALTHCHECK}, which otherwise says when a service with no {@link #ready()} command is
   * ready (its command run at once and every 20 ms, failing once Docker would call the container unhealthy).
   */
  boolean ignoreHealthcheck() default false;

  /**
   * Whether the service may stay up for later runs under {@code berth.reuse} (default true); false starts it fresh
   * for each run and removes it at the end, as without reuse.
   */
  boolean reuse() default true;

  /**
   * A command run in the service when a run attaches to it after an earlier run left it up ({@code berth.reuse}),
   * to reset its data, such as {@code {"redis-cli", "FLUSHALL"}}.
   */
  String[] resetCommand() default {};

  /**
   * A regular expression that a line of the service's output matches once it is ready (stdout or stderr, from the
   * container's start), for images with no command to ask; waited for once every port accepts connections.
   */
  String readyLogLine() default "";

  /** How many lines must match {@link #readyLogLine()}: PostgreSQL, for one, says it is ready twice. */
  int readyLogLineTimes() default 1;

  /**
   * An HTTP request that must be answered with a 2xx status once every port accepts connections, as {@code
   * "port/path"}: {@code "8080/actuator/health"} sends {@code GET /actuator/health} to the container's port 8080.
   */
  String readyHttp() default "";

  /**
   * Files written into the container before it starts, each {@code "/path/in/container=resource"}, the resource
   * named by its path under a classpath root such as {@code src/test/resources}: {@code
   * "/docker-entrypoint-initdb.d/schema.sql=sql/schema.sql"}. A file is written with mode 0644 unless its path is
   * followed by a colon and a POSIX mode in octal: {@code "/bin/app:0755=app.sh"} for a script to run. (A path with a
   * colon of its own is therefore written as {@code "/a:b:0644=res"}.)
   */
  String[] files() default {};

  /** Empty in-memory mounts, each {@code "/path"} or {@code "/path:options"} as {@code docker run --tmpfs} takes. */
  String[] tmpfs() default {};

  /** The user the container's processes run as, as {@code docker run --user} takes it: a name, or uid[:gid]. */
  String user() default "";

  /** The size of the container's {@code /dev/shm}, as {@code docker run --shm-size} takes it: {@code "256m"}. */
  String shmSize() default "";

  /**
   * Named volumes that outlive the run, each {@code "name:/path"} as {@code docker run -v} takes: state kept between
   * runs (the engine's volume is {@code berth-cache-<name>}). A third part says how runs share it:
   * {@code "name:/path:private"} gives each session its own (gone with the session), {@code "name:/path:locked"}
   * one user at a time; {@code shared}, the default, lets every run use it at once.
   */
  String[] cacheVolumes() default {};

  /** Labels on the container as {@code "key=value"}, as {@code docker run --label} takes them. */
  String[] labels() default {};

  /** An instance id: equal definitions with different instance ids run as separate containers. */
  String instance() default "";

  /**
   * How many containers run the service (1-16), each a service of its own ({@code <name>-0}, {@code <name>-1}, ...);
   * its SRV records list the healthy ones.
   */
  int replicas() default 1;

  /**
   * A virtual address in front of the replicas, {@code "name:port"} or {@code "name:port->containerPort"}:
   * {@code "web:80->8080"} takes connections on {@code web:80} and passes each to the next healthy replica's port
   * 8080, which must be exposed; {@code "web:8080"} balances 8080 itself.
   */
  String vip() default "";
}
