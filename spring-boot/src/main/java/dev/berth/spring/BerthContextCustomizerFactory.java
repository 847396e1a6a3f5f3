package dev.berth.spring;

import dev.berth.ServiceSpec;
import dev.berth.junit.ContextServices;
import java.util.List;
import java.util.Map;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;

/**
 * Gives the application context of a test class under {@code @ServiceTest} the services the class declares
 * ({@code @ServiceContainer} fields that need no test instance). Spring finds it in {@code META-INF/spring.factories}.
 */
public final class BerthContextCustomizerFactory implements ContextCustomizerFactory {

  @Override
  public ContextCustomizer createContextCustomizer(Class<?> testClass,
      List<ContextConfigurationAttributes> configAttributes) {
    if (!ContextServices.usesBerth(testClass)) {
      return null;
    }
    Map<String, ServiceSpec> services = ContextServices.declaredBy(testClass,
        "the Spring application context of " + testClass.getSimpleName());
    return services.isEmpty() ? null : new BerthContextCustomizer(services);
  }
}
