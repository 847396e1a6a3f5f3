package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.berth.BerthException;
import dev.berth.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A command run in a container ({@code docker exec}) through the engine's API as JSON trees and its multiplexed
 * output stream. Through docker-java, a fresh JVM's first exec (a warm attach's reset, a ready command) spent 60-70 ms
 * of its path in Jackson learning the exec messages' types, or had the early connection learn them on a core the
 * attach needed. Read it as the exec's life:
 *
 * <ol>
 *   <li>Create the exec ({@code POST /containers/{id}/exec}): the engine refuses it for a container that is gone or
 *       not running, and says so.
 *   <li>Start it attached ({@code POST /exec/{id}/start}): the answer is the command's output, stdout and stderr in
 *       frames (an 8-byte header: the stream, then the length), until the command ends. A thread of its own reads it,
 *       so that the caller can give up on it (its time ran out, or the run no longer needs it) by closing it.
 *   <li>Inspect the exec ({@code GET /exec/{id}/json}) for its exit code.
 * </ol>
 */
final class EngineExec {

  /** How often a running exec looks whether it is to be abandoned. */
  private static final Duration ABANDON_POLL = Duration.ofMillis(100);
  private static final int STDERR = 2;

  private final EngineJson json;

  EngineExec(EngineJson json) {
    this.json = json;
  }

  ExecResult run(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where, CompletableFuture<?> abandonWhen) {
    if (abandonWhen.isDone()) {
      throw new Engine.ExecAbandoned("Exec " + command + " in " + where + " was not run");
    }
    String execId = create(id, command, workdir, where);
    var stdout = new ByteArrayOutputStream();
    var stderr = new ByteArrayOutputStream();
    var failure = new AtomicReference<IOException>();
    var ended = new CountDownLatch(1);
    var start = EngineClient.MAPPER.createObjectNode().put("Detach", false).put("Tty", false);
    DockerHttpClient.Response response = json.open("POST", json.versioned("/exec/" + execId + "/start"), start);
    if (response.getStatusCode() / 100 != 2) {
      String refusal;
      try (response) {
        refusal = message(EngineJson.Answer.of(response));
      } catch (IOException e) {
        refusal = "status " + response.getStatusCode() + ", " + e;
      }
      throw new BerthException("Cannot exec " + command + " in " + where + ": the engine refused its start: "
          + refusal);
    }
    var reader = new Thread(() -> {
      try (response; InputStream body = response.getBody()) {
        demultiplex(body, stdout, stderr);
      } catch (IOException e) {
        failure.set(e);
      } finally {
        ended.countDown();
      }
    }, "berth-exec-output");
    reader.setDaemon(true);
    reader.start();
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!ended.await(Math.min(ABANDON_POLL.toNanos(), Math.max(0, deadline - System.nanoTime())),
          TimeUnit.NANOSECONDS)) {
        if (abandonWhen.isDone()) {
          closeQuietly(response);
          throw new Engine.ExecAbandoned("Exec " + command + " in " + where + " was abandoned");
        }
        if (System.nanoTime() - deadline >= 0) {
          closeQuietly(response);
          throw new Engine.ExecTimedOut("Exec " + command + " in " + where + " ran past " + timeoutKey + " ("
              + timeout.toMillis() + " ms); it is left running until the container is removed");
        }
      }
    } catch (InterruptedException e) {
      closeQuietly(response);
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while running " + command + " in " + where, e);
    }
    if (failure.get() != null) {
      throw new BerthException("Exec " + command + " in " + where + " failed: " + failure.get().getMessage(),
          failure.get());
    }
    JsonNode exitCode = json.get("/exec/" + execId + "/json").map(info -> info.path("ExitCode")).orElse(null);
    var result = new ExecResult(exitCode == null || !exitCode.canConvertToInt() ? -1 : exitCode.asInt(),
        stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    Optional<String> cannotRun = whyCannotRun(result);
    if (cannotRun.isPresent()) {
      // The engine could not start the command at all: that is a mistake in the test, not a result to assert on.
      throw new Engine.CommandCannotRun("Cannot run " + command + " in " + where + ": " + cannotRun.get());
    }
    return result;
  }

  /**
   * Why the container's runtime could not start the command at all, if that is what the exec's result says: exit
   * code 126 or 127 and the runtime's own words first, as Docker ({@code OCI runtime exec failed: exec failed: ...})
   * and Podman ({@code Error: runc: exec failed: ...: OCI runtime attempted to invoke a command that was not found})
   * write them.
   */
  static Optional<String> whyCannotRun(ExecResult result) {
    String first = (result.stdout() + result.stderr()).strip().lines().findFirst().orElse("");
    if ((result.exitCode() != 126 && result.exitCode() != 127) || !first.contains("OCI ")) {
      return Optional.empty();
    }
    return Optional.of(first.replaceFirst(
        "^(OCI runtime exec failed: |Error: (runc|crun): )(exec failed: )?(unable to start container process: )?", ""));
  }

  private String create(String id, List<String> command, String workdir, String where) {
    var body = EngineClient.MAPPER.createObjectNode().put("AttachStdout", true).put("AttachStderr", true);
    command.forEach(body.putArray("Cmd")::add);
    if (workdir != null) {
      body.put("WorkingDir", workdir);
    }
    EngineJson.Answer answer = json.post(json.versioned("/containers/" + id + "/exec"), body);
    if (answer.status() / 100 != 2) {
      throw new BerthException("Cannot exec " + command + " in " + where + ": " + message(answer));
    }
    try {
      return EngineClient.MAPPER.readTree(answer.body()).path("Id").asText();
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the engine's answer to an exec in " + where + " failed", e);
    }
  }

  /** The engine's own words in a refusal ({@code {"message": ...}}), else the answer as it came. */
  private static String message(EngineJson.Answer answer) {
    try {
      String message = EngineClient.MAPPER.readTree(answer.body()).path("message").asText("");
      return message.isEmpty() ? "status " + answer.status() + ", " + answer.body() : message;
    } catch (IOException e) {
      return "status " + answer.status() + ", " + answer.body();
    }
  }

  /** Splits the engine's multiplexed stream into stdout and stderr until it ends. */
  static void demultiplex(InputStream stream, ByteArrayOutputStream stdout, ByteArrayOutputStream stderr)
      throws IOException {
    var in = new DataInputStream(stream);
    byte[] header = new byte[8];
    while (true) {
      try {
        in.readFully(header);
      } catch (EOFException end) {
        return;
      }
      int length = ByteBuffer.wrap(header).getInt(4);
      byte[] payload = in.readNBytes(length);
      (header[0] == STDERR ? stderr : stdout).writeBytes(payload);
      if (payload.length < length) {
        return;
      }
    }
  }

  private static void closeQuietly(DockerHttpClient.Response response) {
    try {
      response.close();
    } catch (RuntimeException e) {
      // already closed, or its connection gone
    }
  }
}
