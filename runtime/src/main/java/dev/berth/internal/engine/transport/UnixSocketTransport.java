package dev.berth.internal.engine.transport;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docker-java's transport to an engine on a Unix socket, on the JDK's own Unix-domain channels: HTTP/1.1 with
 * connections kept alive for the next request. It stands in for the Apache transport, which a fresh JVM first has
 * set up TLS and a public-suffix list for, though a local socket needs neither: about 150 ms of CPU on the way to
 * the first service. Requests that take over the connection (stdin for exec or attach) go to {@code takeover}.
 *
 * <p>Replies are read whole before {@link #execute} returns, on the caller's thread (Berth sends every request from
 * a thread nobody interrupts), except the replies of endpoints that stream until the caller closes them: logs that
 * follow, waits, events, pulls and pushes, attach and exec output, stats, builds and archives.
 *
 * <p>A request with a deadline has its connection closed when the deadline passes, from connecting to the end of
 * its reply: a channel's reads have no timeout of their own, and an engine that accepts and never answers would
 * otherwise hold the thread for good.
 */
public final class UnixSocketTransport implements DockerHttpClient {

  private static final Pattern STREAMING_ROUTE = Pattern.compile("/containers/[^/]+/(wait|attach|stats|archive|export)"
      + "|/exec/[^/]+/start|/events|/images/create|/images/.+/(push|get)|/images/get|/build");
  private static final Pattern FOLLOWED_LOGS = Pattern.compile("/containers/[^/]+/logs");
  private static final Pattern FOLLOW = Pattern.compile("(^|&)follow=(true|1)(&|$)");

  /** Each request, its status and how long the engine took to answer, at debug level: for profiling. */
  private static final Logger LOG = LoggerFactory.getLogger("dev.berth.engine");

  /** Closes the connections of requests whose deadline passed; one thread for the JVM, idle but for that. */
  private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(task -> {
    var thread = new Thread(task, "berth-engine-deadline");
    thread.setDaemon(true);
    return thread;
  });

  private final Path socket;
  private final Function<Request, Duration> deadlineOf;
  private final Supplier<DockerHttpClient> makeTakeover;
  private DockerHttpClient takeover;
  private final Deque<Connection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  /**
   * @param socket the engine's socket
   * @param takeover makes the transport for requests that take over the connection, on first need
   */
  public UnixSocketTransport(Path socket, Supplier<DockerHttpClient> takeover) {
    this(socket, request -> null, takeover);
  }

  /**
   * @param socket the engine's socket
   * @param deadlineOf each request's deadline, from connecting to the end of its reply; null for none
   * @param takeover makes the transport for requests that take over the connection, on first need
   */
  public UnixSocketTransport(Path socket, Function<Request, Duration> deadlineOf,
      Supplier<DockerHttpClient> takeover) {
    this.socket = socket;
    this.deadlineOf = deadlineOf;
    this.makeTakeover = takeover;
  }

