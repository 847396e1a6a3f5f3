package dev.berth.internal.spec;

import dev.berth.BerthException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Tar archives of regular files for the engine's archive API, through commons-compress: written as ustar with a PAX
 * header for long paths, read in any format the engine or a system tar writes.
 */
public final class Tar {

  private Tar() {
  }

  /** An archive of regular files, mode 0644, by absolute path; extracted at "/" by the engine. */
  public static byte[] of(Map<String, byte[]> files) {
    return of(files, path -> 0644);
  }

  /** An archive of regular files, each with the POSIX mode {@code mode} gives for its name. */
  public static byte[] of(Map<String, byte[]> files, ToIntFunction<String> mode) {
    var out = new ByteArrayOutputStream();
    // Names in UTF-8 whatever the JVM's default; records of one block, not 20: it ends after its two zero blocks.
    try (var tar = new TarArchiveOutputStream(out, 512, StandardCharsets.UTF_8.name())) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        var entry = new TarArchiveEntry(file.getKey().replaceFirst("^/+", ""));
        entry.setMode(mode.applyAsInt(file.getKey()));
        entry.setSize(file.getValue().length);
        // Not this machine's user name, which the entry takes by default.
        entry.setUserName("");
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Writing a tar archive in memory failed", e);
    }
    return out.toByteArray();
  }

  /** A regular file of an archive: its absolute path, POSIX mode and contents. */
  public record Entry(String path, int mode, byte[] data) {
  }

  /** The regular files of an archive {@link #of} wrote, in order. */
  public static List<Entry> files(byte[] archive) {
    try {
      return read(new ByteArrayInputStream(archive), false);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading a tar archive in memory failed", e);
    }
  }

  /** The contents of the first regular file in the archive. */
  public static byte[] firstFile(InputStream in, String description) throws IOException {
    return read(in, true).stream().findFirst().map(Entry::data)
        .orElseThrow(() -> new BerthException(description + " is not a regular file"));
  }

  /** The regular files of the archive, or only the first when {@code firstOnly}. */
  private static List<Entry> read(InputStream in, boolean firstOnly) throws IOException {
    var entries = new ArrayList<Entry>();
    // Not closed: the stream under it is the caller's.
    var tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name());
    for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
      // By the type flag: isFile() holds for links and devices too.
      if (entry.getLinkFlag() == TarConstants.LF_NORMAL || entry.getLinkFlag() == TarConstants.LF_OLDNORM) {
        entries.add(new Entry("/" + entry.getName().replaceFirst("^/+", ""), entry.getMode() & 07777,
            tar.readAllBytes()));
        if (firstOnly) {
          break;
        }
      }
    }
    return entries;
  }
}
