package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.transport.UnixSocketTransport;
import dev.berth.internal.spec.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which HTTP transport a connection gets: {@code berth.transport} and the engine's address decide. */
class TransportChoiceTest {

  private static DockerClientConfig engineAt(String host) {
    return DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).withDockerTlsVerify(false)
        .build();
  }

  private static DockerHttpClient transport(String host, String choice) throws Exception {
    DockerHttpClient transport = EngineClient.transport(engineAt(host), choice,
        EngineDeadlines.of(BerthConfig.defaults()));
    transport.close();
    return transport;
  }

  @Test
  void aUnixSocketGetsBerthsTransportUnlessApacheIsAskedFor() throws Exception {
    assertThat(transport("unix:///var/run/docker.sock", "auto")).isInstanceOf(UnixSocketTransport.class);
    assertThat(transport("unix:///var/run/docker.sock", " AUTO ")).isInstanceOf(UnixSocketTransport.class);
    assertThat(transport("unix:///var/run/docker.sock", "apache")).isNotInstanceOf(UnixSocketTransport.class);
  }

  @Test
  void tcpAlwaysGetsTheApacheTransport() throws Exception {
    assertThat(transport("tcp://127.0.0.1:2375", "auto")).isNotInstanceOf(UnixSocketTransport.class);
  }

  /** Engines on TCP or with TLS still get the Apache transport: it must go on working. Needs the engine. */
  @Test
  void theApacheTransportStillCarriesEveryKindOfRequest() {
    try (DockerBackend backend = DockerBackend.connect(java.util.Optional.empty(), "apache")) {
      String name = "berth-transport-test-" + ProcessHandle.current().pid();
      // Labelled like a run's network, so that the leak check would see it left behind.
      backend.createNetwork(name, Labels.of("transport-test", "kit-" + name, "network"));
      try {
        assertThat(backend.gateway(name)).as("a JSON reply").isNotBlank();
        assertThat(backend.containersLabelled(java.util.Map.of(Labels.RUN, "no-such-run"))).isEmpty();
      } finally {
        backend.removeNetwork(name);
      }
    }
  }

  /** An engine over plain TCP (a docker:dind service, say) is spoken to in plain HTTP. Needs the engine. */
  @Test
  void anEngineOverPlainTcpAnswers() throws Exception {
    try (var relay = new EngineTcpRelay("127.0.0.1");
         DockerBackend backend = DockerBackend.connect(java.util.Optional.of("tcp://127.0.0.1:" + relay.port()))) {
      assertThat(backend.containersLabelled(java.util.Map.of(Labels.RUN, "no-such-run"))).isEmpty();
    }
  }

  /**
   * An engine over TLS that checks client certificates ({@code dockerd --tlsverify}, the default of a
   * {@code docker:dind} service): {@code DOCKER_TLS_VERIFY} and {@code DOCKER_CERT_PATH} (ca.pem, cert.pem, key.pem,
   * made here with openssl) reach it; without the client's certificate it refuses. In a JVM of its own, as docker-java
   * reads them from the environment. Needs the engine.
   */
  @Test
  void anEngineOverTlsWithClientCertificatesAnswers(@TempDir Path dir) throws Exception {
    Path certs = Files.createDirectory(dir.resolve("certs"));
    openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=berth-test-ca",
        "-keyout", "ca-key.pem", "-out", "certs/ca.pem");
    signed(dir, "server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth");
    signed(dir, "client", "extendedKeyUsage=clientAuth");
    Files.move(dir.resolve("client-cert.pem"), certs.resolve("cert.pem"));
    Files.move(dir.resolve("client-key.pem"), certs.resolve("key.pem"));
    openssl(dir, "pkcs12", "-export", "-in", "server-cert.pem", "-inkey", "server-key.pem", "-out", "server.p12",
        "-passout", "pass:secret");

    try (var relay = new EngineTcpRelay("127.0.0.1", serverTls(dir.resolve("server.p12"), certs.resolve("ca.pem")))) {
      String host = "tcp://127.0.0.1:" + relay.port();
      var verified = EngineContextProbe.runIn(Map.of("DOCKER_HOST", host, "DOCKER_TLS_VERIFY", "1",
          "DOCKER_CERT_PATH", certs.toString()));
      assertThat(verified.output()).isEqualTo("engine " + host);

      Files.delete(certs.resolve("cert.pem"));
      Files.delete(certs.resolve("key.pem"));
      var anonymous = EngineContextProbe.runIn(Map.of("DOCKER_HOST", host, "DOCKER_TLS_VERIFY", "1",
          "DOCKER_CERT_PATH", certs.toString()));
      assertThat(anonymous.output()).startsWith("failed: No Docker engine answers at " + host);
    }
  }

  /** A key and a certificate the test CA signs, with the extensions given (openssl's config syntax). */
  private static void signed(Path dir, String name, String extensions) throws Exception {
    openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", name + "-key.pem",
        "-out", name + ".csr");
    Files.writeString(dir.resolve(name + ".ext"), extensions + "\n");
    openssl(dir, "x509", "-req", "-days", "1", "-in", name + ".csr", "-CA", "certs/ca.pem", "-CAkey", "ca-key.pem",
        "-CAcreateserial", "-extfile", name + ".ext", "-out", name + "-cert.pem");
  }

  private static void openssl(Path dir, String... args) throws Exception {
    var command = new java.util.ArrayList<String>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("openssl %s: %s", args[0], output).isZero();
  }

  /** The relay's TLS: its key from the PKCS#12 file, and client certificates checked against the CA. */
  private static SSLContext serverTls(Path keyStore, Path ca) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keyStore)) {
      keys.load(in, "secret".toCharArray());
    }
    var keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, "secret".toCharArray());
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (var in = Files.newInputStream(ca)) {
      trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    var trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    return tls;
  }

  @Test
  void anUnknownChoiceSaysWhichOnesThereAre() {
    assertThatThrownBy(() -> EngineClient.transport(engineAt("unix:///var/run/docker.sock"), "okhttp",
        EngineDeadlines.of(BerthConfig.defaults())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("berth.transport has value 'okhttp'").hasMessageContaining("'auto'")
        .hasMessageContaining("'apache'").hasMessageContaining("BERTH_TRANSPORT");
  }
}
