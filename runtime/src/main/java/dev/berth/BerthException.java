package dev.berth;

/** A failure of Berth or of the engine under it; the message says what failed, where, and how to fix it. */
public class BerthException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public BerthException(String message) {
    super(message);
  }

  public BerthException(String message, Throwable cause) {
    super(message, cause);
  }
}
