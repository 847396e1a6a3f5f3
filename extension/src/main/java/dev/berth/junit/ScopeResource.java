package dev.berth.junit;

import dev.berth.internal.run.ServiceScope;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The services a test class holds, kept in the class's store: taken when its first test needs them, released
 * when the class ends (each then keeps running for the grace period, for the next class).
 */
final class ScopeResource implements ExtensionContext.Store.CloseableResource, AutoCloseable {

  private final ServiceScope scope;

  private ScopeResource(ServiceScope scope) {
    this.scope = scope;
  }

  /** The scope of the class that {@code context} belongs to (for a test, its class; for {@code @Nested}, the inner one). */
  static ServiceScope of(ExtensionContext context) {
    ExtensionContext classContext = classOf(context);
    String owner = ReportedTests.userName(classContext.getRequiredTestClass());
    return classContext.getStore(BerthExtension.NAMESPACE).getOrComputeIfAbsent(ScopeResource.class,
        key -> new ScopeResource(RuntimeResource.of(context).newScope(owner)), ScopeResource.class).scope;
  }

  /** The scope of the class that {@code context} belongs to, if its tests have taken services so far. */
  static java.util.Optional<ServiceScope> existing(ExtensionContext context) {
    return java.util.Optional.ofNullable(classOf(context).getStore(BerthExtension.NAMESPACE)
        .get(ScopeResource.class, ScopeResource.class)).map(resource -> resource.scope);
  }

  /** The context of the class that {@code context} belongs to: itself, or the nearest ancestor that is no test. */
  private static ExtensionContext classOf(ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    return classContext;
  }

  @Override
  public void close() {
    scope.close();
  }
}
