package dev.berth.internal.run;

import dev.berth.BerthException;
import dev.berth.Container;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.container.RunContainers;
import dev.berth.internal.engine.DockerBackend;
import dev.berth.internal.engine.EarlyConnection;
import dev.berth.internal.engine.EngineDeadlines;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.report.RunReport;
import dev.berth.internal.report.RunTimeline;
import dev.berth.internal.session.SessionDirectory;
import dev.berth.internal.session.WarmServices;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.SpecAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One test run: the home of the run's life, as {@link ServiceTable} is the home of a service's. It knows nothing of
 * JUnit; the extension keeps one per test run. Read it as that life:
 *
 * <ol>
 *   <li><b>Connect ahead.</b> {@link #connectAhead}, called when the launcher session opens, connects to the engine
 *       in the background and has it refuse one container create, so that the first real create finds its parts
 *       learned. The run takes that connection, or connects on its first need; a run that starts nothing never
 *       touches the engine.
 *   <li><b>Start.</b> {@link #start} wires the layers: the run's containers ({@link RunContainers}: images, the
 *       JVM's place, DNS and the session's network behind it), replicated services over them, and the table over
 *       both, with a start executor and a grace timer.
 *   <li><b>Warm-up.</b> {@link #warmUp}, when the first class that declares services begins, joins the session's
 *       network and notes which images are present, in the background, while JUnit gets to the first test.
 *   <li><b>Services and clients.</b> Scopes ({@link #newScope}) acquire services from the table; {@link #newClient}
 *       starts a client container, its bindings held by a scope of its own.
 *   <li><b>End of run.</b> {@link #close} (or the JVM's shutdown hook, if it comes first): the table closes, so
 *       nothing new starts and pending stops are dropped; starts in progress end; replicated services close; then
 *       the run's containers are removed and the session's network left ({@link RunContainers#close}), and the
 *       engine connection goes. Last, the run report is written from what the run recorded as it went
 *       ({@link #timeline}: the table's and the containers' steps, and the test tool's classes), whatever came
 *       before it failed.
 * </ol>
 *
 * <pre>{@code
 * try (var runtime = ServiceRuntime.start(BerthConfig.defaults());
 *      var scope = runtime.newScope()) {
 *   Service redis = scope.service("redis", ServiceSpec.from("redis:7.0").withExposedPort(6379));
 *   InetSocketAddress address = redis.hostAddress(6379);
 * }
 * }</pre>
 */
public final class ServiceRuntime implements AutoCloseable {

  /** A name {@code /etc/hosts} can hold: labels of letters, digits and '_', joined by '-' or '.'. */
  private static final Pattern HOSTS_NAME = Pattern.compile("[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*");

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  private final BerthConfig config;
  private final String runId;
  private final String session;
  private Engine backend;
  private final RunContainers containers;
  private final ReplicatedServices replicated;
  private final ExecutorService executor;
  private final ScheduledThreadPoolExecutor timer;
  private final ServiceTable table;
  private final RunTimeline timeline = new RunTimeline();
  private final Thread shutdownHook;
  private final Object closeLock = new Object();
  private boolean closed;
  private Boolean engineReachable;
  /** The failure of the first connection, when {@code engineReachable} is false. */
  private String engineProblem;
  private ServiceRuntime(BerthConfig config) {
    this.config = config;
    this.runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    // Reused services are the machine's: runs that reuse share one session, unless berth.session names another.
    this.session = session(config.session(), config.reuses());
    this.containers = new RunContainers(this::backend, config, runId, session, timeline);
    this.replicated = new ReplicatedServices(containers);
    this.executor = Executors.newCachedThreadPool(daemonThreads("berth-start-"));
    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("berth-grace-"));
    timer.setRemoveOnCancelPolicy(true);
    this.table = new ServiceTable(replicated, executor, (delay, task) -> {
      var scheduled = timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> scheduled.cancel(false);
    }, config.gracePeriod(), timeline);
    this.shutdownHook = new Thread(this::close, "berth-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * A runtime for one run. It connects to the Docker engine ({@code DOCKER_HOST}, or the platform's default
   * socket) when the first container is needed, so a run that needs none never touches the engine.
   */
  public static ServiceRuntime start(BerthConfig config) {
    Objects.requireNonNull(config, "config");
    return new ServiceRuntime(config);
  }

  /**
   * The engine, connected once; a failed connection is not remembered, so the next need tries again.
   *
   * @throws BerthException if no engine answers, saying how to point Berth at one
   */
  private Engine backend() {
    synchronized (closeLock) {
      if (closed) {
        throw new BerthException("The Berth run " + runId + " has ended; nothing more can start in it");
      }
      if (backend == null) {
        EngineDeadlines deadlines = EngineDeadlines.of(config);
        DockerBackend connection = EarlyConnection.JVM.take(config.dockerHost(), deadlines)
            .orElseGet(() -> DockerBackend.connect(config.dockerHost(), deadlines));
        try {
          backend = connection.as(config);
        } catch (RuntimeException e) {
          connection.close();
          throw e;
        }
      }
      return backend;
    }
  }

  /**
   * Starts connecting to the engine in the background, once per JVM, so that the first run to need the engine
   * finds the connection made: in a fresh JVM that costs about 0.4 s, mostly loading docker-java, which a test
   * tool can overlap with discovering the tests. Creates nothing on the engine; a run configured for another
   * engine ignores the connection.
   *
   * @param dockerHost the engine, as {@code berth.dockerHost}; empty for docker-java's usual lookup
   */
  public static void connectAhead(Optional<String> dockerHost) {
    EarlyConnection.JVM.begin(dockerHost, likelyAttaching());
  }

  /**
   * Whether the run will most likely attach to services left warm: {@code berth.reuse} is on as set outside JUnit
   * (where a developer turns it on), and the session it shares keeps services up. A hint only: the run's own
   * configuration decides, and reports bad values.
   */
  private static boolean likelyAttaching() {
    try {
      return BerthConfig.reuses(BerthConfig::fromSystem)
          && WarmServices.any(SessionDirectory.of(session(BerthConfig.fromSystem("berth.session"), true)));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The run's session: the one {@code berth.session} names, else the machine's for runs that reuse, else the build's. */
  private static String session(Optional<String> named, boolean reuses) {
    return named.orElseGet(() -> reuses ? BerthConfig.WARM_SESSION : SessionDirectory.ofThisBuild());
  }

  /** A new, empty scope: the services one owner holds. */
  public ServiceScope newScope() {
    return newScope("a scope of the run");
  }

  /** As {@link #newScope()}, for {@code owner} (a test class), as the run report names the services' users. */
  public ServiceScope newScope(String owner) {
    return new ServiceScope(table, owner);
  }

  /**
   * A scope that starts services ahead of the tests that need them: what it starts joins the session's DNS only
   * once a test takes it, so that it never takes a name (as {@code redis}) from a service a test is using.
   */
  public ServiceScope newScopeAhead() {
    return new ServiceScope(table, false, "a start ahead of the tests");
  }

  /**
   * Starts a client container from {@code spec}: its bindings are started (or joined) first and resolve in its
   * {@code /etc/hosts}. Without a command or entrypoint it idles until it is closed. Should a binding die (or one
   * of its own bindings), its execs fail at once, naming the service.
   */
  public Container newClient(String name, ServiceSpec client) {
    return newClient(name, client, Map.of());
  }

  /**
   * As {@link #newClient(String, ServiceSpec)}, for a client of {@code owner} (a test class): the services the owner
   * runs now resolve by their names in the client's {@code /etc/hosts} too, unless a binding takes the name. So a
   * client finds its own class's {@code redis}, not another class's of the same name, and finds it while the test
   * JVM, which serves the session's DNS, is paused.
   */
  public Container newClient(String name, ServiceSpec client, ServiceScope owner) {
    return newClient(name, client, owner.runningByName());
  }

  private Container newClient(String name, ServiceSpec client, Map<String, String> ownersServices) {
    Definition spec = SpecAccess.definition(client);
    ServiceScope bindings = newScope("client " + name);
    try {
      var hosts = new TreeMap<String, String>();
      ownersServices.forEach((serviceName, address) -> {
        if (HOSTS_NAME.matcher(serviceName).matches()) {
          hosts.put(serviceName, address);
        }
      });
      bindings.acquireEach(spec.serviceBindings());
      for (Map.Entry<String, Definition> binding : spec.serviceBindings().entrySet()) {
        hosts.put(binding.getKey(), bindings.acquire(binding.getKey(), binding.getValue()).address());
      }
      String id = containers.startClient(name, spec, hosts);
      return new ClientContainer(containers, id, "client '" + name + "' (" + spec.image() + ")",
          spec.workdir().orElse(null), bindings, bindings.death());
    } catch (RuntimeException e) {
      bindings.close();
      throw e;
    }
  }

  /**
   * Prepares, in the background, for services that are likely to be needed soon: connects to the engine (about
   * half a second in a fresh JVM, unless {@link #connectAhead} did), creates the run's network, notes which of
   * their images are present and has docker-java learn the engine's replies, so that the first service waits for
   * as little of it as can be. Starts no container and pulls nothing; a failure is left for the
   * first real need to report.
   */
  public void warmUp(Collection<ServiceSpec> likelyNeeded) {
    List<Definition> specs = likelyNeeded.stream().map(SpecAccess::definition).toList();
    try {
      executor.execute(() -> {
        try {
          Engine engine = backend();
          containers.prepare(specs);
          engine.learnEngineMessages();
        } catch (RuntimeException e) {
          LOG.debug("warm-up could not reach the engine; the first need will say why", e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("the run has ended; no warm-up");
    }
  }

  /**
   * Why no Docker engine answers its ping within {@code berth.pingTimeout}, or empty if one does; the first answer
   * is kept for the run, so tests that are skipped without an engine cost one connection attempt in all.
   */
  public Optional<String> engineProblem() {
    synchronized (closeLock) {
      if (engineReachable == null) {
        try {
          backend();
          engineReachable = true;
        } catch (BerthException e) {
          LOG.info("No Docker engine: {}", e.getMessage());
          engineReachable = false;
          engineProblem = e.getMessage();
        }
      }
      return engineReachable ? Optional.empty() : Optional.of(engineProblem);
    }
  }

  public BerthConfig config() {
    return config;
  }

  /** This run's id, the value of the {@code dev.berth.run} label on everything it creates. */
  public String runId() {
    return runId;
  }

  /**
   * The {@code dev.berth.session} label value of the run's resources. Runs of one session share service
   * containers across JVMs: {@code berth.session} when set, otherwise one per parent process, which groups the
   * Surefire forks of one build (and the test JVMs one IDE starts).
   */
  public String session() {
    return session;
  }

  /**
   * What a session keeps up for later runs ({@code berth.reuse}), a line a service; with {@code remove}, removes what
   * no live run holds first. For a command line: {@code BerthUp --list} and {@code --down}.
   */
  public static List<String> keptServices(BerthConfig config, boolean remove) {
    String session = config.session().orElse(BerthConfig.WARM_SESSION);
    try (Engine engine = DockerBackend.connect(config.dockerHost(), EngineDeadlines.of(config)).as(config)) {
      var lines = new java.util.ArrayList<String>();
      if (remove) {
        lines.add("Removed " + WarmServices.down(engine, session) + " service(s) of session " + session
            + " that no run holds");
      }
      lines.addAll(WarmServices.list(engine, session));
      return lines;
    }
  }

  /** Removes every container and the network of the run; waits for starts in progress to end first. */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      LOG.debug("closing from the shutdown hook");
    }
    table.close();
    timer.shutdownNow();
    executor.shutdownNow();
    try {
      Duration wait = config.stopTimeout().plusSeconds(10);
      if (!executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("Service starts did not end within {} ms; removing the run's containers anyway", wait.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    replicated.close();
    Engine engine;
    synchronized (closeLock) {
      engine = backend;
    }
    try {
      if (engine != null) {
        try {
          containers.close(engine);
        } finally {
          engine.close();
        }
      }
    } finally {
      config.report().ifPresent(this::writeReport);
    }
  }

  /** What the run recorded, for the test tool to add its classes and tests to. */
  public RunTimeline timeline() {
    return timeline;
  }

  /** Writes the run report, when the run has ended (passed, failed or cut short), and says where in one line. */
  private void writeReport(Path directory) {
    timeline.endOfRun();
    long began = System.nanoTime();
    try {
      RunReport.Written written = RunReport.write(directory, timeline, runId, session,
          SessionDirectory.ofThisBuild());
      LOG.info("Run report: {} ({} service(s), {} test class(es), {} failure(s){}; written in {} ms)",
          written.html().toAbsolutePath().toUri(), written.services(), written.classes(), written.failures(),
          written.runs() > 1 ? "; with " + (written.runs() - 1) + " other run(s) of this build" : "",
          (System.nanoTime() - began) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      LOG.warn("The run report could not be written to {}: {}. Set berth.report to a writable directory, or to false"
          + " for none", directory.toAbsolutePath(), e.toString());
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    var count = new AtomicInteger();
    return task -> {
      var thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
