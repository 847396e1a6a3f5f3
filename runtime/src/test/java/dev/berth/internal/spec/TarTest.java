package dev.berth.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.BerthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TarTest {

  private static final String LONG_PATH = "/srv/" + "a-rather-long-directory-name/".repeat(4) + "index.html";
  private static final String NAME_OF_100_BYTES = "/" + "d/".repeat(45) + "file.txt12";

  @TempDir
  Path tmp;

  private static byte[] bytes(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  private static byte[] roundTrip(String path, byte[] contents) throws IOException {
    byte[] archive = Tar.of(Map.of(path, contents));
    return Tar.firstFile(new ByteArrayInputStream(archive), path);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 13, 511, 512, 513, 1024, 1300, 100_000})
  void contentsRoundTrip(int size) throws IOException {
    byte[] contents = bytes(size);

    assertThat(roundTrip("/etc/app.conf", contents)).isEqualTo(contents);
  }

  @Test
  void textRoundTrips() throws IOException {
    byte[] contents = "Hello, world!\n".getBytes(StandardCharsets.UTF_8);

    assertThat(roundTrip("/srv/index.html", contents)).isEqualTo(contents);
  }

  @Test
  void longPathRoundTrips() throws IOException {
    assertThat(LONG_PATH.length()).isGreaterThan(101);
    byte[] contents = bytes(700);

    assertThat(roundTrip(LONG_PATH, contents)).isEqualTo(contents);
  }

  /** What Swarm makes into configs: every file back, with its path (a long one too) and mode. */
  @Test
  void filesComeBackWithTheirPathsAndModes() {
    var files = new java.util.LinkedHashMap<String, byte[]>();
    files.put("/etc/app.conf", bytes(13));
    files.put(LONG_PATH, bytes(700));
    files.put("/usr/local/bin/start.sh", bytes(512));
    byte[] archive = Tar.of(files, path -> path.endsWith(".sh") ? 0755 : 0644);

    assertThat(Tar.files(archive)).extracting(Tar.Entry::path, Tar.Entry::mode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("/etc/app.conf", 0644),
            org.assertj.core.groups.Tuple.tuple(LONG_PATH, 0644),
            org.assertj.core.groups.Tuple.tuple("/usr/local/bin/start.sh", 0755));
    assertThat(Tar.files(archive).get(1).data()).isEqualTo(bytes(700));
  }

  @Test
  void archiveIsWholeBlocksEndingInTwoZeroBlocks() {
    byte[] archive = Tar.of(Map.of("/a", bytes(600)));

    assertThat(archive.length).isEqualTo(512 + 1024 + 1024);
    assertThat(Arrays.copyOfRange(archive, archive.length - 1024, archive.length)).containsOnly(0);
    assertThat(new String(archive, 0, 2, StandardCharsets.UTF_8)).isEqualTo("a\0");
    assertThat(new String(archive, 257, 6, StandardCharsets.US_ASCII)).isEqualTo("ustar\0");
  }

  @Test
  void emptyMapGivesAnEmptyArchive() {
    assertThat(Tar.of(Map.of())).hasSize(1024).containsOnly(0);
  }

  @Test
  void archiveWithoutRegularFileIsRejectedWithItsDescription() {
    assertThatThrownBy(() -> Tar.firstFile(new ByteArrayInputStream(Tar.of(Map.of())), "/etc/missing in 'db'"))
        .isInstanceOf(BerthException.class)
        .hasMessage("/etc/missing in 'db' is not a regular file");
    assertThatThrownBy(() -> Tar.firstFile(new ByteArrayInputStream(new byte[0]), "/nothing"))
        .isInstanceOf(BerthException.class)
        .hasMessageContaining("/nothing");
  }

  @Test
  void firstFileReturnsTheFirstOfSeveral() throws IOException {
    var files = new LinkedHashMap<String, byte[]>();
    files.put("/b", "second".getBytes(StandardCharsets.UTF_8));
    files.put("/a", "first".getBytes(StandardCharsets.UTF_8));

    byte[] archive = Tar.of(files);

    assertThat(Tar.firstFile(new ByteArrayInputStream(archive), "/b")).asString(StandardCharsets.UTF_8)
        .isEqualTo("second");
  }

  @Test
  void nameOfExactly100BytesRoundTrips() throws IOException {
    assertThat(NAME_OF_100_BYTES.substring(1).getBytes(StandardCharsets.UTF_8)).hasSize(100);
    byte[] contents = bytes(10);

    assertThat(roundTrip(NAME_OF_100_BYTES, contents)).isEqualTo(contents);
  }

  @Test
  void systemTarListsNamesSizesAndModes() throws Exception {
    var files = new TreeMap<String, byte[]>();
    files.put("/empty", new byte[0]);
    files.put("/srv/index.html", "Hello, world!".getBytes(StandardCharsets.UTF_8));
    files.put("/var/big.bin", bytes(1300));
    files.put(LONG_PATH, bytes(5));
    files.put(NAME_OF_100_BYTES, bytes(100));
    files.put("/etc/motd-\u00e9t\u00e9", bytes(3));

    List<Entry> entries = list(write(Tar.of(files)));

    assertThat(entries).containsExactlyInAnyOrder(
        new Entry("-rw-r--r--", 0, "empty"),
        new Entry("-rw-r--r--", 13, "srv/index.html"),
        new Entry("-rw-r--r--", 1300, "var/big.bin"),
        new Entry("-rw-r--r--", 5, LONG_PATH.substring(1)),
        new Entry("-rw-r--r--", 100, NAME_OF_100_BYTES.substring(1)),
        new Entry("-rw-r--r--", 3, "etc/motd-\u00e9t\u00e9"));
  }

  @Test
  void systemTarExtractsTheContents() throws Exception {
    byte[] big = bytes(1300);
    byte[] longFile = bytes(777);
    Path archive = write(Tar.of(Map.of("/var/big.bin", big, LONG_PATH, longFile, "/empty", new byte[0])));
    Path out = Files.createDirectory(tmp.resolve("out"));

    run("tar", "-xf", archive.toString(), "-C", out.toString());

    assertThat(out.resolve("var/big.bin")).hasBinaryContent(big);
    assertThat(out.resolve(LONG_PATH.substring(1))).hasBinaryContent(longFile);
    assertThat(out.resolve("empty")).isEmptyFile();
  }

  /** What makes a script runnable in the container, and what keeps a secret to its owner, as a system tar sees it. */
  @Test
  void systemTarListsTheModesGiven() throws Exception {
    var files = new TreeMap<String, byte[]>();
    files.put("/bin/start.sh", bytes(4));
    files.put("/etc/secret", bytes(4));
    files.put("/usr/bin/setuid", bytes(4));
    Map<String, Integer> modes = Map.of("/bin/start.sh", 0755, "/etc/secret", 0600, "/usr/bin/setuid", 04750);

    List<Entry> entries = list(write(Tar.of(files, modes::get)));

    assertThat(entries).extracting(Entry::mode, Entry::name).containsExactly(
        org.assertj.core.groups.Tuple.tuple("-rwxr-xr-x", "bin/start.sh"),
        org.assertj.core.groups.Tuple.tuple("-rw-------", "etc/secret"),
        org.assertj.core.groups.Tuple.tuple("-rwsr-x---", "usr/bin/setuid"));
  }

  /** The engine sends a link at the path asked for as a link: no regular file, so it is passed over. */
  @Test
  void symlinksAreNotRegularFilesAndArePassedOver() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src/dir"));
    byte[] contents = bytes(20);
    Files.write(src.resolve("file.bin"), contents);
    Files.createSymbolicLink(tmp.resolve("src/link"), Path.of("dir/file.bin"));
    Path both = tmp.resolve("both.tar");
    Path linkOnly = tmp.resolve("link.tar");

    run("tar", "-cf", both.toString(), "-C", tmp.resolve("src").toString(), "link", "dir/file.bin");
    run("tar", "-cf", linkOnly.toString(), "-C", tmp.resolve("src").toString(), "link");

    assertThat(list(both).get(0).mode()).startsWith("l");
    byte[] archive = Files.readAllBytes(both);
    assertThat(Tar.firstFile(new ByteArrayInputStream(archive), "link")).isEqualTo(contents);
    assertThat(Tar.files(archive)).extracting(Tar.Entry::path).containsExactly("/dir/file.bin");
    assertThatThrownBy(() -> Tar.firstFile(new ByteArrayInputStream(Files.readAllBytes(linkOnly)), "/link"))
        .isInstanceOf(BerthException.class).hasMessage("/link is not a regular file");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gnu", "pax", "ustar"})
  void firstFileReadsSystemTarArchivesSkippingDirectories(String format) throws Exception {
    String dir = format.equals("ustar") ? "dir" : "a-rather-long-directory-name/".repeat(4);
    Path src = Files.createDirectories(tmp.resolve("src").resolve(dir));
    byte[] contents = bytes(1500);
    Files.write(src.resolve("file.bin"), contents);
    Path archive = tmp.resolve("sys.tar");

    run("tar", "--format=" + format, "-cf", archive.toString(), "-C", tmp.resolve("src").toString(), ".");

    assertThat(list(archive).get(0).mode()).startsWith("d");
    assertThat(Tar.firstFile(new ByteArrayInputStream(Files.readAllBytes(archive)), "file.bin"))
        .isEqualTo(contents);
  }

  record Entry(String mode, long size, String name) {
  }

  private static final Pattern LINE =
      Pattern.compile("(\\S{10}) +\\S+ +(\\d+) +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d (.+)");

  private Path write(byte[] archive) throws IOException {
    Path file = Files.createTempFile(tmp, "berth", ".tar");
    Files.write(file, archive);
    return file;
  }

  private static List<Entry> list(Path archive) throws Exception {
    var entries = new ArrayList<Entry>();
    for (String line : run("tar", "--quoting-style=literal", "-tvf", archive.toString()).split("\n")) {
      Matcher m = LINE.matcher(line);
      assertThat(m.matches()).as("tar -tv line %s", line).isTrue();
      entries.add(new Entry(m.group(1), Long.parseLong(m.group(2)), m.group(3).replaceFirst("/$", "")));
    }
    return entries;
  }

  private static String run(String... command) throws Exception {
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("LC_ALL", "C.UTF-8");
    builder.environment().put("TZ", "UTC");
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("%s exit code; output:%n%s", String.join(" ", command), text).isZero();
    return text;
  }
}
