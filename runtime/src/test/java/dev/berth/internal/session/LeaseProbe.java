package dev.berth.internal.session;

/** The other JVM of {@link SessionDirectoryTest}: says whether any run but its own holds the key ($2) in a session. */
public final class LeaseProbe {

  private LeaseProbe() {
  }

  public static void main(String[] args) {
    System.out.println(new SessionDirectory(args[0], "probe").heldByOthers(args[1]) ? "held" : "free");
  }
}