  @Override
  public Response execute(Request request) {
    if (request.hijackedInput() != null) {
      return takeover().execute(request);
    }
    byte[] head;
    byte[] body;
    try {
      InputStream content = request.body();
      body = content == null ? null : content.readAllBytes();
      head = head(request, body);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the body of " + request.method() + " " + request.path(), e);
    }
    Duration deadline = deadlineOf.apply(request);
    long due = deadline == null ? 0 : System.nanoTime() + deadline.toNanos();
    while (true) {
      Connection connection = idle.pollFirst();
      boolean reused = connection != null;
      ScheduledFuture<?> guard = null;
      try {
        if (connection == null) {
          connection = open(deadline != null, due);
        }
        if (deadline != null) {
          guard = DEADLINES.schedule(connection::close, due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        long sent = System.nanoTime();
        Response response = exchange(connection, head, body, streams(request.path()));
        if (guard != null) {
          guard.cancel(false);
        }
        if (LOG.isDebugEnabled()) {
          LOG.debug("{} {} -> {} in {} us", request.method(), request.path(), response.getStatusCode(),
              (System.nanoTime() - sent) / 1000);
        }
        return response;
      } catch (IOException e) {
        if (guard != null) {
          guard.cancel(false);
        }
        if (connection != null) {
          connection.close();
        }
        boolean overdue = deadline != null && System.nanoTime() - due >= 0;
        // A kept-alive connection the engine had closed: again on a new one, if the request surely did not run
        // (it could not be sent) or running it twice does no harm.
        if (!overdue && reused && e instanceof StaleConnection stale
            && (stale.unsent || idempotent(request.method()))) {
          continue;
        }
        if (overdue) {
          throw new UncheckedIOException("The Docker engine at unix://" + socket + " did not answer "
              + request.method() + " " + request.path() + " within " + deadline.toMillis() + " ms",
              new java.net.SocketTimeoutException(e.getMessage()));
        }
        throw new UncheckedIOException("The Docker engine at unix://" + socket + " failed " + request.method() + " "
            + request.path() + ": " + e.getMessage(), e);
      }
    }
  }

  private static boolean idempotent(String method) {
    return "GET".equals(method) || "HEAD".equals(method) || "DELETE".equals(method);
  }

  /** Whether the endpoint's reply streams until the caller closes it (or the engine ends it). */
  public static boolean streams(String path) {
    String unversioned = path.replaceFirst("^/v[0-9.]+/", "/");
    int q = unversioned.indexOf('?');
    String route = q < 0 ? unversioned : unversioned.substring(0, q);
    String query = q < 0 ? "" : unversioned.substring(q + 1);
    if (FOLLOWED_LOGS.matcher(route).matches()) {
      return FOLLOW.matcher(query).find();
    }
    return STREAMING_ROUTE.matcher(route).matches();
  }

  /**
   * A new connection; with a deadline, given up at {@code due}: connecting to a listener whose backlog is full
   * waits, and a channel being connected gives up when another thread closes it.
   */
  private Connection open(boolean bounded, long due) throws IOException {
    if (closed) {
      throw new IOException("the transport is closed");
    }
    var connection = new Connection(SocketChannel.open(StandardProtocolFamily.UNIX));
    ScheduledFuture<?> guard = bounded
        ? DEADLINES.schedule(connection::close, due - System.nanoTime(), TimeUnit.NANOSECONDS) : null;
    try {
      connection.channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      connection.close();
      throw e;
    } finally {
      if (guard != null) {
        guard.cancel(false);
      }
    }
    return connection;
  }

  private static byte[] head(Request request, byte[] body) {
    var head = new StringBuilder(256).append(request.method()).append(' ').append(request.path())
        .append(" HTTP/1.1\r\nHost: docker\r\n");
    request.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    if (body != null || !"GET".equals(request.method()) && !"DELETE".equals(request.method())) {
      head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
    }
    return head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  private Response exchange(Connection connection, byte[] head, byte[] body, boolean streaming) throws IOException {
    try {
      connection.write(head);
      if (body != null) {
        connection.write(body);
      }
    } catch (IOException e) {
      throw (IOException) new StaleConnection(true).initCause(e);
    }
    String status = readLine(connection.in);
    if (status == null) {
      throw new StaleConnection(false);
    }
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP reply: '" + status + "'");
    }
    int code = Integer.parseInt(parts[1]);
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line = requireLine(connection.in, "in its head"); !line.isEmpty();
        line = requireLine(connection.in, "in its head")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
            .add(line.substring(colon + 1).trim());
      }
    }
    boolean keepAlive = !"close".equalsIgnoreCase(first(headers, "Connection"));
    Framed content;
    if (code / 100 == 1 || code == 204 || code == 304) {
      content = new Bounded(connection.in, 0);
    } else if ("chunked".equalsIgnoreCase(first(headers, "Transfer-Encoding"))) {
      content = new Chunked(connection.in);
    } else if (first(headers, "Content-Length") != null) {
      content = new Bounded(connection.in, Long.parseLong(first(headers, "Content-Length")));
    } else {
      content = new UntilClosed(connection.in); // the engine ends it by closing the connection
      keepAlive = false;
    }
    var reply = new Body(content, connection, keepAlive);
    if (streaming) {
      return new Reply(code, headers, reply);
    }
    try (reply) {
      return new Reply(code, headers, new ByteArrayInputStream(reply.readAllBytes()));
    }
  }

  /**
   * A line of a reply (in its head, or a chunk's size), without its CRLF; null at the end of the stream before any
   * byte.
   */
  private static String readLine(InputStream in) throws IOException {
    var line = new StringBuilder(64);
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        if (line.length() == 0) {
          return null;
        }
        throw new EOFException("the reply ended within a line");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /** A line that must come: the end of the stream {@code where} it is due cuts the reply short. */
  private static String requireLine(InputStream in, String where) throws IOException {
    String line = readLine(in);
    if (line == null) {
      throw new EOFException("the reply ended " + where);
    }
    return line;
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Gives a connection whose reply was read to its end back for the next request. */
  private void release(Connection connection) {
    if (closed) {
      connection.close();
    } else {
      idle.addFirst(connection);
    }
  }

  private synchronized DockerHttpClient takeover() {
    if (takeover == null) {
      takeover = makeTakeover.get();
    }
    return takeover;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    for (Connection connection = idle.poll(); connection != null; connection = idle.poll()) {
      connection.close();
    }
    synchronized (this) {
      if (takeover != null) {
        takeover.close();
      }
    }
  }

  /** The engine closed a kept-alive connection before answering on it. */
  private static final class StaleConnection extends EOFException {
    /** Whether the request could not even be sent. */
    final boolean unsent;

    StaleConnection(boolean unsent) {
      super("the engine closed the connection");
      this.unsent = unsent;
    }
  }

  private static final class Connection {
    final SocketChannel channel;
    final InputStream in;

    Connection(SocketChannel channel) {
      this.channel = channel;
      this.in = new BufferedInputStream(Channels.newInputStream(channel), 8192);
    }

    void write(byte[] bytes) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }

    void close() {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing left to do with it
      }
    }
  }

