package dev.berth.internal.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Protocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How each protocol's first answer is judged, from the bytes real servers send in each phase. */
class HandshakeTest {

  private static Handshake.Verdict judge(Protocol protocol, byte[] answer, boolean ended) {
    return Handshake.of(protocol, Map.of()).judge(answer, ended);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] postgresError(String code, String message) {
    byte[] fields = ascii("SFATAL\0VFATAL\0C" + code + "\0M" + message + "\0\0");
    return ByteBuffer.allocate(5 + fields.length).put((byte) 'E').putInt(4 + fields.length).put(fields).array();
  }

  @Test
  void postgresStartupNamesTheImagesUser() {
    byte[] hello = Handshake.of(Protocol.POSTGRES, Map.of("POSTGRES_USER", "app")).hello();

    assertThat(ByteBuffer.wrap(hello).getInt()).isEqualTo(hello.length);
    assertThat(ByteBuffer.wrap(hello, 4, 4).getInt()).as("protocol 3.0").isEqualTo(0x30000);
    assertThat(new String(hello, StandardCharsets.UTF_8)).contains("user\0app\0");
  }

  @Test
  void postgresServesWhenItAsksForAuthentication() {
    byte[] md5 = {'R', 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4};

    assertThat(judge(Protocol.POSTGRES, md5, false).ready()).isTrue();
  }

  @Test
  void postgresStartingUpOrShuttingDownIsNotReady() {
    var starting = judge(Protocol.POSTGRES, postgresError("57P03", "the database system is starting up"), false);
    var stopping = judge(Protocol.POSTGRES, postgresError("57P01", "terminating connection"), false);

    assertThat(starting.ready()).isFalse();
    assertThat(starting.said()).isEqualTo("error 57P03 'the database system is starting up'");
    assertThat(stopping.ready()).isFalse();
  }

  /** An error of the client's own making (no such role) comes from a server that serves. */
  @Test
  void postgresRefusingTheUserServes() {
    assertThat(judge(Protocol.POSTGRES, postgresError("28000", "role \"x\" does not exist"), false).ready()).isTrue();
  }

  @Test
  void postgresWaitsForTheWholeError() {
    byte[] whole = postgresError("57P03", "the database system is starting up");
    byte[] part = java.util.Arrays.copyOf(whole, 12);

    assertThat(judge(Protocol.POSTGRES, part, false)).isNull();
    assertThat(judge(Protocol.POSTGRES, new byte[0], true).said())
        .isEqualTo("the connection was closed without an answer");
  }

  @Test
  void mysqlServesWithAProtocol10Greeting() {
    byte[] greeting = ascii("\u0025\0\0\0\n10.11.18-MariaDB\0rest");

    var verdict = judge(Protocol.MYSQL, greeting, false);

    assertThat(verdict.ready()).isTrue();
    assertThat(verdict.said()).isEqualTo("a handshake from 10.11.18-MariaDB");
  }

  private static byte[] mysqlError(int code, String text) {
    byte[] payload = ascii("\u00ff" + (char) (code & 0xff) + (char) (code >> 8) + text);
    return ByteBuffer.allocate(4 + payload.length).put((byte) payload.length).put(new byte[3]).put(payload).array();
  }

  @Test
  void mysqlShuttingDownIsNotReady() {
    var verdict = judge(Protocol.MYSQL, mysqlError(1053, "#08S01Server shutdown in progress"), false);

    assertThat(verdict.ready()).isFalse();
    assertThat(verdict.said()).isEqualTo("error 1053 'Server shutdown in progress'");
  }

  /** A server that refuses the probe's host serves: the client's own settings are at fault, as it will hear. */
  @Test
  void mysqlRefusingTheHostServes() {
    var verdict = judge(Protocol.MYSQL, mysqlError(1130, "Host '172.18.0.1' is not allowed to connect"), false);

    assertThat(verdict.ready()).isTrue();
    assertThat(verdict.said()).isEqualTo("error 1130 'Host '172.18.0.1' is not allowed to connect'");
  }

  @Test
  void redisLoadingIsNotReadyButAnAuthErrorIs() {
    assertThat(judge(Protocol.REDIS, ascii("+PONG\r\n"), false).ready()).isTrue();
    assertThat(judge(Protocol.REDIS, ascii("-NOAUTH Authentication required.\r\n"), false).ready()).isTrue();
    assertThat(judge(Protocol.REDIS, ascii("-LOADING Redis is loading the dataset in memory\r\n"), false).ready())
        .isFalse();
    assertThat(judge(Protocol.REDIS, ascii("+PO"), false)).as("half a line").isNull();
  }

  @Test
  void httpAnyStatusLineServes() {
    assertThat(judge(Protocol.HTTP, ascii("HTTP/1.1 503 Service Unavailable\r\n"), false).ready()).isTrue();
    assertThat(judge(Protocol.HTTP, ascii("SSH-2.0-OpenSSH\r\n"), false).ready()).isFalse();
    assertThat(judge(Protocol.HTTP, new byte[0], true).ready()).isFalse();
  }

  @Test
  void amqpServesWithAMethodFrameOrItsOwnVersion() {
    assertThat(judge(Protocol.AMQP, new byte[] {1, 0, 0, 0, 0, 1, (byte) 0xf4, 0, 10, 0, 10}, false).ready())
        .isTrue();
    assertThat(judge(Protocol.AMQP, new byte[] {'A', 'M', 'Q', 'P', 0, 1, 0, 0}, false).ready()).isTrue();
    assertThat(judge(Protocol.AMQP, new byte[0], true).ready()).as("hung up").isFalse();
  }

  @Test
  void smtpServesWith220() {
    assertThat(judge(Protocol.SMTP, ascii("220 mail ESMTP\r\n"), false).ready()).isTrue();
    assertThat(judge(Protocol.SMTP, ascii("421 Service not available\r\n"), false).ready()).isFalse();
  }

  @Test
  void plainTcpAndUdpHaveNoHandshake() {
    assertThat(Handshake.of(Protocol.TCP, Map.of())).isNull();
    assertThat(Handshake.of(Protocol.UDP, Map.of())).isNull();
  }
}
