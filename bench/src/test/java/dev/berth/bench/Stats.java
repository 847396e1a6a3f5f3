package dev.berth.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

final class Stats {

  private Stats() {
  }

  /** The median; for an even count, the mean of the two middle values. */
  static long median(List<Long> values) {
    if (values.isEmpty()) {
      return -1;
    }
    var sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static long min(List<Long> values) {
    return values.isEmpty() ? -1 : Collections.min(values);
  }

  static long max(List<Long> values) {
    return values.isEmpty() ? -1 : Collections.max(values);
  }
}
