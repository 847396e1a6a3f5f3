package dev.berth.junit;

import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.config.Keys;
import dev.berth.internal.run.ServiceRuntime;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Connects to the engine in the background as soon as a launcher session opens, so that the connection, about
 * 0.4 s in a fresh JVM, overlaps with test discovery instead of delaying the first service. It creates nothing
 * on the engine (its one create request, a rehearsal, names an image that cannot exist). Registered through
 * {@code META-INF/services}; {@code berth.connectAhead=false} (a system property, or {@code BERTH_CONNECT_AHEAD})
 * turns it off, and so does an unknown {@code berth.*} key. It sees {@code berth.dockerHost} only as a system property or environment variable; a run
 * configured for another engine connects on its own.
 */
public final class ConnectAhead implements LauncherSessionListener {

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    try {
      Keys.check(RuntimeResource.settings());
    } catch (IllegalArgumentException e) {
      return; // no engine call for a run that its first class will refuse, naming the key
    }
    if (!"false".equalsIgnoreCase(BerthConfig.fromSystem("berth.connectAhead").orElse("true"))) {
      ServiceRuntime.connectAhead(BerthConfig.fromSystem("berth.dockerHost"));
    }
  }
}
