package dev.berth.internal.session;

import dev.berth.internal.engine.DockerBackend;
import dev.berth.internal.engine.Engine;
import dev.berth.internal.spec.Labels;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The session's network, and the home of a session's life: what the JVMs of one build (Surefire's forks, say) agree
 * on, through the session directory's files and the engine's labels. Read it as that life:
 *
 * <ol>
 *   <li><b>Create or join.</b> The first run of the session that needs the network creates it; the others join it.
 *       The {@code network} mutex of the {@link SessionDirectory} makes "create or join" one step across JVMs, and the
 *       run's hold on {@link SessionDirectory#RUN} (locked for as long as the JVM lives) says the run is alive.
 *   <li><b>Holds.</b> Each run holds the definitions whose containers it uses, one lock file each; a container is
 *       shared by every run that holds its digest, and removed by the last to let go. The operating system drops a
 *       dead JVM's locks, so a hold that can be locked is stale.
 *   <li><b>DNS.</b> One JVM of the session serves its zone on the network's gateway; when it ends, the first other
 *       JVM to bind the port takes over ({@code RunDns} and {@code SessionDns}, in the dns package, above this one).
 *   <li><b>Watchdog.</b> The first join starts a {@link Watchdog} that waits for this JVM to exit; if it died with
 *       runs open, the watchdog removes what no live run holds, and tidies the directories of ended builds.
 *   <li><b>Sweep and leave.</b> The end of a run removes what the run left ({@link Sweep}, the same step as the
 *       watchdog's), gives up its hold on the session, and removes the network if no other run holds it
 *       ({@link #leave}).
 * </ol>
 */
public final class SessionNetwork {

  private final Supplier<Engine> engine;
  /** Whether the network keeps the engine's own DNS server, asked when the network is created. */
  private final BooleanSupplier engineDns;
  private final String runId;
  private final String session;
  private final Object lock = new Object();
  private volatile SessionDirectory directory;
  private volatile String name;
  private volatile String gateway;
  private volatile boolean lastOfSession;

  public SessionNetwork(Supplier<Engine> engine, String runId, String session) {
    this(engine, () -> true, runId, session);
  }

  /** @param engineDns whether the network keeps the engine's own DNS server (see Engine.createNetwork) */
  public SessionNetwork(Supplier<Engine> engine, BooleanSupplier engineDns, String runId, String session) {
    this.engine = engine;
    this.engineDns = engineDns;
    this.runId = runId;
    this.session = session;
  }

  /** The session's network name. */
  static String nameOf(String session) {
    return "berth-" + sessionKey(session);
  }

  /** The session's name as it may appear in the names of networks and containers. */
  public static String sessionKey(String session) {
    return session.replaceAll("[^a-zA-Z0-9_.-]", "-");
  }

  /**
   * The session's directory of leases and mutexes, which says which runs of the session are alive and which service
   * containers they hold; opened on first use, so that a run that starts nothing leaves no trace.
   */
  public SessionDirectory directory() {
    SessionDirectory opened = directory;
    if (opened == null) {
      synchronized (lock) {
        opened = directory;
        if (opened == null) {
          opened = new SessionDirectory(session, runId);
          directory = opened;
        }
      }
    }
    return opened;
  }

  /** The network's name, once this run has created or joined it; creates or joins it on the first call. */
  public String join() {
    String net = name;
    if (net == null) {
      synchronized (lock) {
        net = name;
        if (net == null) {
          net = nameOf(session);
          SessionDirectory sessionDirectory = directory();
          // Starting the watchdog (a copy of Berth's classes, a process) need not hold up the first container, nor
          // need tidying up after ended builds.
          var watchdog = new Thread(() -> {
            Watchdog.watchThisJvm();
            SessionDirectory.removeEndedSessions(SessionDirectory.base());
          }, "berth-watchdog-start");
          watchdog.setDaemon(true);
          watchdog.start();
          String created = net;
          sessionDirectory.locked("network", () -> {
            sessionDirectory.hold(SessionDirectory.RUN, "pid=" + ProcessHandle.current().pid() + "\nsession=" + session
                + "\ndockerHost=" + engine.get().host() + "\nengine=" + DockerBackend.kindOf(engine.get()) + "\n");
            return engine.get().createNetwork(created, Labels.of(runId, session, "network"),
                engineDns.getAsBoolean());
          });
          // Known before the name: DNS listens on it (see gateway()).
          gateway = engine.get().gateway(net);
          name = net;
        }
      }
    }
    return net;
  }

  /** Whether this run has joined the network (a run that started nothing has not). */
  public boolean joined() {
    return name != null;
  }

  /**
   * The host's address on the network: where containers reach the test JVM (its VIPs, relays, DNS). Known from
   * the moment the network is created or joined, before the run's DNS starts.
   */
  public String gateway() {
    String known = gateway;
    if (known == null) {
      join();
      known = gateway;
    }
    return known;
  }

  /**
   * Whether this run is the session's last alive: then its containers leave the network before they are removed, so
   * that the engine removes the network while it still removes them, rather than after.
   */
  public boolean lastRun() {
    return !directory().heldByOthers(SessionDirectory.RUN);
  }

  /** Takes a container off the network, so that the network can go before the container's removal ends. */
  public void disconnect(Engine backend, String containerId) {
    backend.disconnect(name, containerId);
  }

  /** Whether this run, leaving, was the session's last and removed its network. */
  public boolean endedTheSession() {
    return lastOfSession;
  }

  /**
   * Removes the session's private cache volumes ({@code withPrivateCacheVolume}) that no container uses: the
   * session has ended. Its last run, its watchdog and its keeper call this.
   */
  public static void removePrivateVolumes(Engine backend, String session) {
    backend.removeUnusedVolumes(Labels.SESSION, session);
  }

  /**
   * Gives up the run's lease on the session, and removes the network if no other run holds one. Called once the
   * run's containers have left the network. A run can also end while its warm-up creates the network: the end of the
   * run interrupts it after the run's lease was taken, and perhaps after the engine made the network; then the lease
   * goes here too, and the network with it if no other run of the session holds one.
   */
  public void leave(Engine backend) {
    SessionDirectory sessionDirectory = directory;
    if (sessionDirectory == null || !sessionDirectory.holds(SessionDirectory.RUN)) {
      return;
    }
    sessionDirectory.locked("network", () -> {
      try {
        // Services left up for later runs (berth.reuse) stay on it: their keeper removes it after the last.
        if (!sessionDirectory.heldByOthers(SessionDirectory.RUN) && !WarmServices.any(sessionDirectory.dir())) {
          backend.removeNetwork(nameOf(session));
          lastOfSession = true;
        }
      } finally {
        sessionDirectory.release(SessionDirectory.RUN);
      }
      return null;
    });
  }
}
