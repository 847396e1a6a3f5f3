package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.AuthConfigurations;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.core.SSLConfig;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.berth.internal.engine.transport.NoTls;
import dev.berth.internal.engine.transport.UnixSocketTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * docker-java's client as Berth sets it up: one object mapper for the JVM, the HTTP transport that
 * {@code berth.transport} chooses, and every request sent from a thread that nobody interrupts, within its
 * deadline.
 */
final class EngineClient {

  /** Read where the connection is made, before JUnit's configuration exists: a system property or environment. */
  static final String TRANSPORT = "berth.transport";

  /**
   * docker-java gives every client a fresh copy of its object mapper, which then learns each response type anew
   * (a container's inspection alone takes it some 40 ms). Berth's clients share one, so a JVM learns them once.
   */
  static final ObjectMapper MAPPER = DockerClientConfig.getDefaultObjectMapper();

  /** The threads that send requests to the engine on behalf of interruptible callers; see {@link Deadlined}. */
  static final ExecutorService REQUESTS = Executors.newCachedThreadPool(task -> {
    var thread = new Thread(task, "berth-engine-request");
    thread.setDaemon(true);
    return thread;
  });

  /**
   * Sends each request from a thread nobody interrupts, and waits for the engine's answer uninterruptibly, up to
   * the call's deadline ({@link EngineDeadlines}). The socket is an interruptible channel: an interrupt (the end of a
   * run stops the starts in progress) would close it under a request the engine still carries out, leaving a
   * network or container that nobody knows of. This way a request is answered, its result recorded, and the
   * interrupt takes effect at the caller's next wait. A reply with a deadline is read whole within it, so that a
   * body the engine stops sending midway counts too; the transports close connections past the deadline, which
   * frees the thread.
   */
  private record Deadlined(DockerHttpClient http, URI host, EngineDeadlines deadlines) implements DockerHttpClient {
    @Override
    public Response execute(Request request) {
      Optional<EngineDeadlines.Deadline> deadline = deadlines.of(request.method(), request.path(),
          request.hijackedInput() != null);
      if (deadline.isEmpty()) {
        return answer(CompletableFuture.supplyAsync(() -> http.execute(request), REQUESTS));
      }
      long sent = System.nanoTime();
      var answered = CompletableFuture.supplyAsync(() -> UnixSocketTransport.readWhole(http.execute(request)),
          REQUESTS);
      try {
        return answer(answered.orTimeout(deadline.get().time().toNanos(), TimeUnit.NANOSECONDS));
      } catch (RuntimeException e) {
        Duration waited = Duration.ofNanos(System.nanoTime() - sent);
        // The transport's own read deadline may end the wait a hair before this one counts it as passed.
        if (e instanceof TimedOut || waited.compareTo(deadline.get().time()) >= 0 || timedOut(e)) {
          throw new Engine.CallTimedOut("The Docker engine at " + host + " did not answer "
              + EngineDeadlines.call(request.method(), request.path()) + " within "
              + EngineDeadlines.seconds(deadline.get().time()) + " (" + deadline.get().setting() + "; waited "
              + EngineDeadlines.seconds(waited) + "). " + EngineDeadlines.whatToCheck(deadline.get().setting()),
              e instanceof TimedOut ? null : e);
        }
        throw e;
      }
    }

    /** The answer, or what the request threw, waited for uninterruptibly. */
    private static Response answer(CompletableFuture<Response> answered) {
      try {
        return answered.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof TimeoutException) {
          throw new TimedOut();
        }
        if (e.getCause() instanceof RuntimeException cause) {
          throw cause;
        }
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      http.close();
    }
  }

