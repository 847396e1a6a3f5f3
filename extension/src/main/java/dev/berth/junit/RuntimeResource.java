package dev.berth.junit;

import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.config.Keys;
import dev.berth.internal.run.ServiceRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
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

  /** The run's runtime, if a test has needed it so far. */
  static Optional<ServiceRuntime> existing(ExtensionContext context) {
    return Optional.ofNullable(context.getRoot().getStore(BerthExtension.NAMESPACE)
        .get(RuntimeResource.class, RuntimeResource.class)).map(resource -> resource.runtime);
  }

  private static RuntimeResource create(ExtensionContext context) {
    return new RuntimeResource(ServiceRuntime.start(config(context)));
  }

  /**
   * The run's settings, read once into the root store. Every {@code berth.*} key must be known: a mistyped one
   * fails each class here, before the runtime (and with it any engine call) exists.
   */
  static BerthConfig config(ExtensionContext context) {
    return context.getRoot().getStore(BerthExtension.NAMESPACE)
        .getOrComputeIfAbsent(BerthConfig.class, key -> read(context), BerthConfig.class);
  }

  private static BerthConfig read(ExtensionContext context) {
    try {
      Keys.check(settings());
      return BerthConfig.from(key ->
          context.getConfigurationParameter(key).or(() -> BerthConfig.fromOutside(key)));
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(e.getMessage(), e);
    }
  }

  /** Every {@code berth.*} key and {@code BERTH_*} variable this run can list, each with where it is set. */
  static List<Keys.Setting> settings() {
    var settings = new ArrayList<>(Keys.outside());
    String origin = "junit-platform.properties / configuration parameter";
    parameterKeys().forEach(key -> settings.add(new Keys.Setting(key, origin)));
    return settings;
  }

  /**
   * The {@code berth.*} keys of JUnit's configuration that can be listed: the launcher's parameters, and
   * {@code junit-platform.properties} read as JUnit reads it (the extension API offers no list of keys).
   */
  private static Set<String> parameterKeys() {
    Set<String> keys = new TreeSet<>(StartAhead.parameterKeys());
    ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
        .orElse(RuntimeResource.class.getClassLoader());
    try {
      Enumeration<URL> files = loader.getResources("junit-platform.properties");
      // JUnit takes the first file found and warns about the others.
      if (files.hasMoreElements()) {
        var properties = new Properties();
        try (InputStream in = files.nextElement().openStream()) {
          properties.load(in);
        }
        properties.stringPropertyNames().stream().filter(k -> k.startsWith("berth.")).forEach(keys::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read junit-platform.properties: " + e.getMessage(), e);
    }
    return keys;
  }

  @Override
  public void close() {
    runtime.close();
  }
}
