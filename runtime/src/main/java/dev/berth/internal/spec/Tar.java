package dev.berth.internal.spec;

import dev.berth.BerthException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The small part of the tar format the engine's archive API needs: writing regular files (ustar, with a PAX
 * header for long paths), reading the first regular file of an archive, and reading back the files of one it wrote.
 */
public final class Tar {

  private static final int BLOCK = 512;

  private Tar() {
  }

  /** An archive of regular files, mode 0644, by absolute path; extracted at "/" by the engine. */
  public static byte[] of(Map<String, byte[]> files) {
    return of(files, path -> 0644);
  }

  /** An archive of regular files, each with the POSIX mode {@code mode} gives for its name. */
  public static byte[] of(Map<String, byte[]> files, ToIntFunction<String> mode) {
    var out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      String name = file.getKey().replaceFirst("^/+", "");
      int fileMode = mode.applyAsInt(file.getKey());
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      if (nameBytes.length > 100) {
        byte[] pax = paxRecord("path", name);
        writeEntry(out, "././@PaxHeader", 'x', pax, 0644);
        writeEntry(out, truncate(name), '0', file.getValue(), fileMode);
      } else {
        writeEntry(out, name, '0', file.getValue(), fileMode);
      }
    }
    out.writeBytes(new byte[BLOCK * 2]);
    return out.toByteArray();
  }

  /** A regular file of an archive: its absolute path, POSIX mode and contents. */
  public record Entry(String path, int mode, byte[] data) {
  }

  /** The regular files of an archive {@link #of} wrote, in order (a PAX header's path replaces the entry's name). */
  public static List<Entry> files(byte[] archive) {
    try {
      return read(new ByteArrayInputStream(archive), false);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading a tar archive in memory failed", e);
    }
  }

  /** The regular files of the archive, or only the first when {@code firstOnly}. */
  private static List<Entry> read(InputStream in, boolean firstOnly) throws IOException {
    var entries = new ArrayList<Entry>();
    byte[] header = new byte[BLOCK];
    String longPath = null;
    while (readFully(in, header)) {
      if (isZero(header)) {
        break;
      }
      long size = parseOctal(header, 124, 12);
      char type = (char) header[156];
      byte[] data = in.readNBytes((int) size);
      skip(in, padding(size));
      if (type == 'x') {
        longPath = paxPath(new String(data, StandardCharsets.UTF_8));
      } else if (type == '0' || type == '\0') {
        String name = longPath != null ? longPath : cString(header, 0, 100);
        entries.add(new Entry("/" + name.replaceFirst("^/+", ""), (int) parseOctal(header, 100, 8), data));
        if (firstOnly) {
          break;
        }
        longPath = null;
      }
    }
    return entries;
  }

  /** The {@code path} of a PAX header's records ({@code "<length> path=<value>\n"}), or null. */
  private static String paxPath(String records) {
    return records.lines().map(line -> line.substring(line.indexOf(' ') + 1)).filter(r -> r.startsWith("path="))
        .map(r -> r.substring("path=".length())).findFirst().orElse(null);
  }

  private static String cString(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  /** The contents of the first regular file in the archive. */
  public static byte[] firstFile(InputStream in, String description) throws IOException {
    return read(in, true).stream().findFirst().map(Entry::data)
        .orElseThrow(() -> new BerthException(description + " is not a regular file"));
  }

  private static byte[] paxRecord(String key, String value) {
    String body = " " + key + "=" + value + "\n";
    int length = body.getBytes(StandardCharsets.UTF_8).length;
    int total = length + String.valueOf(length).length();
    if (String.valueOf(total).length() != String.valueOf(length).length()) {
      total++;
    }
    return (total + body).getBytes(StandardCharsets.UTF_8);
  }

  private static String truncate(String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    return new String(Arrays.copyOfRange(b, b.length - 100, b.length), StandardCharsets.UTF_8);
  }

  private static void writeEntry(ByteArrayOutputStream out, String name, char type, byte[] data, int mode) {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
    putOctal(h, 100, 8, mode);
    putOctal(h, 108, 8, 0);
    putOctal(h, 116, 8, 0);
    putOctal(h, 124, 12, data.length);
    putOctal(h, 136, 12, System.currentTimeMillis() / 1000);
    Arrays.fill(h, 148, 156, (byte) ' ');
    h[156] = (byte) type;
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    long checksum = 0;
    for (byte b : h) {
      checksum += b & 0xff;
    }
    putOctal(h, 148, 7, checksum);
    out.writeBytes(h);
    out.writeBytes(data);
    out.writeBytes(new byte[(int) padding(data.length)]);
  }

  private static void put(byte[] header, int offset, int length, byte[] value) {
    System.arraycopy(value, 0, header, offset, Math.min(length, value.length));
  }

  private static void putOctal(byte[] header, int offset, int length, long value) {
    String octal = String.format("%0" + (length - 1) + "o", value);
    put(header, offset, length - 1, octal.getBytes(StandardCharsets.US_ASCII));
    header[offset + length - 1] = 0;
  }

  private static long parseOctal(byte[] header, int offset, int length) {
    long value = 0;
    for (int i = offset; i < offset + length; i++) {
      byte b = header[i];
      if (b >= '0' && b <= '7') {
        value = value * 8 + (b - '0');
      } else if (b != ' ' || value != 0) {
        if (b == 0 || b == ' ') {
          break;
        }
      }
    }
    return value;
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean readFully(InputStream in, byte[] block) throws IOException {
    return in.readNBytes(block, 0, block.length) == block.length;
  }

  private static void skip(InputStream in, long n) throws IOException {
    in.readNBytes((int) n);
  }
}
