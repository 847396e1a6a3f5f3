package dev.berth.internal.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files through which the JVMs of one session (the forks of one build, say) agree about the containers they
 * share, in {@code <tmpdir>/berth/<session>/}:
 *
 * <ul>
 *   <li>{@code <key>.mutex}: locked while one run decides whether to create, join, or remove the thing named by the
 *       key, so that two JVMs never both create a service container, or remove one the other just joined;</li>
 *   <li>{@code <key>.<run>.lease}: a run's hold on the key, kept locked for as long as the hold lasts. The operating
 *       system drops the lock when the JVM dies, even by {@code kill -9}, so a lease that can be locked by someone
 *       else is stale: that is how users are counted across processes without trusting anyone to clean up.</li>
 *   <li>{@code <key>.<run>.records}: what a run publishes under a key it holds (its DNS records, say), for the
 *       other JVMs; read only while the run's lease on the key is live.</li>
 * </ul>
 */
public final class SessionDirectory {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /** File locks belong to the JVM, not to a thread: runs in one JVM take this lock first. */
  private static final Map<Path, ReentrantLock> JVM_MUTEXES = new ConcurrentHashMap<>();
  /**
   * The leases this JVM's runs hold. On Linux, closing any descriptor of a file drops every lock the process holds
   * on it, so probing a lease of another run of this JVM by opening it would silently end that run's lease for the
   * other JVMs of the session (they would take the run for dead). A lease listed here is live without a look;
   * taking, probing and giving up leases synchronise on this set, so a probe never opens a lease being taken.
   */
  private static final Set<Path> HELD_IN_JVM = new HashSet<>();
  /** The key of a run's lease on the session: held while the run is alive, read by its watchdog if it dies. */
  public static final String RUN = "run";
  /** The key under which each run publishes its DNS records for the session's zone. */
  public static final String DNS_RECORDS = "dns";
  private static final Pattern BUILD_SESSION = Pattern.compile("build-(\\d{1,18})-([0-9a-z]+)");
  private static final Pattern JVM_SESSION = Pattern.compile("jvm-(\\d{1,18})");
  /** About ten seconds of refusals (see {@link #lock}) before one is taken for a real deadlock. */
  private static final int DEADLOCK_RETRIES = 1500;

  private final Path dir;
  private final String runId;
  private final Map<String, HeldLease> held = new ConcurrentHashMap<>();

