package dev.berth.junit;

import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The run's {@link ServiceRuntime}, kept in the root store: created when a test first needs a service, closed
 * (removing everything the run created) when the test run ends.
 */
final class RuntimeResource implements ExtensionContext.Store.CloseableResource, AutoCloseable {

  private final ServiceRuntime runtime;

  private RuntimeResource(ServiceRuntime runtime) {
    this.runtime = runtime;
  }

  static ServiceRuntime of(ExtensionContext context) {
    return context.getRoot().getStore(BerthExtension.NAMESPACE)
        .getOrComputeIfAbsent(RuntimeResource.class, key -> create(context), RuntimeResource.class).runtime;
  }

  private static RuntimeResource create(ExtensionContext context) {
    BerthConfig config;
    try {
      config = BerthConfig.from(key ->
          context.getConfigurationParameter(key).or(() -> BerthConfig.fromOutside(key)));
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(e.getMessage(), e);
    }
    return new RuntimeResource(ServiceRuntime.start(config));
  }

  @Override
  public void close() {
    runtime.close();
  }
}
