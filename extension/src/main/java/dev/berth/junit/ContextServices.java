package dev.berth.junit;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.run.ServiceScope;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Not API (Berth's Spring Boot module uses it; it may change in any release): services held for an application
 * context that a test framework caches beyond the test class that made it. The services join the run of the test
 * classes under {@link ServiceTest} and are held, past every class's end, until {@link #close()}: a context in
 * Spring's cache never points at a service Berth stopped after its grace period.
 */
public final class ContextServices implements AutoCloseable {

  /** The root of the JUnit run whose test classes use Berth (the latest, where runs nest): its runtime is there. */
  private static final AtomicReference<ExtensionContext> run = new AtomicReference<>();

  private final ServiceScope scope;
  private final Map<String, Service> services;

  private ContextServices(ServiceScope scope, Map<String, Service> services) {
    this.scope = scope;
    this.services = services;
  }

  /** Called by the extension before a class's instances exist, so that a context made for them finds the run. */
  static void runBegins(ExtensionContext context) {
    ExtensionContext root = context.getRoot();
    if (run.getAndSet(root) != root) {
      root.getStore(BerthExtension.NAMESPACE).getOrComputeIfAbsent(ContextServices.class, key ->
          (ExtensionContext.Store.CloseableResource) () -> run.compareAndSet(root, null));
    }
  }

  /** Whether Berth's extension runs for the class ({@link ServiceTest} on it, a superclass or an enclosing class). */
  public static boolean usesBerth(Class<?> testClass) {
    return BerthExtension.usesBerth(testClass);
  }

  /**
   * The services the class declares that need no test instance (annotated {@code Service} fields and static
   * {@code ServiceSpec} fields), by name, in declaration order.
   *
   * @throws org.junit.jupiter.api.extension.ExtensionConfigurationException for a declaration that is wrong, or one
   *     in an instance field (say to make it static)
   */
  public static Map<String, ServiceSpec> declaredBy(Class<?> testClass, String usedBy) {
    Declarations declarations = Declarations.of(testClass);
    var specs = new LinkedHashMap<String, ServiceSpec>();
    for (String name : declarations.containerNames()) {
      specs.put(name, declarations.spec(name, Optional.empty(), usedBy));
    }
    return Collections.unmodifiableMap(specs);
  }

  /**
   * Starts the services (together, each waited for until ready) and holds them until {@link #close()}.
   *
   * @throws IllegalStateException if no test class under {@link ServiceTest} has begun: the run is not there
   */
  public static ContextServices hold(Map<String, ServiceSpec> specs, String holder) {
    ExtensionContext root = run.get();
    if (root == null) {
      throw new IllegalStateException(holder + " needs Berth's services, but Berth's extension has not run in this"
          + " JVM: annotate the test class with @ServiceTest (dev.berth.junit.ServiceTest)");
    }
    ServiceScope scope = RuntimeResource.of(root).newScope(holder);
    try {
      scope.acquireAll(specs);
    } catch (RuntimeException e) {
      scope.close();
      throw e;
    }
    var services = new LinkedHashMap<String, Service>();
    specs.forEach((name, spec) -> services.put(name, scope.service(name, spec)));
    return new ContextServices(scope, Collections.unmodifiableMap(services));
  }

  /** The held services by name. */
  public Map<String, Service> services() {
    return services;
  }

  /** Lets go of the services: each stops after its grace period unless a test class or another context holds it. */
  @Override
  public void close() {
    scope.close();
  }
}
