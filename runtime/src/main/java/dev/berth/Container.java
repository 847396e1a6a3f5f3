package dev.berth;

/**
 * A test-scoped client container. The services bound into it are up and healthy for every exec, under their
 * aliases in the container's {@code /etc/hosts}.
 */
public interface Container extends AutoCloseable {

  /**
   * Runs a command in the container and waits for it, at most {@code berth.execTimeout}.
   *
   * @throws BerthException if the command cannot be started or runs past the timeout
   */
  ExecResult exec(String... command);

  /** Reads a file from the container's filesystem as UTF-8. */
  String readFile(String path);

  /** Reads a file from the container's filesystem as it is: a binary a command wrote, an archive, a database. */
  byte[] readBytes(String path);

  /**
   * Writes a file into the container (UTF-8, mode 0644, parent directories made as needed), replacing one there: a
   * script or input for the commands the test runs next, {@code client.writeFile("/work/query.sql", sql)}.
   *
   * @param path an absolute path
   */
  void writeFile(String path, String contents);

  /** Writes a file of bytes into the container; see {@link #writeFile(String, String)}. */
  void writeFile(String path, byte[] contents);

  /** The container's id on the engine. */
  String id();

  /** Removes the container; safe to call more than once. */
  @Override
  void close();
}
