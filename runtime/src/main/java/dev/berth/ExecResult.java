package dev.berth;

/**
 * The outcome of {@link Container#exec(String...)}: the exit code and everything written to stdout and stderr,
 * decoded as UTF-8.
 */
public record ExecResult(int exitCode, String stdout, String stderr) {
}
