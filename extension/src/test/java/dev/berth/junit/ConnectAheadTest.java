package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.jupiter.api.Test;

class ConnectAheadTest {

  @Test
  void theLauncherFindsTheListenerThatConnectsAhead() {
    assertThat(ServiceLoader.load(LauncherSessionListener.class).stream().map(ServiceLoader.Provider::type))
        .contains(ConnectAhead.class);
  }
}
