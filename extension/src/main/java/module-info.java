/** Berth's JUnit Jupiter extension: {@code @ServiceTest} and what makes it work. */
module dev.berth.junit {
  requires transitive dev.berth;
  requires transitive dev.berth.annotations;
  requires transitive org.junit.jupiter.api;
  requires org.junit.platform.launcher;
  requires org.slf4j;

  exports dev.berth.junit;
  // Jupiter instantiates the extension and reads its annotations reflectively.
  opens dev.berth.junit to org.junit.platform.commons;

  provides org.junit.platform.launcher.LauncherSessionListener with dev.berth.junit.ConnectAhead;
  provides org.junit.platform.launcher.TestExecutionListener with dev.berth.junit.StartAhead;
}