  /** A deadline passed before the engine answered. */
  private static final class TimedOut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TimedOut() {
      super(null, null, false, false);
    }
  }

  /**
   * Sends the calls whose every read has a deadline to one client and the others (streams, stops) to another, for
   * a transport that can only have one read timeout per client (docker-java's Apache transport); the second client
   * is made on first need.
   */
  private static final class ByReadTimeout implements DockerHttpClient {
    private final EngineDeadlines deadlines;
    private final DockerHttpClient bounded;
    private final Supplier<DockerHttpClient> makeUnbounded;
    private DockerHttpClient unbounded;

    ByReadTimeout(EngineDeadlines deadlines, DockerHttpClient bounded, Supplier<DockerHttpClient> unbounded) {
      this.deadlines = deadlines;
      this.bounded = bounded;
      this.makeUnbounded = unbounded;
    }

    @Override
    public Response execute(Request request) {
      return deadlines.readsAreBounded(request.method(), request.path(), request.hijackedInput() != null)
          ? bounded.execute(request) : unbounded().execute(request);
    }

    private synchronized DockerHttpClient unbounded() {
      if (unbounded == null) {
        unbounded = makeUnbounded.get();
      }
      return unbounded;
    }

    @Override
    public void close() throws IOException {
      bounded.close();
      synchronized (this) {
        if (unbounded != null) {
          unbounded.close();
        }
      }
    }
  }

  /** Whether the failure is a socket's read deadline passing. */
  private static boolean timedOut(Throwable failure) {
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** docker-java's configuration, with the JVM's one mapper and the API version Berth speaks. */
  private record SharedMapperConfig(DockerClientConfig config, RemoteApiVersion version)
      implements DockerClientConfig {
    @Override
    public URI getDockerHost() {
      return config.getDockerHost();
    }

    @Override
    public RemoteApiVersion getApiVersion() {
      return version;
    }

    @Override
    public String getRegistryUsername() {
      return config.getRegistryUsername();
    }

    @Override
    public String getRegistryPassword() {
      return config.getRegistryPassword();
    }

    @Override
    public String getRegistryEmail() {
      return config.getRegistryEmail();
    }

    @Override
    public String getRegistryUrl() {
      return config.getRegistryUrl();
    }

    @Override
    public AuthConfig effectiveAuthConfig(String imageName) {
      return config.effectiveAuthConfig(imageName);
    }

    @Override
    public AuthConfigurations getAuthConfigurations() {
      return config.getAuthConfigurations();
    }

    @Override
    public SSLConfig getSSLConfig() {
      return config.getSSLConfig();
    }

    @Override
    public ObjectMapper getObjectMapper() {
      return MAPPER;
    }
  }

  private EngineClient() {
  }

  /** docker-java's configuration (DOCKER_HOST and the rest of its usual sources), unless a host is given. */
  static DockerClientConfig config(Optional<String> dockerHost) {
    var builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
    dockerHost.ifPresent(builder::withDockerHost);
    DockerClientConfig config = builder.build();
    return new SharedMapperConfig(config, config.getApiVersion());
  }

  /** The configuration, speaking API {@code version} (docker-java puts it before every path). */
  static DockerClientConfig speaking(DockerClientConfig config, String version) {
    DockerClientConfig inner = config instanceof SharedMapperConfig shared ? shared.config() : config;
    return new SharedMapperConfig(inner, RemoteApiVersion.parseConfig(version));
  }

  /**
   * The API version a configuration names, if it names one: before connecting, what docker-java's own settings pin
   * ({@code api.version}); after, the one Berth speaks.
   */
  static Optional<String> versionNamed(DockerClientConfig config) {
    RemoteApiVersion version = config.getApiVersion();
    return version == null || version.equals(RemoteApiVersion.UNKNOWN_VERSION) ? Optional.empty()
        : Optional.of(version.getVersion());
  }

  /**
   * The docker CLI's context that names the engine when {@code DOCKER_HOST} does not, as docker-java follows it:
   * {@code DOCKER_CONTEXT}, else {@code currentContext} in {@code config.json}; described for messages, such as
   * {@code 'colima' (currentContext in /home/me/.docker/config.json)}. Empty when there is none, or it is the CLI's
   * {@code default}.
   */
  static Optional<String> cliContext(Map<String, String> env, Path configDirectory) {
    if (env.get("DOCKER_HOST") != null && !env.get("DOCKER_HOST").isBlank()) {
      return Optional.empty();
    }
    String named = env.get("DOCKER_CONTEXT");
    String source = "DOCKER_CONTEXT";
    if (named == null || named.isBlank()) {
      try {
        named = MAPPER.readTree(configDirectory.resolve("config.json").toFile()).path("currentContext").asText("");
      } catch (IOException e) {
        named = "";
      }
      source = "currentContext in " + configDirectory.resolve("config.json");
    }
    return named.isBlank() || named.equals("default") ? Optional.empty()
        : Optional.of("'" + named + "' (" + source + ")");
  }

  /**
   * A client of the engine {@code config} names, at the API version it names, over {@code http}.
   */
  static DockerClient open(DockerClientConfig config, DockerHttpClient http) {
    return DockerClientImpl.getInstance(config, http);
  }

  /**
   * The HTTP transport to the engine {@code config} names, as {@code transport} chooses, each call within its
   * deadline.
   */
  static DockerHttpClient http(DockerClientConfig config, String transport, EngineDeadlines deadlines) {
    return new Deadlined(transport(config, transport, deadlines), config.getDockerHost(), deadlines);
  }

  /**
   * The HTTP transport to the engine, by {@code berth.transport}: {@code auto} takes Berth's own for a Unix socket
   * without TLS and docker-java's Apache transport otherwise; {@code apache} takes the Apache transport always.
   */
  static DockerHttpClient transport(DockerClientConfig config, String choice, EngineDeadlines deadlines) {
    Path socket = UnixSocketTransport.socketOf(config.getDockerHost());
    switch (choice.trim().toLowerCase(Locale.ROOT)) {
      case "auto":
        return socket != null && config.getSSLConfig() == null
            ? new UnixSocketTransport(socket, request -> deadlines.of(request.method(), request.path(),
                request.hijackedInput() != null).map(EngineDeadlines.Deadline::time).orElse(null),
                () -> apacheTransport(config, deadlines, null))
            : apacheTransport(config, deadlines);
      case "apache":
        return apacheTransport(config, deadlines);
      default:
        // Not a BerthException: a mistake in the configuration must fail, not pass for an engine that is away.
        throw new IllegalArgumentException("Configuration key " + TRANSPORT + " has value '" + choice + "'; it"
            + " takes 'auto' (the default: Berth's own transport for a Unix socket, docker-java's Apache transport"
            + " otherwise) or 'apache' (always the Apache transport). Set it as a system property or as"
            + " BERTH_TRANSPORT");
    }
  }

  /**
   * docker-java's Apache transport for every call: one client whose reads time out after the ordinary deadline, for
   * the calls that have it, and one whose reads wait, for streams and stops. The read timeout frees the thread of a
   * call given up on; the call's deadline itself is {@link Deadlined}'s.
   */
  private static DockerHttpClient apacheTransport(DockerClientConfig config, EngineDeadlines deadlines) {
    Duration reads = deadlines.call().compareTo(deadlines.ping()) > 0 ? deadlines.call() : deadlines.ping();
    return new ByReadTimeout(deadlines, apacheTransport(config, deadlines, reads),
        () -> apacheTransport(config, deadlines, null));
  }

  /**
   * docker-java's Apache transport: for TCP and TLS, and for requests that take over a Unix socket connection. A
   * socket without TLS gets a TLS context that cannot be used (see {@link NoTls}); plain TCP must get none, since
   * docker-java speaks HTTPS to a TCP engine whenever it is given one. Connecting may take the ping's deadline;
   * each read {@code reads} (null: no limit).
   */
  private static DockerHttpClient apacheTransport(DockerClientConfig config, EngineDeadlines deadlines,
      Duration reads) {
    boolean socket = UnixSocketTransport.socketOf(config.getDockerHost()) != null;
    var builder = new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig() != null ? config.getSSLConfig() : socket ? NoTls::new : null)
        .maxConnections(512)
        .connectionTimeout(deadlines.ping());
    if (reads != null) {
      builder.responseTimeout(reads);
    }
    return builder.build();
  }
}
