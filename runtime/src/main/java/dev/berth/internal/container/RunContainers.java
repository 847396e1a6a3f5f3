package dev.berth.internal.container;

import dev.berth.BerthException;
import dev.berth.ExecResult;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.dns.DnsZone;
import dev.berth.internal.dns.RunDns;
import dev.berth.internal.engine.ContainerRequest;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.net.PublishedPorts;
import dev.berth.internal.report.Phase;
import dev.berth.internal.report.RunTimeline;
import dev.berth.internal.session.SessionDirectory;
import dev.berth.internal.session.SessionNetwork;
import dev.berth.internal.session.Sweep;
import dev.berth.internal.session.WarmServices;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.ImageReference;
import dev.berth.internal.spec.Labels;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's containers on the session's network, and the home of one service container's life (the table decides
 * when; this does it). Everything it creates carries the run's labels. Read it as that life:
 *
 * <ol>
 *   <li><b>Image.</b> The definition's image is pulled or built ({@link Images}), and its cache volumes made.
 *   <li><b>Create or join.</b> Under the digest's mutex, the run holds the digest and creates the session's one
 *       container of that definition, or joins it if another run of the session has it running.
 *   <li><b>Ready.</b> Its output and exit are followed ({@link ServiceOutputs}); {@link Readiness} checks it from
 *       inside the network; it is published in the session's DNS.
 *   <li><b>Stop.</b> A stop lets go of the digest; the last holder in any JVM removes the container, once its output
 *       has been quiet a moment.
 *   <li><b>End of run.</b> {@link #close} removes what the run holds and created, sweeps what a cut-short start left,
 *       and leaves the session's network (see {@link SessionNetwork}).
 * </ol>
 *
 * <p>Services of the test machine are relayed instead ({@link HostServices}); clients and the readiness probe are
 * containers of the run alone.
 */
public final class RunContainers implements ServiceStarter {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  private final Supplier<Engine> engine;
  private final BerthConfig config;
  private final String runId;
  private final String session;
  private final Set<String> containerIds = ConcurrentHashMap.newKeySet();
  private final Map<String, String> hostnames = new ConcurrentHashMap<>();
  /** The service containers published in DNS ({@link #announce}). */
  private final Set<String> announced = ConcurrentHashMap.newKeySet();
  private final AtomicInteger clientCount = new AtomicInteger();
  private final Object probeLock = new Object();
  /** Service containers this run holds, by digest: they may be shared with other runs of the session. */
  private final Map<String, String> services = new ConcurrentHashMap<>();
  /** The digests of the services this run reuses ({@code berth.reuse}): left up when the run lets go of them. */
  private final Set<String> warm = ConcurrentHashMap.newKeySet();
  /** Whether this run left a service up for later runs, which needs the keeper. */
  private volatile boolean leftWarm;
  /** The engine's events of the run's network, followed from the first service's start to the end of the run. */
  private Closeable networkWatch;
  private final SessionNetwork network;
  private final RunDns dns;
  private final Readiness readiness;
  private final ServiceOutputs outputs;
  private final CacheVolumes caches;
  private final Images images;
  private final Placement placement;
  private final HostServices hostServices;
  private volatile PortProbe probe;
  private final RunTimeline timeline;
  private boolean closed;

  public RunContainers(Supplier<Engine> engine, BerthConfig config, String runId, String session,
      RunTimeline timeline) {
    this.engine = engine;
    this.timeline = timeline;
    this.config = config;
    this.runId = runId;
    this.session = session;
    this.network = new SessionNetwork(engine, () -> !Placement.servesDnsOnPodman(config, engine.get()), runId,
        session);
    this.placement = new Placement(engine, config, network, this::attachAnchor);
    this.dns = new RunDns(network, session, placement::dnsWanted, config.dnsUpstream());
    this.outputs = new ServiceOutputs(engine);
    this.caches = new CacheVolumes(engine, session, runId);
    this.images = new Images(engine, config, network, timeline);
    this.hostServices = new HostServices(network, placement, dns);
    this.readiness = new Readiness(config, engine, this::probe, timeline);
  }

  @Override
  public RunningService start(String name, Definition spec, Map<String, String> boundHosts) {
    if (spec.hostTarget().isPresent()) {
      return hostServices.start(name, spec);
    }
    return startContainer(name, spec, boundHosts, List.of(), false);
  }

  /**
   * Starts one replica of a group as a service of its own, also known on the network by {@code groupNames}: the
   * engine's resolver answers each of those with every replica's address, in turn.
   */
  public RunningService startReplica(String name, Definition replica, Map<String, String> boundHosts,
      List<String> groupNames) {
    return startContainer(name, replica, boundHosts, groupNames, true);
  }

  /** Starts a service container; {@code announce} publishes it in DNS once ready, else {@link #announce} does. */
  private RunningService startContainer(String name, Definition spec, Map<String, String> boundHosts,
      List<String> groupNames, boolean announce) {
    long started = System.nanoTime();
    String what = "service " + RunningService.describe(name, spec);
    timeline.service(spec.digest(), name, spec.image(), spec.hostname());
    claimHostnames(what, spec);
    try {
      RunningService running = startContainer(name, spec, boundHosts, groupNames, started, what);
      if (announce) {
        announce(running);
      }
      return running;
    } catch (RuntimeException e) {
      releaseHostnames(spec);
      throw e;
    }
  }

  private RunningService startContainer(String name, Definition spec, Map<String, String> boundHosts,
      List<String> groupNames, long started, String what) {
    boolean reuse = config.reuses() && spec.reusable();
    // A container an earlier run left up is most likely still there: attaching needs no image, and the image check
    // (a fresh JVM's first inspection, about 100 ms) is left for the create that follows if it is gone after all.
    boolean likelyIdle = likelyIdle(spec);
    if (!likelyIdle) {
      timeline.enter(spec.digest(), Phase.IMAGE, "");
      images.ensure(spec, what);
    }
    // The startup timeout is the container's: a pull or build (which berth.pullTimeout limits) does not use it up.
    long imagePresent = System.nanoTime();
    timeline.enter(spec.digest(), Phase.CREATE, "");
    caches.ensure(spec);
    var labels = Labels.of(runId, session, "service");
    labels.put(Labels.DIGEST, spec.digest());
    labels.put(Labels.SERVICE, name);
    if (!groupNames.isEmpty()) {
      labels.put(Labels.GROUP, groupNames.get(0));
    }
    // One name per definition and session: the engine refuses a second container of that name, and the session
    // mutex makes the check-then-create below one step for every JVM of the session.
    var request = ContainerRequests.of(sessionContainerName(spec), images.engineImage(spec).toString(),
        spec.digestHostname(), spec, boundHosts, labels, false, caches.volumes(spec)).withAliases(groupNames);
    String net = network.join();
    watchNetwork(net);
    SessionDirectory directory = network.directory();
    boolean[] joined = {false};
    boolean[] wasIdle = {false};
    // A create where an attach was expected (the container was taken or removed meanwhile) checks the image first,
    // under the definition's mutex only.
    Supplier<Engine.StartedContainer> createFresh = () -> {
      if (likelyIdle) {
        images.ensure(spec, what);
      }
      return create(request, spec, what);
    };
    Engine.StartedContainer container = directory.locked(spec.digest(), () -> {
      directory.hold(spec.digest(), "run=" + runId + "\n");
      // An earlier run left it up: this run holds it now, so the keeper leaves it alone.
      wasIdle[0] = WarmServices.attached(directory, spec.digest());
      try {
        if (spec.hostPorts().isEmpty() && !wasIdle[0] && !caches.locks(spec)) {
          // Usually no other run has it: create first, and look for the other's container only if the name is taken.
          // One an earlier run left up is looked for first, and so is one that holds a locked cache (the run that
          // created it holds the lock, which this run would wait for).
          try {
            return createFresh.get();
          } catch (Engine.NameTakenException taken) {
            LOG.debug("{} exists in the session already", request.name());
          }
        }
        var existing = backend().findContainer(request.name(), net, request.ports());
        if (existing.isPresent() && existing.get().running()) {
          joined[0] = true;
          return existing.get().container();
        }
        existing.ifPresent(dead -> backend().remove(dead.container().id()));
        if (placement.publishedPorts().onThisMachine()) {
          requireFreeHostPorts(what, spec, placement.publishedPorts().bindAddress());
        }
        return createFresh.get();
      } catch (RuntimeException e) {
        directory.release(spec.digest());
        throw e;
      }
    });
    services.put(spec.digest(), container.id());
    if (reuse) {
      warm.add(spec.digest());
    }
    if (joined[0] && wasIdle[0]) {
      LOG.info("Service {} attaches to the container {} an earlier run left up (berth.reuse)",
          RunningService.describe(name, spec), request.name());
    } else if (joined[0]) {
      LOG.info("Service {} joins the session's running container {}", RunningService.describe(name, spec),
          request.name());
    }
    timeline.describe(spec.digest(), Phase.CREATE, joined[0] && wasIdle[0] ? "attached to " + request.name()
        + ", left up by an earlier run" : joined[0] ? "joined " + request.name() + " of another run" : "created "
        + request.name());
    if (joined[0]) {
      timeline.mark(spec.digest(), wasIdle[0] ? "attached" : "joined", request.name());
    }
    var logs = new LogTail("berth.service." + name);
    if (!joined[0]) {
      // A container another run started was ready there; its output here begins with its last lines only.
      spec.readyLogLine().ifPresent(logs::expect);
    }
    var exit = new CompletableFuture<Integer>();
    var logStream = new ServiceOutputs.LateStream();
    outputs.attach(container.id(), exit, logs, logStream, joined[0] ? LogTail.KEPT : null);
    var running = new RunningService(name, spec, container.id(), container.address(), container.hostPorts(),
        publishedPorts(container), logs, exit, logStream, operationsIn(container.id(), RunningService.describe(name,
        spec)));
    timeline.enter(spec.digest(), Phase.READINESS, "");
    // A service an earlier run left up was ready then: its reset runs while its readiness is checked again.
    FutureTask<ExecResult> resetting = joined[0] && wasIdle[0] && spec.resetCommand().isPresent()
        ? beginReset(running) : null;
    try {
      readiness.waitFor(running, container.healthcheck(), imagePresent);
      if (resetting != null) {
        finishReset(running, resetting);
      }
    } catch (RuntimeException e) {
      discard(running);
      throw e;
    }
    timeline.enter(spec.digest(), Phase.READY, "");
    LOG.info("Service {} ready at {} in {} ms", running.describe(), spec.hostname(),
        (System.nanoTime() - started) / 1_000_000);
    return running;
  }

  @Override
  public void announce(RunningService service) {
    if (service.containerId() != null && announced.add(service.containerId())) {
      dns.publish(service.dnsEntry());
    }
  }

  /**
   * Where this JVM reaches the container's published ports: where the run's placement says, but for a swarm task,
   * whose ports are on the node it runs on, unless {@code berth.hostAddress} names the place.
   */
  private PublishedPorts publishedPorts(Engine.StartedContainer container) {
    if (container.node().isEmpty() || config.hostAddress().isPresent()) {
      return placement.publishedPorts();
    }
    return PublishedPorts.at(container.node().get());
  }

  /**
   * Starts following the network's disconnections, once per run, on a thread of its own: in a fresh JVM, opening
   * docker-java's event stream took about 140 ms, which the run's first start (often a warm attach) waited for. A
   * disconnection in the moment before the watch begins goes unseen, as one before the run began would.
   */
  private void watchNetwork(String net) {
    synchronized (containerIds) {
      if (networkWatch != null || closed) {
        return;
      }
      networkWatch = () -> { }; // begun: taken by the thread below, or closed by the run's end before it
    }
    var watching = new Thread(() -> {
      Closeable watch;
      try {
        watch = backend().watchDisconnects(net, id -> cutOff(id, net));
      } catch (RuntimeException e) {
        LOG.warn("Cannot follow the run's network {} for containers taken off it: {}", net, e.toString());
        return;
      }
      synchronized (containerIds) {
        if (!closed) {
          networkWatch = watch;
          return;
        }
      }
      closeQuietly(watch);
    }, "berth-network-watch");
    watching.setDaemon(true);
    watching.start();
  }

  /**
   * A container left the run's network. Berth's own departures (a stop, the end of the run) let go of the service
   * first, and a container that exited is the exit watch's; but a running service cut off from the network (such as
   * by {@code docker network disconnect}) would answer no one for the rest of the run, with no word: it is removed,
   * as if it had died, so that its records leave DNS and the next test that needs it gets a new container.
   */
  private void cutOff(String containerId, String net) {
    synchronized (containerIds) {
      if (closed || !services.containsValue(containerId)) {
        return;
      }
    }
    boolean running = backend().findContainer(containerId, net, List.of())
        .map(Engine.ExistingContainer::running).orElse(false);
    if (running) {
      LOG.warn("Service container {} was taken off the run's network {} while it ran: nothing of the run can reach it."
          + " Removing it, as a service that died; the next test that needs it gets a new container", containerId,
          net);
      backend().remove(containerId);
    }
  }

  /**
   * Begins the spec's reset command in a service an earlier run left up, on a thread of its own: what that run left
   * in it goes. Run beside the readiness check, it takes that check's time (in a fresh JVM, 30-80 ms for postgres) off
   * the attach.
   */
  private FutureTask<ExecResult> beginReset(RunningService service) {
    var resetting = new FutureTask<>(() -> runReset(service));
    var thread = new Thread(resetting, "berth-reset");
    thread.setDaemon(true);
    thread.start();
    return resetting;
  }

  /**
   * Waits for the reset begun beside the readiness check, once the service is ready. One that failed then (the
   * service was not ready after all, say) runs once more, now that it is; a second failure fails the start.
   */
  private void finishReset(RunningService service, FutureTask<ExecResult> resetting) {
    ExecResult result;
    try {
      result = resetting.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while resetting service " + service.describe(), e);
    } catch (ExecutionException e) {
      LOG.debug("the reset of {} failed beside its readiness check; running it again", service.describe(), e);
      result = null;
    }
    if (result == null || result.exitCode() != 0) {
      result = runReset(service);
    }
    List<String> command = service.spec().resetCommand().orElseThrow();
    if (result.exitCode() != 0) {
      throw new BerthException("The reset command " + command + " of service " + service.describe() + " exited"
          + " with code " + result.exitCode() + " when this run attached to the container an earlier run left up: "
          + (result.stderr().isBlank() ? result.stdout() : result.stderr()).strip() + ". Fix the command, or"
          + " remove the container to start afresh");
    }
    LOG.info("Service {}: reset by {}", service.describe(), command);
    timeline.mark(service.spec().digest(), "reset", String.join(" ", command));
  }

  private ExecResult runReset(RunningService service) {
    return exec(service.containerId(), service.spec().resetCommand().orElseThrow(), null,
        "service " + service.describe(), "Give its full path, or a command the image has");
  }

  /** Fails fast, naming the port, when a fixed host port is taken (the engine's own error comes later and vaguer). */
  private static void requireFreeHostPorts(String what, Definition spec, String address) {
    spec.hostPorts().forEach((containerPort, hostPort) -> {
      try (var socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(address, hostPort));
      } catch (IOException e) {
        throw new BerthException("Host port " + hostPort + " for port " + containerPort + " of " + what
            + " is taken on " + address + " (" + e.getMessage() + "). Stop what holds it (ss -ltnp 'sport = :"
            + hostPort + "'), or choose another port with withHostPort(...)", e);
      }
    });
  }

  /**
   * Stops the service, or only lets go of it when another run of the session still holds its container: the last
   * holder in any JVM stops it.
   */
  @Override
  public void stop(RunningService service) {
    stop(service, config.stopTimeout());
  }

  /** A reused service stays up for later runs (unless another run holds it, then it stays for that one). */
  @Override
  public void release(RunningService service) {
    if (!warm.contains(service.spec().digest())) {
      stop(service);
      return;
    }
    LOG.debug("Leaving service {} up for later runs (berth.reuse)", service.describe());
    releaseShared(backend(), service.spec().digest(), config.stopTimeout(), id -> { }, true);
    outputs.letGo(service.containerId());
    discard(service);
  }

  @Override
  public void stop(RunningService service, Duration timeout) {
    if (service.spec().hostTarget().isPresent()) {
      hostServices.stop(service);
      return;
    }
    LOG.debug("Stopping service {} ({} ms after its stop signal it is killed)", service.describe(), timeout.toMillis());
    long deadline = System.nanoTime() + ServiceOutputs.OUTPUT_DRAIN.toNanos();
    long backlogDeadline = System.nanoTime() + ServiceOutputs.OUTPUT_BACKLOG.toNanos();
    if (releaseShared(backend(), service.spec().digest(), timeout, id -> outputs.awaitQuiet(id, backlogDeadline))) {
      LOG.debug("Service {} is still used by another run of the session; left running", service.describe());
      outputs.letGo(service.containerId());
    } else {
      outputs.awaitOutputs(Set.of(service.containerId()), deadline);
      outputs.forget(service.containerId());
    }
    discard(service);
  }

  /**
   * Gives up this run's hold on a service container; removes the container (after its stop signal and at most
   * {@code stopTimeout}; zero kills it at once) unless another run still holds it. Returns whether another run does.
   */
  private boolean releaseShared(Engine backend, String digest, Duration stopTimeout) {
    return releaseShared(backend, digest, stopTimeout, id -> { }, false);
  }

  /** As above; {@code beforeRemoval} gets the container's id, under the digest's mutex, if it is to be removed. */
  private boolean releaseShared(Engine backend, String digest, Duration stopTimeout,
      Consumer<String> beforeRemoval) {
    return releaseShared(backend, digest, stopTimeout, beforeRemoval, false);
  }

  /**
   * As above; {@code keepWarm} leaves a reused service's container up for later runs instead of removing it (and
   * says so: another run "holds" it).
   */
  private boolean releaseShared(Engine backend, String digest, Duration stopTimeout,
      Consumer<String> beforeRemoval, boolean keepWarm) {
    String id = services.remove(digest);
    if (id == null) {
      return false;
    }
    SessionDirectory directory = network.directory();
    try {
      boolean keptForOthers = directory.locked(digest, () -> {
        directory.release(digest);
        if (directory.heldByOthers(digest)) {
          containerIds.remove(id);
          timeline.end(digest, "handed-over");
          return true;
        }
        if (keepWarm && warm.remove(digest)) {
          WarmServices.markIdle(directory, digest, config.reuse(), backend);
          containerIds.remove(id);
          leftWarm = true;
          timeline.end(digest, "left-warm");
          return true;
        }
        timeline.enter(digest, Phase.STOPPING, "");
        beforeRemoval.accept(id);
        if (!stopTimeout.isZero()) {
          backend.stop(id, stopTimeout);
        } else if (backend.podman()) {
          // Stopped, not removed at once: its output is read again before it goes (ServiceOutputs.catchUp).
          backend.stop(id, Duration.ZERO);
        }
        outputs.catchUp(backend, id);
        backend.remove(id);
        containerIds.remove(id);
        timeline.end(digest, "stopped");
        return false;
      });
      // Whether it went, stays warm or stays for another run, this run no longer uses it.
      caches.unlock(digest);
      return keptForOthers;
    } catch (RuntimeException e) {
      // Cut short (the end of the run interrupts stops in progress): leave it for close() to finish.
      services.putIfAbsent(digest, id);
      throw e;
    }
  }

  /** Global hostnames are the run's: two different services cannot share one. */
  private void claimHostnames(String what, Definition spec) {
    var claimed = new ArrayList<String>();
    for (String hostname : spec.globalHostnames()) {
      String holder = hostnames.putIfAbsent(hostname, spec.digest());
      if (holder != null && !holder.equals(spec.digest())) {
        claimed.forEach(h -> hostnames.remove(h, spec.digest()));
        throw new BerthException("Hostname '" + hostname + "' of " + what + " is taken in this run by another"
            + " service (digest " + holder.substring(0, 12) + "); give each service its own global hostname");
      }
      claimed.add(hostname);
    }
  }

  private void releaseHostnames(Definition spec) {
    spec.globalHostnames().forEach(h -> hostnames.remove(h, spec.digest()));
  }

  /**
   * Joins the run's network and notes which of the specs' images are present; see ServiceRuntime.warmUp. Those an
   * earlier run left up are left out: their attach needs no image, and the check would compete with it for the CPU.
   */
  public void prepare(List<Definition> specs) {
    images.prepare(specs.stream().filter(spec -> !likelyIdle(spec)).toList());
  }

  /** Whether an earlier run most likely left the definition's container up, idle, for this run to attach to. */
  private boolean likelyIdle(Definition spec) {
    return config.reuses() && spec.reusable() && WarmServices.idle(network.directory(), spec.digest());
  }

  /**
   * Fails where this JVM does not share the engine's network, for what needs it (host services, replicas): says
   * {@code problem}, why, and {@code instead}, or to run the tests beside an engine whose network they share.
   */
  public void requireSharedNetwork(String problem, String instead) {
    placement.requireSharedNetwork(problem, instead);
  }

  /** Whether services run as Docker Swarm services ({@code berth.engine=swarm}). */
  public boolean onSwarm() {
    return backend().swarm();
  }

  /** The host's address on the run's network: where containers reach the test JVM (its VIPs, relays, DNS). */
  public String gateway() {
    return network.gateway();
  }

  /** The run's records in the session's DNS zone, if the session has DNS. */
  public Optional<DnsZone> zone() {
    return dns.zone();
  }

  /** Starts a client container for one test; the caller resolves its bindings and removes it with {@link #remove}. */
  public String startClient(String name, Definition spec, Map<String, String> boundHosts) {
    String image = images.ensure(spec, "client '" + name + "'");
    boolean idle = spec.command().isEmpty() && spec.entrypoint().isEmpty();
    var request = ContainerRequests.of(containerName("client-" + clientCount.incrementAndGet()), image,
        "client-" + runId, spec, boundHosts, Labels.of(runId, session, "client"), idle, caches.volumes(spec));
    return create(request).id();
  }

  /** The command of an exec, as the public {@code exec(String...)} methods take it. */
  public static List<String> command(String... command) {
    Objects.requireNonNull(command, "command");
    if (command.length == 0) {
      throw new IllegalArgumentException("exec() needs a command, for example exec(\"sh\", \"-c\", \"echo hi\")");
    }
    return List.of(command);
  }

  /** What a handle does in a service's own container: the engine's calls, limited by {@code berth.execTimeout}. */
  private ServiceOperations operationsIn(String containerId, String described) {
    String where = "service " + described;
    return new ServiceOperations() {
      @Override
      public String output() {
        return backend().output(containerId, config.execTimeout(), where);
      }

      @Override
      public ExecResult exec(List<String> command) {
        return RunContainers.this.exec(containerId, command, null, where, "Give its full path, or run it in a"
            + " client container of an image that has it, with the service bound");
      }

      @Override
      public byte[] readFile(String path) {
        return RunContainers.this.readFile(containerId, path, where);
      }
    };
  }

  /**
   * Runs a command in a client or service container, at most {@code berth.execTimeout}.
   *
   * @param remedy what to do if the image has not the command, for the message
   */
  public ExecResult exec(String containerId, List<String> command, String workdir, String where, String remedy) {
    return exec(containerId, command, workdir, where, remedy, new CompletableFuture<>());
  }

  /** As above, abandoned once {@code abandonWhen} completes (see {@link Engine.ExecAbandoned}). */
  public ExecResult exec(String containerId, List<String> command, String workdir, String where, String remedy,
      CompletableFuture<?> abandonWhen) {
    try {
      return backend().exec(containerId, command, workdir, config.execTimeout(), "berth.execTimeout", where,
          abandonWhen);
    } catch (Engine.CommandCannotRun e) {
      throw new BerthException(e.getMessage() + ". " + remedy, e);
    } catch (Engine.ExecTimedOut e) {
      throw new BerthException(e.getMessage() + ". Raise berth.execTimeout, or run long commands in the background",
          e);
    }
  }

  public byte[] readFile(String containerId, String path, String where) {
    return backend().readFile(containerId, path, where);
  }

  public void writeFile(String containerId, String path, byte[] contents, String where) {
    backend().writeFile(containerId, path, contents, where);
  }

  /** Kills the container at once, leaving it for {@link #remove}. */
  public void kill(String containerId) {
    backend().stop(containerId, Duration.ZERO);
  }

  public void remove(String containerId) {
    backend().remove(containerId);
    containerIds.remove(containerId);
  }

  /**
   * Removes every container of the run (killing, not stopping gently: the run is over) and anything else that
   * carries the run's label, and, if no other run of the session is alive, the network as soon as they have left
   * it. Takes the engine from the closing runtime.
   */
  public void close(Engine backend) {
    synchronized (containerIds) {
      closed = true;
      if (networkWatch != null) {
        closeQuietly(networkWatch);
      }
    }
    dns.stop();
    if (!network.joined()) {
      network.leave(backend);
      return;
    }
    outputs.awaitAttachments();
    long outputDeadline = System.nanoTime() + ServiceOutputs.OUTPUT_DRAIN.toNanos();
    long backlogDeadline = System.nanoTime() + ServiceOutputs.OUTPUT_BACKLOG.toNanos();
    Set<String> removed = ConcurrentHashMap.newKeySet();
    SessionDirectory directory = network.directory();
    // The session's last run removes the network too. Its containers leave the network first then, so that the
    // engine removes the network while it still removes them, rather than after: about 100 ms sooner.
    boolean leaveFirst = network.lastRun();
    // Blocking engine calls, one thread each: the common pool may have a single thread on a small machine.
    ExecutorService closing = Executors.newCachedThreadPool(runnable -> {
      var thread = new Thread(runnable, "berth-close");
      thread.setDaemon(true);
      return thread;
    });
    try {
      var work = new ArrayList<CompletableFuture<Void>>();
      var departures = new ArrayList<CompletableFuture<Void>>();
      Set<String> digests = Set.copyOf(services.keySet());
      Set<String> shared = Set.copyOf(services.values());
      var inHand = new HashSet<String>(containerIds);
      inHand.addAll(shared);
      for (String digest : digests) {
        // A reused service stays up for later runs: it neither leaves the network nor goes.
        work.add(departing(left -> releaseShared(backend, digest, Duration.ZERO, id -> {
          outputs.awaitQuiet(id, backlogDeadline);
          leave(backend, id, leaveFirst, left);
          removed.add(id);
        }, true), departures, closing));
      }
      for (String id : List.copyOf(containerIds)) {
        if (!shared.contains(id)) {
          work.add(departing(left -> {
            leave(backend, id, leaveFirst, left);
            backend.remove(id);
          }, departures, closing));
        }
      }
      CompletableFuture<Void> swept = CompletableFuture.runAsync(
          () -> Sweep.except(backend, directory, session, runId, digests, inHand), closing);
      departures.add(swept);
      work.add(swept);
      // Whatever failed above, the run ends here: its lease goes, and the last run of the session takes the network.
      // The mutex is taken on a thread of its own, inside no other (see SessionDirectory).
      work.add(CompletableFuture.allOf(departures.toArray(CompletableFuture[]::new))
          .handleAsync((done, failure) -> {
            network.leave(backend);
            return null;
          }, closing));
      CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).join();
      containerIds.clear();
      outputs.awaitOutputs(removed, outputDeadline);
      outputs.forgetAll();
    } finally {
      closing.shutdown();
    }
    caches.unlockAll();
    if (network.endedTheSession()) {
      SessionNetwork.removePrivateVolumes(backend, session);
    }
    if (leftWarm) {
      // Removes what stays idle past berth.reuse, even if no run comes again.
      WarmServices.startKeeper(session);
    }
    if (config.pruneCacheVolumes()) {
      List<String> pruned = backend.removeUnusedVolumes(Labels.CACHE, "true");
      LOG.info("berth.cacheVolumes.prune: removed cache volumes {}", pruned);
    }
  }

  /**
   * Runs a removal on a thread of its own. The future it adds to {@code departures} completes once the container has
   * left the network (the removal says when), or at the latest when the removal ends.
   */
  private static CompletableFuture<Void> departing(Consumer<CompletableFuture<Void>> removal,
      List<CompletableFuture<Void>> departures, ExecutorService executor) {
    var left = new CompletableFuture<Void>();
    departures.add(left);
    return CompletableFuture.runAsync(() -> {
      try {
        removal.accept(left);
      } finally {
        left.complete(null);
      }
    }, executor);
  }

  /**
   * A container about to be removed leaves the network first, if asked to, and says so. (Should that fail,
   * {@link #departing} says so once the removal ends.)
   */
  private void leave(Engine backend, String id, boolean leaveFirst, CompletableFuture<Void> left) {
    if (leaveFirst) {
      network.disconnect(backend, id);
    }
    left.complete(null);
  }

  /** Closes, logging a failure at debug level: for what is closed on the way out. */
  public static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing failed", e);
    }
  }

  /** The engine, connected on first use: a run that starts nothing never needs one. */
  private Engine backend() {
    return engine.get();
  }

  /** Creates a service container, turning the engine's refusal into a message that names the service. */
  private Engine.StartedContainer create(ContainerRequest request, Definition spec, String what) {
    caches.lock(spec, what, spec.startupTimeout().orElse(config.startupTimeout()));
    try {
      return create(request);
    } catch (BerthException | Engine.NameTakenException e) {
      caches.unlock(spec.digest());
      throw e;
    } catch (RuntimeException e) {
      caches.unlock(spec.digest());
      String reason = Engine.rootMessage(e);
      throw new BerthException("The engine could not start " + what + " (" + spec.startedAs() + "): "
          + reason + (reason.contains("already allocated") || reason.contains("already in use")
              ? ". A fixed host port of it (" + spec.hostPorts().values() + ") is taken; free it or"
                  + " choose another with withHostPort(...)" : ""), e);
    }
  }

  private Engine.StartedContainer create(ContainerRequest request) {
    return track(backend().createAndStart(request, network.join(), dns.settings(),
        placement.publishedPorts().bindAddress()));
  }

  /** Notes a container of the run for its end, or removes it if the run has ended meanwhile. */
  private Engine.StartedContainer track(Engine.StartedContainer container) {
    synchronized (containerIds) {
      if (!closed) {
        containerIds.add(container.id());
        return container;
      }
    }
    backend().remove(container.id());
    throw new BerthException("Container " + container.id() + " was created after the run ended; removed it");
  }

  /** Ends a service that is not to be stopped gently: a start that failed, or the end of the run. */
  public void discard(RunningService service) {
    if (service.spec().hostTarget().isPresent()) {
      hostServices.stop(service);
      return;
    }
    try {
      service.logStream().close();
    } catch (IOException e) {
      LOG.debug("closing the log stream of {} failed", service.describe(), e);
    }
    releaseHostnames(service.spec());
    dns.withdraw(service.dnsEntry());
    announced.remove(service.containerId());
    releaseShared(backend(), service.spec().digest(), Duration.ZERO);
  }

  /** The one name a definition's container has in the session. */
  private String sessionContainerName(Definition spec) {
    return "berth-" + SessionNetwork.sessionKey(session) + "-" + spec.digest().substring(0, 16);
  }

  private PortProbe probe() {
    PortProbe p = probe;
    if (p == null) {
      synchronized (probeLock) {
        p = probe;
        if (p == null) {
          p = newProbe();
          probe = p;
        }
      }
    }
    return p;
  }

  private PortProbe newProbe() {
    boolean direct = switch (config.readiness()) {
      case DIRECT -> true;
      case EXEC -> false;
      case AUTO -> placement.engineLocation().sharesNetwork();
    };
    if (direct) {
      return PortProbe.direct();
    }
    return PortProbe.exec(backend(), create(idleRequest("probe", "the readiness probe")).id());
  }

  /**
   * Starts an idle container of the run on its network, kept until the run ends: on Podman the network's bridge, and
   * with it the gateway's address, exists only while a container is attached. Created without DNS and ports, which
   * wait for the placement this serves.
   */
  private void attachAnchor() {
    // No port to publish, so no address to publish on.
    track(backend().createAndStart(idleRequest("anchor", "the network's anchor"), network.join(), null, "127.0.0.1"));
  }

  /** The request for an idle container of the run in {@code role} (the probe, the anchor), of the probe image. */
  private ContainerRequest idleRequest(String role, String what) {
    Definition spec = Definition.ofImage(ImageReference.parse(config.probeImage()));
    String image = images.ensure(spec, what);
    return ContainerRequests.of(containerName(role), image, role + "-" + runId, spec, Map.of(),
        Labels.of(runId, session, role), true, Map.of());
  }

  private String containerName(String suffix) {
    return ("berth-" + runId + "-" + suffix).replaceAll("[^a-zA-Z0-9_.-]", "-");
  }
}
