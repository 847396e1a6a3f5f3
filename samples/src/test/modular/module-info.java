/** A test suite that is a module of its own, as a modular application's tests are. */
module dev.berth.samples.modular {
  requires dev.berth.junit;
  requires org.junit.platform.launcher;
  opens dev.berth.samples.modular to org.junit.platform.commons, dev.berth.junit;
}
