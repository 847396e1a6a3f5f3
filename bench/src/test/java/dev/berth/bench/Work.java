package dev.berth.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The work every benchmark test does: a redis SET and GET over RESP, and a JDBC insert and select. */
public final class Work {

  private Work() {
  }

  /** SETs a key and GETs it back over a plain socket; fails unless the value comes back. */
  public static void redisSetGet(InetSocketAddress redis, String key) throws IOException {
    String value = key + "-" + System.nanoTime();
    try (var socket = new Socket()) {
      socket.connect(redis, 5000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(resp("SET", key, value));
      out.flush();
      expect("+OK", readLine(in));
      out.write(resp("GET", key));
      out.flush();
      String header = readLine(in);
      expect("$" + value.getBytes(StandardCharsets.UTF_8).length, header);
      expect(value, readLine(in));
    }
  }

  /** Inserts a row into table {@code bench} (created if missing) and selects it back. */
  public static void postgresInsertSelect(String jdbcUrl, String user, String password, String key)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS bench (k varchar PRIMARY KEY, v bigint NOT NULL)");
      }
      long v = System.nanoTime();
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO bench VALUES (?, ?)")) {
        insert.setString(1, key);
        insert.setLong(2, v);
        insert.executeUpdate();
      }
      try (PreparedStatement select = c.prepareStatement("SELECT v FROM bench WHERE k = ?")) {
        select.setString(1, key);
        try (ResultSet rows = select.executeQuery()) {
          if (!rows.next() || rows.getLong(1) != v) {
            throw new AssertionError("postgres did not return the row " + key);
          }
        }
      }
    }
  }

  /** A key unique to the test class and method, so classes sharing one service never collide. */
  public static String key(Class<?> testClass, String method) {
    return testClass.getSimpleName() + "." + method;
  }

  private static byte[] resp(String... words) {
    var sb = new StringBuilder("*").append(words.length).append("\r\n");
    for (String w : words) {
      sb.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String readLine(InputStream in) throws IOException {
    var sb = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\r') {
        in.read();
        return sb.toString();
      }
      sb.append((char) b);
    }
    throw new IOException("redis closed the connection after '" + sb + "'");
  }

  private static void expect(String wanted, String got) {
    if (!wanted.equals(got)) {
      throw new AssertionError("redis answered '" + got + "', expected '" + wanted + "'");
    }
  }
}
