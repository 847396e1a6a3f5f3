package dev.berth.junit;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.run.ServiceScope;
import dev.berth.internal.spec.SpecAccess;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Keeps a test class's services up for a person to poke at: starts every service the class declares, prints each
 * endpoint, and stops them all on Ctrl-C.
 *
 * <pre>
 *   mvn -q install -DskipTests
 *   mvn -pl samples exec:java -Dberth.up=dev.berth.samples.WwwTest                 # each port on the same host port
 *   mvn -pl samples exec:java -Dberth.up=dev.berth.samples.WwwTest -Dexec.args="--ports 9000:8080"
 *   mvn -pl samples exec:java -Dberth.up=dev.berth.samples.WwwTest -Dexec.args=--random
 *   mvn -pl samples exec:java -Dexec.args=--list     # what berth.reuse keeps up; --down removes it
 * </pre>
 *
 * Ports are published on 127.0.0.1 only (unless {@code berth.publishAddress} says otherwise). The class may also be
 * given as the first argument.
 */
public final class BerthUp implements AutoCloseable {

  private final ServiceRuntime runtime;
  private final ServiceScope scope;
  private final Map<String, Service> services;

  private BerthUp(ServiceRuntime runtime, ServiceScope scope, Map<String, Service> services) {
    this.runtime = runtime;
    this.scope = scope;
    this.services = services;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && (args[0].equals("--list") || args[0].equals("--down"))) {
      // What berth.reuse keeps up (the session "warm", or berth.session's), and removing it.
      ServiceRuntime.keptServices(BerthConfig.ofSystem(), args[0].equals("--down"))
          .forEach(System.out::println);
      return;
    }
    try (BerthUp up = start(args, System.out)) {
      System.out.println("Press Ctrl-C to stop them.");
      var forever = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("Stopping."), "berth-up-exit"));
      forever.await();
    }
  }

  /**
   * Starts the services of the class named by {@code berth.up} (or the first argument) and prints their endpoints.
   *
   * @throws IllegalArgumentException for bad arguments, saying what is accepted
   */
  public static BerthUp start(String[] args, PrintStream out) throws ClassNotFoundException {
    String className = System.getProperty("berth.up");
    Map<Integer, Integer> remap = new LinkedHashMap<>();
    boolean random = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--random" -> random = true;
        case "--ports" -> {
          if (i + 1 == args.length) {
            throw new IllegalArgumentException("--ports needs a value such as 9000:8080,9001:6379");
          }
          for (String pair : args[++i].split(",")) {
            String[] parts = pair.strip().split(":");
            try {
              remap.put(Integer.parseInt(parts[1]), Integer.parseInt(parts[0]));
            } catch (RuntimeException e) {
              throw new IllegalArgumentException("--ports takes hostPort:containerPort pairs, such as 9000:8080,"
                  + " not '" + pair + "'", e);
            }
          }
        }
        default -> {
          if (args[i].startsWith("--") || className != null) {
            throw new IllegalArgumentException("Unknown argument '" + args[i] + "'; use [TestClass] [--ports"
                + " host:container,...] [--random]");
          }
          className = args[i];
        }
      }
    }
    if (className == null || className.isBlank()) {
      throw new IllegalArgumentException("Name the test class: -Dberth.up=com.example.MyTest (or as the first"
          + " argument)");
    }
    Class<?> testClass = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
    Declarations declarations = Declarations.of(testClass);
    var specs = new LinkedHashMap<String, ServiceSpec>();
    for (String name : declarations.containerNames()) {
      ServiceSpec spec = declarations.spec(name, Optional.empty(), "berth.up");
      if (!random) {
        for (int port : SpecAccess.definition(spec).exposedPorts()) {
          spec = spec.withHostPort(remap.getOrDefault(port, port), port);
        }
      }
      specs.put(name, spec);
    }
    var runtime = ServiceRuntime.start(BerthConfig.ofSystem());
    ServiceScope scope = runtime.newScope();
    try {
      scope.acquireAll(specs);
      var services = new LinkedHashMap<String, Service>();
      specs.forEach((name, spec) -> services.put(name, scope.service(name, spec)));
      var up = new BerthUp(runtime, scope, services);
      up.print(out, specs);
      return up;
    } catch (RuntimeException e) {
      scope.close();
      runtime.close();
      throw e;
    }
  }

  /** The running services, by name. */
  public Map<String, Service> services() {
    return services;
  }

  private void print(PrintStream out, Map<String, ServiceSpec> specs) {
    for (Map.Entry<String, Service> service : services.entrySet()) {
      List<String> endpoints = new ArrayList<>();
      for (int port : SpecAccess.definition(specs.get(service.getKey())).exposedPorts()) {
        InetSocketAddress address = service.getValue().hostAddress(port);
        endpoints.add(address.getHostString() + ":" + address.getPort() + " -> " + port);
      }
      out.printf("%s  %s  %s%n", service.getKey(), service.getValue().hostname(), String.join("  ", endpoints));
    }
  }

  /** Stops every service and removes the run's containers. */
  @Override
  public void close() {
    scope.close();
    runtime.close();
  }
}
