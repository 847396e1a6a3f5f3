package dev.berth.internal.dns;

import dev.berth.Container;
import dev.berth.Discovery;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.run.ServiceScope;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The other JVM of {@link SharedDnsTest}: a run of the session named by its argument, driven line by line on stdin
 * ({@code start <name>}, {@code lookup <name>}, {@code nslookup <name>}, {@code exit}); every answer is one line.
 */
public final class DnsPeer {

  private DnsPeer() {
  }

  public static void main(String[] args) throws Exception {
    BerthConfig config = BerthConfig.from(key -> Optional.ofNullable(Map.of("berth.session", args[0]).get(key)));
    var input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (ServiceRuntime runtime = ServiceRuntime.start(config); ServiceScope scope = runtime.newScope()) {
      Container client = null;
      for (String line = input.readLine(); line != null && !line.equals("exit"); line = input.readLine()) {
        String[] command = line.split(" ", 2);
        String answer = switch (command[0]) {
          case "start" -> {
            scope.service(command[1], SharedDnsTest.WEB.withInstanceId(command[1])).start();
            yield Discovery.lookup(command[1]).stream().map(InetAddress::getHostAddress).collect(Collectors.joining());
          }
          case "lookup" -> Discovery.lookup(command[1]).stream().map(InetAddress::getHostAddress)
              .collect(Collectors.joining(","));
          case "nslookup" -> {
            if (client == null) {
              client = runtime.newClient("client", ServiceSpec.from("busybox:1.35"));
            }
            yield client.exec("nslookup", command[1]).stdout().replace('\n', '|');
          }
          default -> "unknown command " + line;
        };
        System.out.println(command[0] + ": " + answer);
        System.out.flush();
      }
      if (client != null) {
        client.close();
      }
    }
    System.out.println("closed");
  }
}
