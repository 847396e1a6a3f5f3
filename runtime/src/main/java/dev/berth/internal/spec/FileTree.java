package dev.berth.internal.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.stream.Stream;

/** The files of a directory of the test machine, as specs read them: copied files and build contexts. */
public final class FileTree {

  private FileTree() {
  }

  /**
   * The regular files under {@code root}, following links, as '/'-separated paths relative to it, in path order.
   *
   * @throws IOException also for what goes wrong during the walk, which {@link Files#walk} reports unchecked
   */
  public static List<String> relativeFiles(Path root) throws IOException {
    try (Stream<Path> tree = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
      return tree.filter(Files::isRegularFile).sorted()
          .map(file -> root.relativize(file).toString().replace(root.getFileSystem().getSeparator(), "/"))
          .toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** By the owner's execute bit, as the docker CLI sends the file's mode; where there are no such bits, by access. */
  public static boolean isExecutable(Path file) throws IOException {
    return Files.getFileAttributeView(file, PosixFileAttributeView.class) != null
        ? Files.getPosixFilePermissions(file).contains(PosixFilePermission.OWNER_EXECUTE)
        : Files.isExecutable(file);
  }
}
