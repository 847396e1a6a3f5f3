/**
 * Berth's runtime: the API in {@code dev.berth}; everything under {@code dev.berth.internal} may change without
 * notice, and only the JUnit extension is let into the parts it needs.
 */
module dev.berth {
  requires org.slf4j;
  requires org.dnsjava;
  requires com.fasterxml.jackson.databind;
  // docker-java's jars carry stable Automatic-Module-Names.
  requires com.github.dockerjava.api;
  requires com.github.dockerjava.core;
  requires com.github.dockerjava.transport;
  requires com.github.dockerjava.transport.httpclient5;
  // What docker-java needs when it runs. Its jars have no module descriptor to say so, and an automatic module
  // reads only modules that something resolved; without these, its first request fails with NoClassDefFoundError.
  requires org.apache.commons.lang3;
  requires org.apache.commons.io;
  // Tar's too, as the engine's archive API speaks tar.
  requires org.apache.commons.compress;
  requires com.google.common;
  requires org.bouncycastle.pkix;

  exports dev.berth;
  exports dev.berth.internal.run to dev.berth.junit;
  exports dev.berth.internal.config to dev.berth.junit;
  exports dev.berth.internal.spec to dev.berth.junit;
  exports dev.berth.internal.report to dev.berth.junit;
}
