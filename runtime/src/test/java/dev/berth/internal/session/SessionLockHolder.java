package dev.berth.internal.session;

import java.util.concurrent.CountDownLatch;

/**
 * The other JVM of {@link SessionDirectoryTest}: one thread holds "y" until another thread of this JVM has had "x".
 */
public final class SessionLockHolder {

  private SessionLockHolder() {
  }

  public static void main(String[] args) throws Exception {
    var directory = new SessionDirectory(args[0], "child");
    var holdingY = new CountDownLatch(1);
    var hadX = new CountDownLatch(1);
    var y = new Thread(() -> directory.locked("y", () -> {
      holdingY.countDown();
      try {
        hadX.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }));
    y.start();
    holdingY.await();
    System.out.println("holding y, asking for x");
    System.out.flush();
    directory.locked("x", () -> null);
    hadX.countDown();
    y.join();
  }
}
