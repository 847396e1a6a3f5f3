/** The annotations a test declares its services with; no dependencies. */
module dev.berth.annotations {
  exports dev.berth.annotations;
}
