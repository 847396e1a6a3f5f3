package dev.berth.internal.engine.transport;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The TLS context given to the transport for an engine reached without TLS. */
class NoTlsTest {

  @Test
  void anyUseSaysThatTheEngineIsReachedWithoutTls() {
    var context = new NoTls();

    assertThatThrownBy(context::getSocketFactory).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without TLS").hasMessageContaining("DOCKER_TLS_VERIFY");
    assertThatThrownBy(context::createSSLEngine).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> context.init(null, null, null)).isInstanceOf(IllegalStateException.class);
  }
}
