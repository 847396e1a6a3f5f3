package dev.berth;

/**
 * Ready-made definitions of well-known services for tests that throw their data away: each is a plain
 * {@link ServiceSpec}, to be changed further with its {@code with...} methods, and {@link Service#connection()} reads
 * its URL, user and password. The image is the caller's ({@code "postgres:15"}, a mirror's copy, another tag), so
 * that a test states what it runs.
 */
public final class ServiceSpecs {

  /** The password the databases' administrators get; a test that needs another one sets it with {@code withEnv}. */
  public static final String PASSWORD = "berth";

  /** The database the MySQL and MariaDB definitions create. */
  public static final String DATABASE = "test";

  private ServiceSpecs() {
  }

  /**
   * PostgreSQL with user and database {@code postgres}, password {@value #PASSWORD}, its data on a tmpfs and
   * without fsync (a crash loses data the test would throw away anyway), ready when it answers the protocol.
   */
  public static ServiceSpec postgres(String image) {
    return ServiceSpec.from(image).withExposedPort(5432, Protocol.POSTGRES)
        .withEnv("POSTGRES_PASSWORD", PASSWORD)
        .withTmpfs("/var/lib/postgresql/data")
        .withCommand("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }

  /** MySQL with database {@value #DATABASE}, user {@code root}, password {@value #PASSWORD}, its data on a tmpfs. */
  public static ServiceSpec mysql(String image) {
    return ServiceSpec.from(image).withExposedPort(3306, Protocol.MYSQL)
        .withEnv("MYSQL_ROOT_PASSWORD", PASSWORD)
        .withEnv("MYSQL_DATABASE", DATABASE)
        .withTmpfs("/var/lib/mysql");
  }

  /** MariaDB with database {@value #DATABASE}, user {@code root}, password {@value #PASSWORD}, its data on a tmpfs. */
  public static ServiceSpec mariadb(String image) {
    return ServiceSpec.from(image).withExposedPort(3306, Protocol.MYSQL)
        .withEnv("MARIADB_ROOT_PASSWORD", PASSWORD)
        .withEnv("MARIADB_DATABASE", DATABASE)
        .withTmpfs("/var/lib/mysql");
  }

  /** Redis that keeps nothing on disk (no snapshots, no append-only file). */
  public static ServiceSpec redis(String image) {
    return ServiceSpec.from(image).withExposedPort(6379, Protocol.REDIS)
        .withCommand("redis-server", "--save", "", "--appendonly", "no");
  }
}
