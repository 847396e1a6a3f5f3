package dev.berth.internal.net;

import dev.berth.BerthException;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A run in a JVM of its own, started by {@link JvmInContainerTest} in a container: starts a redis with nothing but
 * its environment to go by, sends PING to the host address Berth gives, and prints {@code reply <line> from
 * <host>:<port>}, or {@code failed: <message>} and exits with 3. With the argument {@code host-service}, it binds a
 * port of its own as a host service instead; with {@code replicas}, it starts a replicated service.
 */
public final class JvmInContainerProbe {

  private JvmInContainerProbe() {
  }

  public static void main(String[] args) {
    try (var runtime = ServiceRuntime.start(BerthConfig.from(BerthConfig::fromSystem));
         var scope = runtime.newScope()) {
      if (args.length > 0 && args[0].equals("replicas")) {
        scope.service("pool", ServiceSpec.from("redis:7.0").withExposedPort(6379).withReplicas(2)).start();
        System.out.println("reply: the replicas started");
        return;
      }
      if (args.length > 0 && args[0].equals("host-service")) {
        try (var listening = new ServerSocket(0)) {
          scope.service("db", ServiceSpec.host("tcp://localhost:" + listening.getLocalPort())).start();
        }
        System.out.println("reply: the host service started");
        return;
      }
      Service redis = scope.service("redis", ServiceSpec.from("redis:7.0").withExposedPort(6379));
      InetSocketAddress address = redis.hostAddress(6379);
      try (var socket = new Socket()) {
        socket.connect(address, 5000);
        socket.setSoTimeout(5000);
        socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
            .readLine();
        System.out.println("reply " + reply + " from " + address.getHostString() + ":" + address.getPort());
      }
    } catch (BerthException | IOException e) {
      System.out.println("failed: " + e.getMessage());
      System.exit(3);
    }
  }
}
