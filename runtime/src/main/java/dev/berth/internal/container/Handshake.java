package dev.berth.internal.container;

import dev.berth.Protocol;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A protocol's cheapest exchange, as readiness asks it of a port: the bytes sent first ({@link #hello()}, perhaps
 * none), and what the answer says ({@link #judge}). Each is what a client of that protocol sends first and the first
 * thing a server answers, so the server logs nothing, and a server that serves would answer a real client alike.
 */
abstract class Handshake {

  /** What an answer said: whether the server serves, and in words for messages (the server's own, where it has some). */
  record Verdict(boolean ready, String said) {
    static Verdict ready(String said) {
      return new Verdict(true, said);
    }

    static Verdict notYet(String said) {
      return new Verdict(false, said);
    }
  }

  /** How many bytes of an answer are read at most: every verdict needs far fewer. */
  static final int ANSWER_LIMIT = 1024;

  private final Protocol protocol;

  private Handshake(Protocol protocol) {
    this.protocol = protocol;
  }

  Protocol protocol() {
    return protocol;
  }

  /** What is sent once connected; empty where the server speaks first. */
  abstract byte[] hello();

  /**
   * What the answer so far says, or null if it needs more bytes. {@code ended}: no more will come (the server hung
   * up, or the limit or the probe's time was reached), so an answer that says too little is judged as it is.
   */
  abstract Verdict judge(byte[] answer, boolean ended);

  /**
   * The handshake for a protocol, or null for one that is not asked ({@link Protocol#TCP}: a connection is the
   * answer; {@link Protocol#UDP}: not checked). {@code env} is the service's environment, where the official images
   * take their user names.
   */
  static Handshake of(Protocol protocol, Map<String, String> env) {
    return switch (protocol) {
      case TCP, UDP -> null;
      case HTTP -> new Http();
      case POSTGRES -> new Postgres(env.getOrDefault("POSTGRES_USER", "postgres"));
      case MYSQL -> new MySql();
      case REDIS -> new Redis();
      case AMQP -> new Amqp();
      case SMTP -> new Smtp();
    };
  }

  /** The verdict on an answer that ended before it said anything. */
  private static Verdict silent(byte[] answer) {
    return Verdict.notYet(answer.length == 0 ? "the connection was closed without an answer"
        : "the answer ended early (" + answer.length + " bytes)");
  }

  /** The first line of a text answer, without its line end, for messages. */
  private static String firstLine(byte[] answer) {
    String text = new String(answer, StandardCharsets.ISO_8859_1);
    int end = text.indexOf('\n');
    return (end < 0 ? text : text.substring(0, end)).strip();
  }

  /** A whole first line, or null if it has not ended yet (and the answer has not). */
  private static String line(byte[] answer, boolean ended) {
    for (byte b : answer) {
      if (b == '\n') {
        return firstLine(answer);
      }
    }
    return ended ? firstLine(answer) : null;
  }

  private static final class Http extends Handshake {
    Http() {
      super(Protocol.HTTP);
    }

    @Override
    byte[] hello() {
      return "GET / HTTP/1.0\r\nUser-Agent: berth-readiness\r\nAccept: */*\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    Verdict judge(byte[] answer, boolean ended) {
      String line = line(answer, ended);
      if (line == null) {
        return null;
      }
      return PortProbe.status(line) > 0 ? Verdict.ready(line) : line.isEmpty() ? silent(answer)
          : Verdict.notYet("not an HTTP status line: " + line);
    }
  }

  /**
   * A startup message (protocol 3.0) for the image's user; the server answers with an authentication request
   * ('R') once it serves, or with an error ('E') whose SQLSTATE says why not. An error of another class (no such
   * role, no pg_hba.conf entry) comes from a server that serves: the client's own settings are wrong, which its
   * connection will say.
   */
  private static final class Postgres extends Handshake {
    private final String user;

    Postgres(String user) {
      super(Protocol.POSTGRES);
      this.user = user;
    }

    @Override
    byte[] hello() {
      var body = new ByteArrayOutputStream();
      body.writeBytes(new byte[] {0, 3, 0, 0});
      for (String s : new String[] {"user", user, "application_name", "berth-readiness"}) {
        body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        body.write(0);
      }
      body.write(0);
      byte[] message = new byte[4 + body.size()];
      ByteBuffer.wrap(message).putInt(message.length).put(body.toByteArray());
      return message;
    }

    @Override
    Verdict judge(byte[] answer, boolean ended) {
      if (answer.length == 0) {
        return ended ? silent(answer) : null;
      }
      if (answer[0] == 'R') {
        return Verdict.ready("an authentication request");
      }
      if (answer[0] != 'E') {
        return Verdict.notYet("not a PostgreSQL answer (first byte " + (answer[0] & 0xff) + ")");
      }
      if (answer.length < 5) {
        return ended ? silent(answer) : null;
      }
      int length = ByteBuffer.wrap(answer, 1, 4).getInt();
      if (answer.length < 1 + length && !ended) {
        return null;
      }
      String code = "";
      String message = "";
      // Fields: a type byte, then a NUL-terminated string; a NUL type byte ends them.
      int at = 5;
      while (at < answer.length && answer[at] != 0) {
        byte type = answer[at++];
        int end = at;
        while (end < answer.length && answer[end] != 0) {
          end++;
        }
        String value = new String(answer, at, end - at, StandardCharsets.UTF_8);
        if (type == 'C') {
          code = value;
        } else if (type == 'M') {
          message = value;
        }
        at = end + 1;
      }
      String said = "error " + code + " '" + message + "'";
      return code.startsWith("57P") ? Verdict.notYet(said) : Verdict.ready(said);
    }
  }

  /**
   * The server speaks first: a packet whose payload starts with 10 (the protocol version), or 0xff, an error. Only a
   * server shutting down (1053) does not serve: one that refuses this host (1130) or is full (1040) serves, and says
   * so to the client too.
   */
  private static final class MySql extends Handshake {
    /** ER_SERVER_SHUTDOWN: "Server shutdown in progress". */
    private static final int SHUTTING_DOWN = 1053;

    MySql() {
      super(Protocol.MYSQL);
    }

    @Override
    byte[] hello() {
      return new byte[0];
    }

    @Override
    Verdict judge(byte[] answer, boolean ended) {
      // A packet: 3 bytes of length (little-endian), a sequence number, the payload.
      if (answer.length < 5) {
        return ended ? silent(answer) : null;
      }
      int first = answer[4] & 0xff;
      if (first == 10) {
        int end = 5;
        while (end < answer.length && answer[end] != 0) {
          end++;
        }
        return Verdict.ready("a handshake from " + new String(answer, 5, end - 5, StandardCharsets.ISO_8859_1));
      }
      if (first == 0xff) {
        int length = (answer[0] & 0xff) | (answer[1] & 0xff) << 8 | (answer[2] & 0xff) << 16;
        if (answer.length < 4 + length && !ended) {
          return null;
        }
        int code = answer.length >= 7 ? (answer[5] & 0xff) | (answer[6] & 0xff) << 8 : 0;
        int text = Math.min(answer.length, 7);
        // Protocol 4.1 puts '#' and a five-character SQL state before the message.
        if (text < answer.length && answer[text] == '#') {
          text = Math.min(answer.length, text + 6);
        }
        int end = Math.min(answer.length, 4 + length);
        String said = "error " + code + " '" + new String(answer, text, Math.max(0, end - text),
            StandardCharsets.UTF_8) + "'";
        return code == SHUTTING_DOWN ? Verdict.notYet(said) : Verdict.ready(said);
      }
      return Verdict.notYet("not a MySQL greeting (protocol " + first + ")");
    }
  }

  private static final class Redis extends Handshake {
    Redis() {
      super(Protocol.REDIS);
    }

    @Override
    byte[] hello() {
      return "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    Verdict judge(byte[] answer, boolean ended) {
      String line = line(answer, ended);
      if (line == null) {
        return null;
      }
      if (line.isEmpty()) {
        return silent(answer);
      }
      // A server that wants a password serves: the client will give it.
      boolean ready = line.equals("+PONG") || line.startsWith("-NOAUTH") || line.startsWith("-WRONGPASS")
          || line.startsWith("-ERR AUTH");
      return new Verdict(ready, line);
    }
  }

  /** The protocol header; a server that serves answers with a method frame (type 1): {@code Connection.Start}. */
  private static final class Amqp extends Handshake {
    private static final byte[] HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    Amqp() {
      super(Protocol.AMQP);
    }

    @Override
    byte[] hello() {
      return HEADER.clone();
    }

    @Override
    Verdict judge(byte[] answer, boolean ended) {
      if (answer.length == 0) {
        return ended ? silent(answer) : null;
      }
      if (answer[0] == 1) {
        return Verdict.ready("a Connection.Start frame");
      }
      if (answer.length >= 8 && Arrays.equals(answer, 0, 4, HEADER, 0, 4)) {
        // The server speaks another version and says which: it serves, and the client will hear the same.
        return Verdict.ready("the header of AMQP " + answer[5] + "-" + answer[6] + "-" + answer[7]);
      }
      return answer.length < 8 && !ended ? null
          : Verdict.notYet("not an AMQP answer (first byte " + (answer[0] & 0xff) + ")");
    }
  }

  /** The server speaks first: 220 when it serves; 421 (service not available) or 554 when it does not. */
  private static final class Smtp extends Handshake {
    Smtp() {
      super(Protocol.SMTP);
    }

    @Override
    byte[] hello() {
      return new byte[0];
    }

    @Override
    Verdict judge(byte[] answer, boolean ended) {
      String line = line(answer, ended);
      if (line == null) {
        return null;
      }
      return line.isEmpty() ? silent(answer) : new Verdict(line.startsWith("220"), line);
    }
  }
}
