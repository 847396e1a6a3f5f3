package dev.berth.spring;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.junit.ContextServices;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.util.ClassUtils;

/**
 * Holds a test class's services for one application context, from before its refresh to its close, and gives the
 * context their connection details and {@code berth.services.*} properties.
 *
 * <p>Equal when the services are (names and definitions): test classes that declare the same services, and are alike
 * in all else Spring compares, share one cached context, as they share one container per service.
 */
final class BerthContextCustomizer implements ContextCustomizer {

  /** The bean that holds the services; the context's close destroys it, which lets go of them. */
  static final String HOLDER_BEAN = "berth.contextServices";

  private final Map<String, ServiceSpec> services;
  private final Map<String, String> digests = new LinkedHashMap<>();

  BerthContextCustomizer(Map<String, ServiceSpec> services) {
    this.services = services;
    services.forEach((name, spec) -> digests.put(name, spec.digest()));
  }

  @Override
  public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
    String holder = "The Spring application context of " + config.getTestClass().getSimpleName();
    ContextServices held = ContextServices.hold(services, holder);
    if (context instanceof BeanDefinitionRegistry registry) {
      var definition = new RootBeanDefinition(ContextServices.class, () -> held);
      definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
      registry.registerBeanDefinition(HOLDER_BEAN, definition);
    } else {
      context.addApplicationListener(new ReleaseOnClose(context, held));
    }
    Map<String, Service> running = held.services();
    context.getEnvironment().getPropertySources().addLast(new MapPropertySource("berth",
        ServiceProperties.of(running)));
    ClassLoader loader = context.getClassLoader();
    if (ClassUtils.isPresent(JdbcDetails.TYPE, loader)) {
      JdbcDetails.register(context.getBeanFactory(), running);
    }
    if (ClassUtils.isPresent(R2dbcDetails.TYPE, loader)) {
      R2dbcDetails.register(context.getBeanFactory(), running);
    }
    if (ClassUtils.isPresent(RedisDetails.TYPE, loader)) {
      RedisDetails.register(context.getBeanFactory(), running);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof BerthContextCustomizer that && digests.equals(that.digests);
  }

  @Override
  public int hashCode() {
    return digests.hashCode();
  }

  @Override
  public String toString() {
    return "Berth services " + digests;
  }
}