  public SessionDirectory(String session, String runId) {
    this.dir = of(session);
    this.runId = runId;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Berth's session directory " + dir, e);
    }
  }

  /** The directory of {@code session}, made or not. */
  public static Path of(String session) {
    return base().resolve(session.replaceAll("[^a-zA-Z0-9_.-]", "_"));
  }

  /**
   * Where the sessions of this machine's user live: one directory per user, since the temporary directory is the
   * machine's, and the first user to make a shared one would keep every other out (a CI agent beside a developer, a
   * rootless engine's user beside root). Sessions, leases and watchdogs are a user's own.
   */
  public static Path base() {
    String user = System.getProperty("user.name", "").replaceAll("[^a-zA-Z0-9_.-]", "_");
    return Path.of(System.getProperty("java.io.tmpdir"), user.isEmpty() ? "berth" : "berth-" + user);
  }

  /**
   * The session of this JVM when none is named: one per build process (the forks of one build, the test JVMs one
   * IDE starts), told apart from a later process with the same pid by that process's start time.
   */
  public static String ofThisBuild() {
    return buildProcess()
        .map(build -> "build-" + build.pid() + "-" + startOf(build))
        .orElse("jvm-" + ProcessHandle.current().pid());
  }

  /** The shells a build may start its test JVMs through. */
  private static final Set<String> SHELLS = Set.of("sh", "dash", "bash", "ash", "zsh", "ksh");

  /**
   * The process that started this JVM, for a build: its parent, or the parent's parent where the parent is a shell,
   * as Surefire starts each fork through {@code /bin/sh -c}: otherwise every fork would be a build of its own.
   */
  static Optional<ProcessHandle> buildProcess() {
    Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    boolean shell = parent.flatMap(p -> p.info().command())
        .map(command -> SHELLS.contains(Path.of(command).getFileName().toString())).orElse(false);
    return shell ? parent.flatMap(ProcessHandle::parent).or(() -> parent) : parent;
  }

  private static String startOf(ProcessHandle process) {
    return Long.toString(process.info().startInstant().map(Instant::toEpochMilli).orElse(0L), 36);
  }

  /**
   * Removes the directories of sessions that no run can join again: those named after a build's process by
   * {@link #ofThisBuild} whose process has ended (or whose pid now belongs to another process), and in which no run
   * lease is left. A run lease outlives its build's process while the JVM goes on for a moment (a fork whose build
   * was killed) or while a watchdog has yet to clean up after a killed one, and says which containers to remove. A
   * session named by the user may be used again by a later build, so its directory stays: a few empty lock files.
   */
  static void removeEndedSessions(Path base) {
    try (DirectoryStream<Path> sessions = Files.newDirectoryStream(base, "{build,jvm}-*")) {
      for (Path session : sessions) {
        try {
          if (hasEnded(session.getFileName().toString()) && runLeasesIn(session).isEmpty()) {
            deleteTree(session);
          }
        } catch (IOException e) {
          // another JVM tidies it at the same time
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // nothing to tidy
    }
  }

  private static boolean hasEnded(String session) {
    Matcher build = BUILD_SESSION.matcher(session);
    if (build.matches()) {
      Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(build.group(1)));
      return parent.isEmpty() || !startOf(parent.get()).equals(build.group(2));
    }
    Matcher jvm = JVM_SESSION.matcher(session);
    return jvm.matches() && ProcessHandle.of(Long.parseLong(jvm.group(1))).isEmpty();
  }

  /** The run leases in a session's directory, live or left by dead runs for their watchdogs. */
  static List<Path> runLeasesIn(Path session) throws IOException {
    var leases = new ArrayList<Path>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(session, RUN + ".*.lease")) {
      files.forEach(leases::add);
    }
    return leases;
  }

  /** Deletes a directory and everything under it, as far as it can; for what nobody uses any more. */
  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("cannot delete {}", root, e);
    }
  }

  public Path dir() {
    return dir;
  }

  /**
   * Runs {@code action} while no other run, in this JVM or another, holds the key's mutex. Never take one key's
   * mutex inside another's: two JVMs doing so in opposite orders would deadlock for real. Different threads of one
   * JVM may hold different mutexes at once (see {@link #lock} for what the kernel makes of that).
   */
  public <T> T locked(String key, Supplier<T> action) {
    Path path = dir.resolve(key + ".mutex");
    ReentrantLock jvmMutex = JVM_MUTEXES.computeIfAbsent(path, p -> new ReentrantLock());
    jvmMutex.lock();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lock(channel)) {
      return action.get();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot lock " + path, e);
    } finally {
      jvmMutex.unlock();
    }
  }

  /**
   * Locks the whole file, waiting for it; retries a refusal as a deadlock. The kernel counts file locks per
   * process, so a JVM in which one thread holds a mutex while another thread waits for a second one looks like a
   * deadlock beside a JVM doing the same the other way round, though no thread waits for itself: one of the two
   * waits is refused ("Resource deadlock avoided"). The refusal passes as soon as either holder is done, and since
   * no thread takes one mutex inside another, one of them always is.
   */
  private static FileLock lock(FileChannel channel) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return channel.lock();
      } catch (IOException e) {
        if (attempt >= DEADLOCK_RETRIES || !String.valueOf(e.getMessage()).contains("deadlock")) {
          throw e;
        }
      }
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(2, 12));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("Interrupted while waiting for a session lock");
      }
    }
  }

  /** Takes this run's lease on the key (idempotent), writing {@code content} into it for whoever reads it. */
  public void hold(String key, String content) {
    held.computeIfAbsent(key, k -> {
      Path path = leasePath(k, runId);
      synchronized (HELD_IN_JVM) {
        FileChannel channel = null;
        try {
          channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
          FileLock lock = channel.lock();
          channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
          HELD_IN_JVM.add(path);
          return new HeldLease(path, channel, lock);
        } catch (IOException e) {
          // Interrupted at the end of the run, say: the file is this run's alone, and no lease without its lock.
          if (channel != null) {
            try {
              channel.close();
            } catch (IOException ignored) {
              // closed by the interrupt already
            }
          }
          deleteQuietly(path);
          throw new UncheckedIOException("Cannot take the lease " + path, e);
        }
      }
    });
  }

  /** Gives up this run's lease on the key, if it holds one, and what it published under it. */
  public void release(String key) {
    HeldLease lease = held.remove(key);
    if (lease != null) {
      deleteQuietly(recordsPath(key, runId));
      lease.close();
    }
  }

  /**
   * Publishes {@code content} under the key, replacing what this run published there before, and takes the run's
   * lease on the key if it has none. Readers see the old content or the new, never a mix: it is written aside and
   * moved into place.
   */
  public void publish(String key, String content) {
    hold(key, "");
    Path records = recordsPath(key, runId);
    Path written = dir.resolve(records.getFileName() + ".new");
    try {
      Files.writeString(written, content);
      Files.move(written, records, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot publish " + records, e);
    }
  }

  /**
   * What the live runs of the session (this one too) published under the key, by run; a dead run's is deleted.
   */
  public Map<String, String> published(String key) {
    var contents = new TreeMap<String, String>();
    for (Path lease : leases(key)) {
      String run = runOf(key, lease);
      Path records = recordsPath(key, run);
      if (isLive(lease)) {
        try {
          contents.put(run, Files.readString(records));
        } catch (IOException e) {
          // published nothing yet, or released it just now
        }
      } else {
        deleteLease(key, run);
      }
    }
    return contents;
  }

  /**
   * Whether a run other than {@code exceptRun} holds a live lease on the key. Stale leases are deleted, except a dead
   * run's {@code run} lease: its watchdog reads it to know what to remove, and deletes it once it has.
   */
  public boolean heldByOthers(String key, String exceptRun) {
    boolean live = false;
    for (Path lease : leases(key)) {
      String owner = runOf(key, lease);
      if (owner.equals(exceptRun)) {
        continue;
      }
      if (isLive(lease)) {
        live = true;
      } else if (!RUN.equals(key)) {
        deleteQuietly(lease);
      }
    }
    return live;
  }

  public boolean heldByOthers(String key) {
    return heldByOthers(key, runId);
  }

  /** Whether this run holds a lease on the key. */
  boolean holds(String key) {
    return held.containsKey(key);
  }

  /** The keys a run holds (or held, if it died) leases on. */
  public List<String> keysHeldBy(String run) {
    var keys = new ArrayList<String>();
    String suffix = "." + run + ".lease";
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + suffix)) {
      files.forEach(f -> {
        String name = f.getFileName().toString();
        keys.add(name.substring(0, name.length() - suffix.length()));
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return keys;
  }

  /** Deletes a dead run's lease on the key, and what it published under it. */
  public void deleteLease(String key, String run) {
    deleteQuietly(recordsPath(key, run));
    deleteQuietly(leasePath(key, run));
  }

  static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  private List<Path> leases(String key) {
    var found = new ArrayList<Path>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob(key) + ".*.lease")) {
      files.forEach(found::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  private static String glob(String key) {
    return key.replaceAll("[*?\\[\\]{}\\\\]", "_");
  }

  private static String runOf(String key, Path lease) {
    String name = lease.getFileName().toString();
    return name.substring(key.length() + 1, name.length() - ".lease".length());
  }

  private Path leasePath(String key, String run) {
    return dir.resolve(key + "." + run + ".lease");
  }

  private Path recordsPath(String key, String run) {
    return dir.resolve(key + "." + run + ".records");
  }

  /** A lease is live while someone holds its lock: a run of this JVM, or of another (tryLock fails). */
  private static boolean isLive(Path lease) {
    synchronized (HELD_IN_JVM) {
      if (HELD_IN_JVM.contains(lease)) {
        return true;
      }
      try (FileChannel channel = FileChannel.open(lease, StandardOpenOption.WRITE)) {
        FileLock lock = channel.tryLock();
        if (lock == null) {
          return true;
        }
        lock.release();
        return false;
      } catch (OverlappingFileLockException e) {
        return true; // not listed, yet held here: cannot happen while the set is kept, but never take it for dead
      } catch (IOException e) {
        return false;
      }
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // another run removed it, or will
    }
  }

  private record HeldLease(Path path, FileChannel channel, FileLock lock) {
    void close() {
      synchronized (HELD_IN_JVM) {
        HELD_IN_JVM.remove(path);
        try {
          Files.deleteIfExists(path);
          lock.release();
          channel.close();
        } catch (IOException e) {
          // the lock goes with the channel in any case
        }
      }
    }
  }
}
