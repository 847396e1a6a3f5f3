package dev.berth.internal.engine.transport;

import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The TLS context of an engine reached without TLS (a Unix socket, plain TCP): one that cannot be used. Without
 * one, the HTTP transport sets up the JVM's default TLS context (its trust store, key managers, cipher suites),
 * about 200 ms of a fresh JVM's CPU for a connection that never encrypts.
 */
public final class NoTls extends SSLContext {

  public NoTls() {
    super(new Unusable(), null, "none");
  }

  private static final class Unusable extends SSLContextSpi {
    private static IllegalStateException unused() {
      return new IllegalStateException("Berth reaches this Docker engine without TLS; set DOCKER_TLS_VERIFY and"
          + " DOCKER_CERT_PATH for an engine that needs it");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) throws KeyManagementException {
      throw unused();
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw unused();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw unused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw unused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw unused();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw unused();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw unused();
    }
  }
}
