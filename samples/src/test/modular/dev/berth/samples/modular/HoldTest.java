package dev.berth.samples.modular;

import dev.berth.Service;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.junit.ServiceTest;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Starts a service, says so, and holds it until the JVM is killed: the watchdog's case. */
@ServiceTest
class HoldTest {

  @ServiceContainer(name = "redis", image = "redis:7.0", ports = 6379)
  static Service redis;

  @Test
  void holds(@ServiceEndpoint("redis") InetSocketAddress address) throws InterruptedException {
    System.out.println("HOLDING " + address);
    System.out.flush();
    Thread.sleep(300_000);
  }
}
