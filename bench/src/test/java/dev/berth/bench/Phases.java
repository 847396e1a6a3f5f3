package dev.berth.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Splits one suite run's wall time at the {@code bench-event} lines {@link Suite} printed. */
final class Phases {

  static final List<String> NAMES = List.of("jvm", "discover", "first", "rest", "teardown", "exit");

  private Phases() {
  }

  static Map<String, Long> of(List<String> log, long launchedMicros, long endedMicros) {
    Long main = null;
    Long execute = null;
    Long firstTestEnd = null;
    Long lastTestEnd = null;
    Long engineEnd = null;
    for (String line : log) {
      if (!line.startsWith("bench-event ")) {
        continue;
      }
      String[] parts = line.split(" ", 4);
      long t = Long.parseLong(parts[1]);
      switch (parts[2]) {
        case "main" -> main = t;
        case "execute" -> execute = t;
        case "test-end" -> {
          if (firstTestEnd == null) {
            firstTestEnd = t;
          }
          lastTestEnd = t;
        }
        case "engine-end" -> engineEnd = t;
        default -> {
        }
      }
    }
    var phases = new LinkedHashMap<String, Long>();
    if (main == null || execute == null || firstTestEnd == null || engineEnd == null) {
      return phases;
    }
    phases.put("jvm", (main - launchedMicros) / 1000);
    phases.put("discover", (execute - main) / 1000);
    phases.put("first", (firstTestEnd - execute) / 1000);
    phases.put("rest", (lastTestEnd - firstTestEnd) / 1000);
    phases.put("teardown", (engineEnd - lastTestEnd) / 1000);
    phases.put("exit", (endedMicros - engineEnd) / 1000);
    return phases;
  }
}
