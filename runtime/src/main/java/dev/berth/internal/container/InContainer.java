package dev.berth.internal.container;

import dev.berth.ExecResult;
import java.util.List;

/**
 * What a service handle does inside its service's own container, through the run's engine: read what it printed,
 * run a command, read a file.
 */
public interface InContainer {

  String output(RunningService service);

  ExecResult exec(RunningService service, List<String> command);

  byte[] readFile(RunningService service, String path);
}
