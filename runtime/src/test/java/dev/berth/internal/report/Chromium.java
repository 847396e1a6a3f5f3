package dev.berth.internal.report;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Chromium, for tests that check what a page shows once its script has run: its DOM, or a screenshot.
 * Each call starts a browser of its own with a fresh profile, so calls never share state.
 */
final class Chromium {

  private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");
  private static final long TIMEOUT_SECONDS = 60;
  /** How long the page's scripts may run, in the browser's virtual time, before the DOM or the screenshot is taken. */
  private static final int SCRIPT_BUDGET_MS = 5000;
  private static final int ERROR_LINES_SHOWN = 15;

  private final Path binary;

  private Chromium(Path binary) {
    this.binary = binary;
  }

  /** The first Chromium on the PATH; fails, saying how to install it, when there is none. */
  static Chromium find() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String name : NAMES) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
          return new Chromium(Path.of(dir, name));
        }
      }
    }
    throw new IllegalStateException("No Chromium on the PATH (looked for " + String.join(", ", NAMES)
        + "); the report's browser check needs one: run scripts/testenv/up, which installs Debian's chromium");
  }

  /** The page's DOM, serialised, after its scripts ran. */
  String dumpDom(Path html) {
    return run(List.of("--dump-dom", html.toAbsolutePath().toUri().toString()), "--dump-dom");
  }

  /** A PNG of the page in a window of the given size, as a person would first see it. */
  void screenshot(Path html, Path png, int width, int height) {
    try {
      Files.deleteIfExists(png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Without all compositor stages, the shot may be taken before every tile is painted: white rectangles.
    run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height, "--hide-scrollbars",
        "--run-all-compositor-stages-before-draw", html.toAbsolutePath().toUri().toString()), "--screenshot");
    if (!Files.isRegularFile(png)) {
      throw new IllegalStateException("Chromium exited well but wrote no screenshot " + png);
    }
  }

  /** Runs the browser once; its standard output, read from a file so that neither stream can fill up and block it. */
  private String run(List<String> arguments, String what) {
    Path work = null;
    try {
      work = Files.createTempDirectory("berth-chromium-");
      Path out = work.resolve("stdout");
      Path err = work.resolve("stderr");
      var command = new ArrayList<>(List.of(binary.toString(), "--headless",
          // Tests run as root in CI containers, where Chromium refuses to start with its sandbox.
          "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
          "--user-data-dir=" + work.resolve("profile"), "--virtual-time-budget=" + SCRIPT_BUDGET_MS));
      command.addAll(arguments);
      long started = System.nanoTime();
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException("Chromium " + what + " took more than " + TIMEOUT_SECONDS + " s; it said:\n"
            + lastLines(err));
      }
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      System.out.printf("chromium %s took %d ms%n", what, tookMs);
      if (process.exitValue() != 0) {
        throw new IllegalStateException("Chromium " + what + " exited with " + process.exitValue() + "; it said:\n"
            + lastLines(err));
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while Chromium ran", e);
    } finally {
      if (work != null) {
        deleteTree(work);
      }
    }
  }

  private static String lastLines(Path file) throws IOException {
    List<String> lines = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n"));
    return String.join("\n", lines.subList(Math.max(0, lines.size() - ERROR_LINES_SHOWN), lines.size()));
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException e) {
      // a profile left in the temporary directory is harmless
    }
  }
}
