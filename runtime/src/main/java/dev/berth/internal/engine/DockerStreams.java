package dev.berth.internal.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.WaitResponse;
import dev.berth.BerthException;
import dev.berth.internal.spec.Tar;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Docker's streams into containers, through docker-java: exits, output, logs followed and files. */
final class DockerStreams {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");

  private final DockerClient docker;

  DockerStreams(DockerClient docker) {
    this.docker = docker;
  }

  CompletableFuture<Integer> exitCode(String id) {
    var exit = new CompletableFuture<Integer>();
    var watch = docker.waitContainerCmd(id).exec(new ResultCallback.Adapter<WaitResponse>() {
      @Override
      public void onNext(WaitResponse response) {
        exit.complete(response.getStatusCode());
      }

      @Override
      public void onError(Throwable failure) {
        exit.completeExceptionally(failure);
      }

      @Override
      public void onComplete() {
        exit.completeExceptionally(new BerthException("the engine stopped watching container " + id));
      }
    });
    // A thread reading a socket at exit holds the JVM's exit up by 300 ms: a container left up must not be watched.
    exit.whenComplete((code, failure) -> {
      if (exit.isCancelled()) {
        try {
          watch.close();
        } catch (IOException e) {
          LOG.debug("closing the wait for container {} failed", id, e);
        }
      }
    });
    return exit;
  }

  Closeable watchDisconnects(String network, Consumer<String> disconnected) {
    return docker.eventsCmd().withEventTypeFilter(EventType.NETWORK).withEventFilter("disconnect")
        .exec(new ResultCallback.Adapter<Event>() {
          @Override
          public void onNext(Event event) {
            var actor = event.getActor();
            Map<String, String> attributes = actor == null || actor.getAttributes() == null ? Map.of()
                : actor.getAttributes();
            String container = attributes.get("container");
            if (container != null && (network.equals(attributes.get("name")) || network.equals(actor.getId()))) {
              disconnected.accept(container);
            }
          }

          @Override
          public void onError(Throwable failure) {
            LOG.debug("the engine's events for network {} ended: {}", network, failure.toString());
          }
        });
  }

  String output(String id, Duration timeout, String what) {
    return output(docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(false)::exec,
        timeout, what);
  }

  /** As {@link #output}, of a swarm task through the manager, on whichever node it runs. */
  String taskOutput(String taskId, Duration timeout, String what) {
    return output(docker.logTaskCmd(taskId).withStdout(true).withStderr(true).withFollow(false)::exec, timeout,
        what);
  }

  private static String output(Function<ResultCallback.Adapter<Frame>, ResultCallback.Adapter<Frame>> logs,
      Duration timeout, String what) {
    var text = new StringBuffer();
    var reader = new ResultCallback.Adapter<Frame>() {
      @Override
      public void onNext(Frame frame) {
        text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
      }
    };
    try {
      logs.apply(reader);
      if (!reader.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        reader.close();
        throw new BerthException("Reading the output of " + what + " took longer than berth.execTimeout ("
            + timeout.toMillis() + " ms)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while reading the output of " + what, e);
    } catch (BerthException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new BerthException("Cannot read the output of " + what + ": " + Engine.rootMessage(e), e);
    }
    return text.toString();
  }

  Closeable followLogs(String id, Consumer<String> lines, Runnable end, Integer tail) {
    var command = docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true);
    if (tail != null) {
      command.withTail(tail);
    }
    return command.exec(new LineReader(id, lines, end));
  }

  /** As {@link #followLogs}, of a swarm task through the manager, on whichever node it runs. */
  Closeable followTaskLogs(String taskId, Consumer<String> lines, Runnable end, Integer tail) {
    var command = docker.logTaskCmd(taskId).withStdout(true).withStderr(true).withFollow(true);
    if (tail != null) {
      command.withTail(tail);
    }
    return command.exec(new LineReader(taskId, lines, end));
  }

  /** Hands on a log stream's lines, standard output's and standard error's apart, and says when it ends. */
  private static final class LineReader extends ResultCallback.Adapter<Frame> {
    private final String id;
    private final Consumer<String> lines;
    private final Runnable end;
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();

    LineReader(String id, Consumer<String> lines, Runnable end) {
      this.id = id;
      this.lines = lines;
      this.end = end;
    }

    @Override
    public void onNext(Frame frame) {
      StringBuilder partial = frame.getStreamType() == StreamType.STDERR ? stderr : stdout;
      partial.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
      int newline;
      while ((newline = partial.indexOf("\n")) >= 0) {
        lines.accept(stripCarriageReturn(partial.substring(0, newline)));
        partial.delete(0, newline + 1);
      }
    }

    @Override
    public void onComplete() {
      flush();
      end.run();
      super.onComplete();
    }

    @Override
    public void onError(Throwable failure) {
      // Closing the stream ourselves (the service stops, the run ends) lands here too: not worth an error.
      LOG.debug("log stream of {} ended: {}", id, failure.toString());
      flush();
      end.run();
      try {
        close();
      } catch (IOException e) {
        LOG.trace("closing the log stream of {} failed", id, e);
      }
    }

    private void flush() {
      for (StringBuilder partial : List.of(stdout, stderr)) {
        if (partial.length() > 0) {
          lines.accept(partial.toString());
          partial.setLength(0);
        }
      }
    }
  }

  private static String stripCarriageReturn(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  void writeFile(String id, String path, byte[] contents, String where) {
    try {
      docker.copyArchiveToContainerCmd(id).withRemotePath("/")
          .withTarInputStream(new ByteArrayInputStream(Tar.of(Map.of(path, contents)))).exec();
    } catch (RuntimeException e) {
      throw new BerthException("Cannot write '" + path + "' in " + where + ": " + Engine.rootMessage(e), e);
    }
  }

  byte[] readFile(String id, String path, String where) {
    try (InputStream in = docker.copyArchiveFromContainerCmd(id, path).exec()) {
      return Tar.firstFile(in, "'" + path + "' in " + where);
    } catch (NotFoundException e) {
      throw new BerthException("Cannot read '" + path + "' in " + where + ": no such file", e);
    } catch (IOException e) {
      throw new BerthException("Cannot read '" + path + "' in " + where + ": " + Engine.rootMessage(e), e);
    }
  }

}
