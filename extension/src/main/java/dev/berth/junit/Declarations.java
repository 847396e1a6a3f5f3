package dev.berth.junit;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.HostService;
import dev.berth.annotations.ServiceContainer;
import dev.berth.internal.spec.SpecAccess;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.TestInstances;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The services a test class can name: {@link ServiceContainer} fields of the class, its superclasses and its
 * enclosing classes (an inner class's declaration shadows an enclosing one of the same name). Resolving a name
 * yields its {@link ServiceSpec} with the field's own {@link BindService}s applied, recursively.
 */
final class Declarations {

  private final Class<?> testClass;
  private final Map<String, Declared> byName;
  private final Map<String, HostService> hosts;

  /** One {@code @ServiceContainer} field. */
  record Declared(String name, Field field, ServiceContainer annotation) {

    boolean isHandle() {
      return field.getType() == Service.class;
    }

    boolean isStatic() {
      return ModifierSupport.isStatic(field);
    }

    String where() {
      return "field " + field.getDeclaringClass().getSimpleName() + "." + field.getName();
    }
  }

  private Declarations(Class<?> testClass, Map<String, Declared> byName, Map<String, HostService> hosts) {
    this.testClass = testClass;
    this.byName = byName;
    this.hosts = hosts;
  }

  /**
   * Scans and checks the declarations a test class sees.
   *
   * @throws ExtensionConfigurationException for a field of the wrong type or a name declared twice at one level
   */
  static Declarations of(Class<?> testClass) {
    var byName = new LinkedHashMap<String, Declared>();
    for (Class<?> level = testClass; level != null; level = level.getEnclosingClass()) {
      var atLevel = new LinkedHashMap<String, Declared>();
      for (Field field : AnnotationSupport.findAnnotatedFields(level, ServiceContainer.class)) {
        ServiceContainer annotation = field.getAnnotation(ServiceContainer.class);
        var declared = new Declared(annotation.name().isEmpty() ? field.getName() : annotation.name(), field,
            annotation);
        checkType(declared);
        Declared twin = atLevel.putIfAbsent(declared.name(), declared);
        if (twin != null) {
          throw new ExtensionConfigurationException("Two services are named '" + declared.name() + "': "
              + twin.where() + " and " + declared.where() + ". Give one another name with"
              + " @ServiceContainer(name = \"...\")");
        }
      }
      atLevel.forEach(byName::putIfAbsent);
    }
    var hosts = new LinkedHashMap<String, HostService>();
    for (Class<?> type : visibleClasses(testClass)) {
      addHosts(hosts, type, "class " + type.getSimpleName(), byName);
    }
    return new Declarations(testClass, byName, hosts);
  }

  /**
   * The classes whose class-level annotations a test class sees: itself and its superclasses, then each enclosing
   * class and its superclasses, innermost first.
   */
  static List<Class<?>> visibleClasses(Class<?> testClass) {
    var classes = new ArrayList<Class<?>>();
    for (Class<?> level = testClass; level != null; level = level.getEnclosingClass()) {
      for (Class<?> type = level; type != null && type != Object.class; type = type.getSuperclass()) {
        classes.add(type);
      }
    }
    return classes;
  }

  /** These declarations and the method's own {@link HostService}s, which shadow the class's. */
  Declarations withHostsOf(java.lang.reflect.Method method) {
    var methodHosts = new LinkedHashMap<String, HostService>();
    addHosts(methodHosts, method, "method " + method.getName(), Map.of());
    if (methodHosts.isEmpty()) {
      return this;
    }
    var all = new LinkedHashMap<>(methodHosts);
    hosts.forEach(all::putIfAbsent);
    return new Declarations(testClass, byName, all);
  }

  /** The host services declared on an element (each one also binds into its clients), alias to name. */
  static Map<String, String> hostAliases(AnnotatedElement element) {
    var aliases = new LinkedHashMap<String, String>();
    for (HostService host : AnnotationSupport.findRepeatableAnnotations(element, HostService.class)) {
      aliases.put(host.name(), host.name());
    }
    return aliases;
  }

  private static void addHosts(Map<String, HostService> hosts, AnnotatedElement element, String where,
      Map<String, Declared> fields) {
    for (HostService host : AnnotationSupport.findRepeatableAnnotations(element, HostService.class)) {
      Declared field = fields.get(host.name());
      if (field != null) {
        throw new ExtensionConfigurationException("Two services are named '" + host.name() + "': @HostService on "
            + where + " and " + field.where() + ". Give one another name");
      }
      hosts.putIfAbsent(host.name(), host);
    }
  }

  private static void checkType(Declared declared) {
    Class<?> type = declared.field().getType();
    if (type != ServiceSpec.class && type != Service.class) {
      throw new ExtensionConfigurationException("@ServiceContainer " + declared.where() + " has type "
          + type.getSimpleName() + "; use ServiceSpec (the spec defines the service) or Service (the annotation"
          + " defines it and Berth injects a handle)");
    }
    if (declared.isHandle()) {
      if (ModifierSupport.isFinal(declared.field())) {
        throw new ExtensionConfigurationException("@ServiceContainer " + declared.where() + " is final, so Berth"
            + " cannot inject its Service handle; remove 'final'");
      }
      if (declared.annotation().image().isEmpty() && declared.annotation().build().isEmpty()) {
        throw new ExtensionConfigurationException("@ServiceContainer " + declared.where() + " names no image;"
            + " a Service field is defined by its annotation: add image = \"...\", or build = \"...\" for a"
            + " Dockerfile's directory (or declare a ServiceSpec field)");
      }
    } else {
      List<String> attributes = AnnotatedSpec.definitionAttributes(declared.annotation());
      if (!attributes.isEmpty()) {
        throw new ExtensionConfigurationException("@ServiceContainer " + declared.where() + " is a ServiceSpec"
            + " field but sets " + String.join(", ", attributes) + ", which only a Service field reads: the spec"
            + " defines the service. Put them in the spec (" + String.join(", ", attributes.stream()
                .map(AnnotatedSpec::specMethod).distinct().toList()) + "), or make the field a Service");
      }
    }
  }

  /** The specs that can be known before a test instance exists (to prepare for them); misdeclarations are skipped. */
  List<ServiceSpec> staticSpecs() {
    var specs = new ArrayList<ServiceSpec>();
    for (String name : byName.keySet()) {
      try {
        specs.add(spec(name, Optional.empty(), "warm-up"));
      } catch (InitializerFailed e) {
        throw e;   // the class cannot run at all, and a second read would say only NoClassDefFoundError
      } catch (RuntimeException e) {
        // reported where the service is needed
      }
    }
    return specs;
  }

  /** Whether the class can name any service at all. */
  boolean declaresAny() {
    return !byName.isEmpty() || !hosts.isEmpty();
  }

  /** The names of the declared container services (not the host services), in declaration order. */
  List<String> containerNames() {
    return List.copyOf(byName.keySet());
  }

  /** The {@code Service} fields to inject, declared in the test class or its superclasses. */
  List<Declared> handles(boolean statics) {
    var handles = new ArrayList<Declared>();
    for (Declared declared : byName.values()) {
      if (declared.isHandle() && declared.isStatic() == statics
          && declared.field().getDeclaringClass().isAssignableFrom(testClass)) {
        handles.add(declared);
      }
    }
    return handles;
  }

  /**
   * The spec a name stands for, with its field's bindings applied recursively.
   *
   * @param instances the test instances, for non-static {@code ServiceSpec} fields; empty in a static context
   * @param usedBy where the name appears, for messages
   */
  ServiceSpec spec(String name, Optional<TestInstances> instances, String usedBy) {
    return resolve(name, instances, usedBy, new ArrayDeque<>());
  }

  /**
   * The spec of a {@link HostService}: its address, and its {@code ports} entries, {@code "5432:54321"}, with their
   * {@code ${...}} placeholders resolved.
   */
  static ServiceSpec hostSpec(HostService host) {
    ServiceSpec spec = ServiceSpec.host(placeholders(host.value(), host, System::getProperty, System::getenv));
    for (String declared : host.ports()) {
      String entry = placeholders(declared, host, System::getProperty, System::getenv);
      String[] ports = entry.split(":", -1);
      if (ports.length != 2 || !ports[0].matches("\\d{1,5}") || !ports[1].matches("\\d{1,5}")) {
        throw new IllegalArgumentException("ports entry '" + entry + "' is not port:hostPort, such as \"5432:54321\""
            + " (containers connect to 5432, relayed to port 54321 of the test machine)");
      }
      spec = spec.withRelayedPort(Integer.parseInt(ports[0]), Integer.parseInt(ports[1]));
    }
    return spec;
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}");

  /**
   * {@code text} with each {@code ${key}} replaced by the system property {@code key}, else the environment variable
   * {@code key}, else the default after a colon ({@code ${key:3306}}): an address known only when the tests run,
   * such as a port a build picks, in an annotation, whose values are constants.
   */
  static String placeholders(String text, HostService host, UnaryOperator<String> properties,
      UnaryOperator<String> environment) {
    Matcher matcher = PLACEHOLDER.matcher(text);
    var resolved = new StringBuilder();
    while (matcher.find()) {
      String key = matcher.group(1);
      String value = properties.apply(key);
      if (value == null) {
        value = environment.apply(key);
      }
      if (value == null) {
        value = matcher.group(2);
      }
      if (value == null) {
        throw new ExtensionConfigurationException("@HostService(name = \"" + host.name() + "\") uses ${" + key
            + "} in '" + text + "', which is neither a system property nor an environment variable. Set it, or give"
            + " a default: ${" + key + ":3306}");
      }
      matcher.appendReplacement(resolved, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(resolved);
    return resolved.toString();
  }

  private ServiceSpec resolve(String name, Optional<TestInstances> instances, String usedBy, Deque<String> path) {
    Declared declared = byName.get(name);
    if (declared == null && hosts.containsKey(name)) {
      try {
        return hostSpec(hosts.get(name));
      } catch (IllegalArgumentException e) {
        throw new ExtensionConfigurationException("@HostService(name = \"" + name + "\"): " + e.getMessage(), e);
      }
    }
    if (declared == null) {
      var known = new TreeSet<>(byName.keySet());
      known.addAll(hosts.keySet());
      throw new ExtensionConfigurationException(usedBy + " names service '" + name + "', which "
          + testClass.getSimpleName() + " does not declare; known services: " + known
          + ". Declare it with @ServiceContainer on a field of the test class, a superclass or an enclosing class");
    }
    if (path.contains(name)) {
      var cycle = new ArrayList<>(path);
      cycle.subList(0, cycle.indexOf(name)).clear();
      cycle.add(name);
      throw new ExtensionConfigurationException("Service bindings form a cycle: " + String.join(" -> ", cycle)
          + ". A bound service starts before the one it is bound into, so bindings cannot be circular. Give such"
          + " services global hostnames instead (ServiceSpec.withHostname(\"...\")), which every container of the"
          + " run resolves, and start them explicitly (@ServiceHandle ... start())");
    }
    path.addLast(name);
    ServiceSpec spec = base(declared, instances);
    for (Map.Entry<String, String> binding : aliases(declared.field(), declared.where()).entrySet()) {
      ServiceSpec bound = resolve(binding.getValue(), instances, "@BindService on " + declared.where(), path);
      spec = withBinding(spec, binding.getKey(), bound, declared.where());
    }
    path.removeLast();
    return spec;
  }

  private static ServiceSpec base(Declared declared, Optional<TestInstances> instances) {
    if (declared.isHandle()) {
      return fromAnnotation(declared);
    }
    Object target = null;
    if (!declared.isStatic()) {
      target = instances.flatMap(i -> i.findInstance(declared.field().getDeclaringClass())).orElseThrow(() ->
          new ExtensionConfigurationException("@ServiceContainer " + declared.where() + " is not static, but is"
              + " needed where no test instance exists (a static field or a class-level need); make it static"));
    }
    Object value;
    try {
      value = ReflectionSupport.tryToReadFieldValue(declared.field(), target).getOrThrow(e ->
          new ExtensionConfigurationException("Cannot read @ServiceContainer " + declared.where(), e));
    } catch (ExceptionInInitializerError e) {
      // Reading the field runs the class's static initialiser: a spec's own check fails there, and its message is
      // the one to show (Maven's summary would otherwise print only "ExceptionInInitializer").
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new InitializerFailed("Cannot read @ServiceContainer " + declared.where() + ": the static initialiser of "
          + declared.field().getDeclaringClass().getSimpleName() + " failed: " + cause.getMessage(), cause);
    }
    if (value == null) {
      throw new ExtensionConfigurationException("@ServiceContainer " + declared.where() + " is null; assign it a"
          + " ServiceSpec, for example ServiceSpec.from(\"redis:7.0\").withExposedPort(6379)");
    }
    return (ServiceSpec) value;
  }

  private static ServiceSpec fromAnnotation(Declared declared) {
    try {
      return AnnotatedSpec.of(declared.annotation());
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new ExtensionConfigurationException("@ServiceContainer " + declared.where() + ": " + e.getMessage(), e);
    }
  }

  /** The bindings declared on an element, alias to service name. */
  static Map<String, String> aliases(AnnotatedElement element, String where) {
    var aliases = new LinkedHashMap<String, String>();
    addAliases(aliases, AnnotationSupport.findRepeatableAnnotations(element, BindService.class), where);
    return aliases;
  }

  /** Adds bindings under their aliases; the same alias may repeat only for the same service. */
  static void addAliases(Map<String, String> aliases, List<BindService> bindings, String where) {
    for (BindService binding : bindings) {
      String alias = binding.alias().isEmpty() ? binding.value() : binding.alias();
      try {
        SpecAccess.requireAlias(alias);
      } catch (IllegalArgumentException e) {
        throw badAlias(where, e);
      }
      String previous = aliases.putIfAbsent(alias, binding.value());
      if (previous != null && !previous.equals(binding.value())) {
        throw new ExtensionConfigurationException("Two bindings use the alias '" + alias + "' for " + where
            + ": services '" + previous + "' and '" + binding.value() + "'. Give one another alias with"
            + " @BindService(value = \"" + binding.value() + "\", alias = \"...\")");
      }
    }
  }

  static ServiceSpec withBinding(ServiceSpec spec, String alias, ServiceSpec bound, String where) {
    try {
      return spec.withServiceBinding(alias, bound);
    } catch (IllegalArgumentException e) {
      throw badAlias(where, e);
    }
  }

  /** A declaring class whose static initialiser failed: it fails the class, since none of its tests can run. */
  static final class InitializerFailed extends ExtensionConfigurationException {
    private static final long serialVersionUID = 1L;

    InitializerFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static ExtensionConfigurationException badAlias(String where, IllegalArgumentException e) {
    return new ExtensionConfigurationException("@BindService on " + where + ": " + e.getMessage()
        + ". Give a valid one with @BindService(value = \"...\", alias = \"...\")", e);
  }
}