  /**
   * A reply's body: closing it gives the connection back if the body was read to its end and the engine keeps the
   * connection alive, and closes the connection otherwise (which also ends a stream the engine still writes).
   */
  private final class Body extends FilterInputStream {
    private final Framed content;
    private final Connection connection;
    private final boolean keepAlive;
    private boolean done;

    Body(Framed content, Connection connection, boolean keepAlive) {
      super(content);
      this.content = content;
      this.connection = connection;
      this.keepAlive = keepAlive;
    }

    @Override
    public synchronized void close() {
      if (done) {
        return;
      }
      done = true;
      if (keepAlive && content.atEnd()) {
        release(connection);
      } else {
        connection.close();
      }
    }
  }

  /** A reply's body as the engine framed it, which knows when it has been read to its end. */
  private abstract static class Framed extends FilterInputStream {
    Framed(InputStream in) {
      super(in);
    }

    abstract boolean atEnd();

    @Override
    public void close() {
      // the connection is the Body's to close
    }
  }

  /** A body that ends when the engine closes the connection. */
  private static final class UntilClosed extends Framed {
    UntilClosed(InputStream in) {
      super(in);
    }

    @Override
    boolean atEnd() {
      return false; // the connection is done with in any case
    }
  }

  /** A body of known length. */
  private static final class Bounded extends Framed {
    private long left;

    Bounded(InputStream in, long length) {
      super(in);
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the reply ended " + left + " bytes early");
      }
      left--;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, left));
      if (n < 0) {
        throw new EOFException("the reply ended " + left + " bytes early");
      }
      left -= n;
      return n;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), left);
    }

    @Override
    boolean atEnd() {
      return left <= 0;
    }
  }

  /** A body in chunks (RFC 9112, section 7.1), trailers skipped. */
  private static final class Chunked extends Framed {
    private long left;
    private boolean last;

    Chunked(InputStream in) {
      super(in);
    }

    /** Bytes left in the current chunk; reads the next chunk's size when it is used up. False at the end. */
    private boolean more() throws IOException {
      if (last) {
        return false;
      }
      if (left > 0) {
        return true;
      }
      String size = line();
      int extension = size.indexOf(';');
      left = Long.parseLong((extension < 0 ? size : size.substring(0, extension)).trim(), 16);
      if (left == 0) {
        last = true;
        while (!line().isEmpty()) {
          // trailer fields, unused
        }
        return false;
      }
      return true;
    }

    private String line() throws IOException {
      return requireLine(in, "within its chunks");
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (!more()) {
        return -1;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, left));
      if (n < 0) {
        throw new EOFException("the reply ended within a chunk");
      }
      left -= n;
      if (left == 0) {
        // the CRLF after the chunk's data
        if (!line().isEmpty()) {
          throw new IOException("a chunk is longer than its size says");
        }
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return last ? 0 : (int) Math.min(in.available(), left);
    }

    @Override
    boolean atEnd() {
      return last;
    }
  }

  private record Reply(int code, Map<String, List<String>> headers, InputStream body) implements Response {
    @Override
    public int getStatusCode() {
      return code;
    }

    @Override
    public Map<String, List<String>> getHeaders() {
      return headers;
    }

    @Override
    public InputStream getBody() {
      return body;
    }

    @Override
    public void close() {
      try {
        body.close();
      } catch (IOException e) {
        // the connection is closed in any case
      }
    }
  }

  /**
   * The response with its body read whole and its connection given back or closed: a reply read whole on the
   * thread that waits for it within a deadline. One read whole already is returned as it is.
   */
  public static Response readWhole(Response response) {
    if (response instanceof Reply reply && reply.body() instanceof ByteArrayInputStream) {
      return response;
    }
    try (response) {
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.putAll(response.getHeaders());
      InputStream body = response.getBody();
      return new Reply(response.getStatusCode(), headers,
          new ByteArrayInputStream(body == null ? new byte[0] : body.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException("The engine's reply ended early: " + e.getMessage(), e);
    }
  }

  /** The socket path of a {@code unix://} engine address; null for any other. */
  public static Path socketOf(java.net.URI host) {
    return "unix".equals(host.getScheme()) && host.getPath() != null && !host.getPath().isEmpty()
        ? Path.of(host.getPath()) : null;
  }

  @Override
  public String toString() {
    return "unix://" + socket;
  }
}
