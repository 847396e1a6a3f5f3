package dev.berth.internal.engine;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A pull's layers as the engine reports them, summed up for the progress line a long pull logs every few seconds:
 * how many layers are complete, and how much of the layers whose size is known is downloaded.
 */
final class PullTally {

  /** A layer's last status, and its download's bytes (its total once the engine said it). */
  private record Layer(String status, long downloaded, long size) {
    boolean complete() {
      return status.equals("Pull complete") || status.equals("Already exists");
    }

    boolean downloadedAll() {
      return complete() || status.equals("Download complete") || status.equals("Verifying Checksum")
          || status.startsWith("Extracting");
    }
  }

  private final Map<String, Layer> layers = new LinkedHashMap<>();

  /**
   * Notes one line of the engine's progress.
   *
   * @param current bytes so far of what the status describes (null if not said)
   * @param total the whole of it (null or not positive if not known)
   */
  synchronized void saw(String layer, String status, Long current, Long total) {
    if (layer == null || status == null || status.startsWith("Pulling from") || status.startsWith("Digest:")
        || status.startsWith("Status:")) {
      return;
    }
    Layer before = layers.getOrDefault(layer, new Layer(status, 0, 0));
    long size = before.size();
    long downloaded = before.downloaded();
    if (status.equals("Downloading")) {
      downloaded = current == null ? downloaded : current;
      size = total != null && total > 0 ? total : size;
    }
    layers.put(layer, new Layer(status, downloaded, size));
  }

  /** For example {@code 2 of 5 layers complete, 41.9 MB of 98.2 MB downloaded (42%)}. */
  synchronized String summary() {
    long complete = layers.values().stream().filter(Layer::complete).count();
    long size = 0;
    long downloaded = 0;
    int unsized = 0;
    for (Layer layer : layers.values()) {
      if (layer.size() > 0) {
        size += layer.size();
        downloaded += layer.downloadedAll() ? layer.size() : Math.min(layer.downloaded(), layer.size());
      } else if (!layer.complete()) {
        unsized++;
      }
    }
    var line = new StringBuilder().append(complete).append(" of ").append(layers.size()).append(" layers complete");
    if (size > 0) {
      line.append(", ").append(megabytes(downloaded)).append(" of ").append(megabytes(size)).append(" downloaded (")
          .append(downloaded * 100 / size).append("%)");
    }
    if (unsized > 0) {
      line.append(", ").append(unsized).append(unsized == 1 ? " layer" : " layers").append(" not begun");
    }
    return line.toString();
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1_000_000.0);
  }
}
