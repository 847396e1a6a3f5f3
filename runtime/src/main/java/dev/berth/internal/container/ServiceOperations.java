package dev.berth.internal.container;

import dev.berth.ExecResult;
import java.util.List;

/**
 * What a test's handle does in a running service's own container: read what it printed, run a command, read a
 * file. Each kind of service brings its own: a container's go to the engine, while a service of the test machine
 * or a replicated one has no container of its own and says so.
 */
public interface ServiceOperations {

  String output();

  ExecResult exec(List<String> command);

  byte[] readFile(String path);

  /** For a service with no container of its own: each operation fails, saying what the service is instead. */
  static ServiceOperations none(String service, String instead) {
    return new ServiceOperations() {
      @Override
      public String output() {
        throw missing("read the output of");
      }

      @Override
      public ExecResult exec(List<String> command) {
        throw missing("run a command in");
      }

      @Override
      public byte[] readFile(String path) {
        throw missing("read a file of");
      }

      private IllegalStateException missing(String what) {
        return new IllegalStateException("Service " + service + " has no container of its own to " + what + ": "
            + instead);
      }
    };
  }
}
