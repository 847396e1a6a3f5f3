package dev.berth.internal.session;

import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.DockerBackend;
import dev.berth.internal.engine.Engine;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans up after a JVM that dies without closing its runs ({@code kill -9}, a crashed fork). The first time the
 * JVM creates anything, it starts a process that waits for it to exit: a shell where there is one (it costs next
 * to nothing while the tests run), else this class. If the JVM left runs open (a {@code run} lease naming its
 * pid), this class runs from a copy of the runtime's classes and, for every such run, removes the run's clients,
 * the service containers no other live run of the session holds, and the session's network if no run of the
 * session is left. After a clean exit there is nothing left to do, and it just ends. It needs no image.
 */
final class Watchdog {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  private static final Object LOCK = new Object();
  private static final String SETSID = "/usr/bin/setsid";
  private static final String SHELL = "/bin/sh";
  /**
   * Waits, at next to no cost, until the JVM ($1) is gone; then, only if it left a run open (a run lease in a
   * session under $2 names its pid), runs the Java watchdog (the rest of the arguments) to clean up, logging to $3;
   * otherwise removes the JVM's copy of Berth's classes and ends.
   */
  private static final String WAIT_THEN_CLEAN = String.join("\n",
      "pid=$1; base=$2; log=$3; shift 3",
      "while kill -0 \"$pid\" 2>/dev/null; do sleep 1; done",
      "if grep -qsx \"pid=$pid\" \"$base\"/*/run.*.lease; then exec \"$@\" >>\"$log\" 2>&1; fi",
      "rm -rf \"$base/watchdog-$pid\"");
  private static boolean started;

  private Watchdog() {
  }

  /**
   * Starts a {@link Keeper} for the session's warm services, in a process of its own that outlives this JVM and the
   * build (its own session, forked), unless one runs already (it holds the keeper lock; a second one ends at once).
   */
  static void startKeeper(String session) {
    String copy = "keeper-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    try {
      Files.createDirectories(SessionDirectory.base());
      List<String> java = smallJvm(classpath(privateCopyOfBerth(copy)), Keeper.class, session, copy);
      File log = SessionDirectory.base().resolve(copy + ".log").toFile();
      var command = new ArrayList<String>();
      if (new File(SETSID).canExecute()) {
        command.addAll(List.of(SETSID, "--fork"));
      }
      command.addAll(java);
      new ProcessBuilder(command).redirectInput(new File("/dev/null")).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    } catch (IOException e) {
      LOG.warn("Cannot start Berth's keeper of warm services ({}); remove them by hand once you are done:"
          + " docker rm -f $(docker ps -aq --filter label=dev.berth.session={})", e.getMessage(), session);
    }
  }

  /** The command of a small JVM (little heap, quick start) that runs {@code main} with {@code args}. */
  private static List<String> smallJvm(String classpath, Class<?> main, String... args) {
    var command = new ArrayList<String>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, main.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /** Starts this JVM's watchdog, once; {@code -Dberth.watchdog=false} turns it off. */
  static void watchThisJvm() {
    synchronized (LOCK) {
      if (started || "false".equals(BerthConfig.fromSystem("berth.watchdog").orElse(null))) {
        return;
      }
      started = true;
    }
    long pid = ProcessHandle.current().pid();
    try {
      Files.createDirectories(SessionDirectory.base());
      List<String> java = smallJvm(classpath(pid), Watchdog.class, String.valueOf(pid));
      File log = SessionDirectory.base().resolve("watchdog-" + pid + ".log").toFile();
      if (new File(SETSID).canExecute() && new File(SHELL).canExecute()) {
        // Its own session, so a Ctrl-C to the build does not take it down too; forked, so this JVM's direct child
        // ends at once (the JVM waits up to 300 ms at exit while a thread of it waits for a child); and a shell
        // that waits, so that a JVM starts only when one died and left something to clean up.
        var command = new ArrayList<String>(List.of(SETSID, "--fork", SHELL, "-c", WAIT_THEN_CLEAN,
            "berth-watchdog", String.valueOf(pid), SessionDirectory.base().toString(), log.toString()));
        command.addAll(java);
        new ProcessBuilder(command).redirectInput(new File("/dev/null")).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      } else {
        new ProcessBuilder(java).redirectErrorStream(true).redirectOutput(log).start();
      }
    } catch (IOException e) {
      LOG.warn("Cannot start Berth's watchdog ({}); if this JVM is killed, remove its containers by hand:"
          + " docker rm -f $(docker ps -aq --filter label=dev.berth.session=...)", e.getMessage());
    }
  }

  public static void main(String[] args) throws Exception {
    long owner = Long.parseLong(args[0]);
    while (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
      Thread.sleep(500);
    }
    List<Path> leftBehind = runLeasesOf(owner);
    // The class copy goes when this JVM ends (its own classes are in it).
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        SessionDirectory.deleteTree(SessionDirectory.base().resolve("watchdog-" + owner))));
    if (leftBehind.isEmpty()) {
      // A clean exit: nothing to do, and nothing worth keeping a log of.
      Files.deleteIfExists(SessionDirectory.base().resolve("watchdog-" + owner + ".log"));
      return;
    }
    for (Path lease : leftBehind) {
      String content = SessionDirectory.readQuietly(lease);
      String session = field(content, "session");
      String dockerHost = field(content, "dockerHost");
      String name = lease.getFileName().toString();
      String run = name.substring("run.".length(), name.length() - ".lease".length());
      try (Engine backend = DockerBackend.connect(URI.create(dockerHost).toString(), field(content, "engine"))) {
        var directory = new SessionDirectory(session, "watchdog-" + owner);
        Sweep.of(backend, directory, session, run);
        directory.locked("network", () -> {
          directory.deleteLease(SessionDirectory.RUN, run);
          if (!directory.heldByOthers(SessionDirectory.RUN, run)) {
            backend.removeNetwork(SessionNetwork.nameOf(session));
            SessionNetwork.removePrivateVolumes(backend, session);
          }
          return null;
        });
        LOG.info("Removed what run {} of session {} left when JVM {} died", run, session, owner);
      } catch (RuntimeException e) {
        LOG.error("Cleaning up run {} of session {} failed", run, session, e);
      }
    }
  }

  /** Copies the jar or class directory Berth's runtime was loaded from to {@code <tmpdir>/berth/watchdog-<pid>}. */
  private static Path privateCopyOfBerth(long pid) throws IOException {
    return privateCopyOfBerth("watchdog-" + pid);
  }

  /** Copies Berth's runtime classes to {@code <tmpdir>/berth/<name>}: a jar, or a directory's tree. */
  static Path privateCopyOfBerth(String name) throws IOException {
    Path source;
    try {
      source = Path.of(Watchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException | RuntimeException e) {
      throw new IOException("cannot locate Berth's runtime classes", e);
    }
    Path copy = SessionDirectory.base().resolve(name);
    if (Files.isDirectory(source)) {
      try (var files = Files.walk(source)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Path target = copy.resolve(source.relativize(file).toString());
          if (Files.isDirectory(file)) {
            Files.createDirectories(target);
          } else {
            Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      return copy;
    }
    Files.createDirectories(copy);
    Path jar = copy.resolve("berth-runtime.jar");
    Files.copy(source, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return jar;
  }

  /** The run leases, in every session, that name the pid. */
  private static List<Path> runLeasesOf(long pid) throws IOException {
    var found = new ArrayList<Path>();
    if (!Files.isDirectory(SessionDirectory.base())) {
      return found;
    }
    try (DirectoryStream<Path> sessions = Files.newDirectoryStream(SessionDirectory.base(), Files::isDirectory)) {
      for (Path session : sessions) {
        for (Path lease : SessionDirectory.runLeasesIn(session)) {
          if (String.valueOf(pid).equals(field(SessionDirectory.readQuietly(lease), "pid"))) {
            found.add(lease);
          }
        }
      }
    }
    return found;
  }

  private static String field(String content, String key) {
    return content.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
        .findFirst().orElse("");
  }

  /**
   * The classpath to start the watchdog with: this JVM's; if that is a single jar, also the entries its manifest
   * names (Surefire's booter jar, or an IDE's, is such a jar, and a temporary file); and this JVM's module path.
   */
  private static String classpath(long pid) throws IOException {
    return classpath(privateCopyOfBerth(pid));
  }

  /** This JVM's classpath (see {@link #classpath(long)}), with {@code berth} (a private copy) first. */
  static String classpath(Path berth) throws IOException {
    var entries = new LinkedHashSet<String>();
    // Berth's own classes go first, as a private copy: a rebuild may replace them while the JVM runs, and the
    // watchdog loads most of them only when it is needed, after the JVM is gone.
    entries.add(berth.toString());
    String[] classpath = System.getProperty("java.class.path").split(File.pathSeparator);
    for (String entry : classpath) {
      entries.add(entry);
      // Only a launcher jar stands alone on a classpath. Reading the manifests of fifty ordinary jars would cost
      // about 100 ms of CPU while the first services start.
      if (classpath.length == 1 && entry.endsWith(".jar")) {
        try (var jar = new JarFile(entry)) {
          var manifest = jar.getManifest();
          String path = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
          if (path != null) {
            Path base = Path.of(entry).getParent();
            for (String item : path.trim().split("\\s+")) {
              URI uri = base.toUri().resolve(item);
              entries.add(Path.of(uri).toString());
            }
          }
        } catch (IOException | RuntimeException e) {
          LOG.debug("cannot read the manifest of {}", entry, e);
        }
      }
    }
    // On the module path (a modular application's tests), Berth and what it needs are there instead: on the
    // watchdog's classpath they work as well.
    String modulePath = System.getProperty("jdk.module.path");
    if (modulePath != null && !modulePath.isBlank()) {
      for (String entry : modulePath.split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          entries.add(entry);
        }
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
