package dev.berth.junit;

import dev.berth.Container;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceEndpoint;
import dev.berth.annotations.ServiceHandle;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.run.ServiceScope;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;
import org.junit.jupiter.api.extension.TestInstances;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;

/**
 * Translates a test class's annotations into runtime calls; it holds no state of its own (everything lives in
 * stores) and makes no Docker call.
 *
 * <ul>
 *   <li>{@code beforeAll}: check the declarations, inject lazy {@code Service} handles into static fields.
 *       Nothing starts: a class whose tests are all skipped starts nothing.</li>
 *   <li>{@code beforeEach}: acquire, in parallel, every service this test needs (bindings on the class, the method,
 *       its clients; endpoints), then inject instance handles and client fields.</li>
 *   <li>{@code resolveParameter}: clients (removed when the test ends) and host-side endpoints.</li>
 * </ul>
 */
final class BerthExtension implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback, ParameterResolver,
    TestInstancePreConstructCallback {

  static final Namespace NAMESPACE = Namespace.create(BerthExtension.class);
  /** Each test class's declarations, keyed by the class. */
  private static final Namespace DECLARATIONS = NAMESPACE.append("declarations");

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    boolean optional = context.getTestClass().flatMap(BerthExtension::serviceTest)
        .map(ServiceTest::disabledWithoutDocker).orElse(false);
    if (!optional) {
      return ConditionEvaluationResult.enabled("Berth needs a Docker engine and will fail without one");
    }
    // Connecting begins with a ping that has berth.pingTimeout: an engine that accepts and never answers skips too.
    Optional<String> problem = RuntimeResource.of(context).engineProblem();
    if (problem.isEmpty()) {
      return ConditionEvaluationResult.enabled("a Docker engine answers");
    }
    return ConditionEvaluationResult.disabled("No Docker engine answers, and @ServiceTest(disabledWithoutDocker ="
        + " true) skips the tests; point Berth at an engine with DOCKER_HOST or berth.dockerHost. " + problem.get());
  }

  /** The {@link ServiceTest} on the class, a superclass or an enclosing class. */
  private static Optional<ServiceTest> serviceTest(Class<?> testClass) {
    for (Class<?> level = testClass; level != null; level = level.getEnclosingClass()) {
      Optional<ServiceTest> found = AnnotationSupport.findAnnotation(level, ServiceTest.class);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** Whether Berth's extension runs for the class: {@link ServiceTest} on it, a superclass or an enclosing class. */
  static boolean usesBerth(Class<?> testClass) {
    return serviceTest(testClass).isPresent();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    RuntimeResource.config(context);   // an unknown key fails the class here, before anything starts
    ContextServices.runBegins(context);
    Declarations declarations = declarations(context);
    Optional<ServiceRuntime> runtime = Optional.empty();
    if (declarations.declaresAny()) {
      // Connecting takes about a second in a fresh JVM: do it, and the network, while JUnit gets to the first test.
      runtime = Optional.of(RuntimeResource.of(context));
      runtime.get().warmUp(declarations.staticSpecs());
    }
    StartAhead.classBegins(context, runtime);
    for (Declarations.Declared handle : declarations.handles(true)) {
      inject(handle.field(), null, handleFor(context, declarations, handle, Optional.empty()));
    }
  }

  /**
   * With a class-wide test instance, frameworks that post-process it (Spring's extension loads its context there)
   * run before {@link #beforeAll}: the run must be known to them already.
   */
  @Override
  public void preConstructTestInstance(TestInstanceFactoryContext factoryContext, ExtensionContext context) {
    ContextServices.runBegins(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Declarations declarations = declarations(context);
    Optional<TestInstances> instances = context.getTestInstances();
    Map<String, ServiceSpec> needs = new LinkedHashMap<>();
    Method method = context.getRequiredTestMethod();
    String onClass = "class " + context.getRequiredTestClass().getSimpleName();
    Declarations.addAliases(new LinkedHashMap<>(), classBindings(context.getRequiredTestClass()), onClass);
    for (BindService binding : classBindings(context.getRequiredTestClass())) {
      need(needs, declarations, binding.value(), instances, "@BindService on " + onClass);
    }
    Declarations.aliases(method, describe(method)).values()
        .forEach(name -> need(needs, declarations, name, instances, "@BindService on " + describe(method)));
    hostServices(context).values()
        .forEach(name -> need(needs, declarations, name, instances, "@HostService on " + describe(method)));
    for (Parameter parameter : method.getParameters()) {
      needsOf(parameter, "parameter '" + parameter.getName() + "' in " + describe(method), needs, declarations,
          instances);
    }
    List<Object> all = instances.map(TestInstances::getAllInstances).orElse(List.of());
    for (Object instance : all) {
      for (Field field : injectedFields(instance.getClass())) {
        needsOf(field, describe(field), needs, declarations, instances);
      }
    }
    if (!needs.isEmpty()) {
      long began = System.nanoTime();
      try {
        ScopeResource.of(context).acquireAll(needs);
      } finally {
        ReportedTests.waited(context, (System.nanoTime() - began) / 1_000_000, List.copyOf(needs.keySet()));
      }
    }
    for (Declarations.Declared handle : declarations.handles(false)) {
      Object target = instances.flatMap(i -> i.findInstance(handle.field().getDeclaringClass())).orElse(null);
      if (target != null) {
        inject(handle.field(), target, handleFor(context, declarations, handle, instances));
      }
    }
    for (Object instance : all) {
      for (Field field : injectedFields(instance.getClass())) {
        injectResolved(context, field, instance);
      }
    }
  }

  /**
   * What a planned test will need, as far as the class and method tell without running them: the services its
   * class's and method's bindings, endpoints and clients' bindings name, declared in static fields. What only an
   * instance or the running test can say is left out, to be started when the test needs it.
   */
  static Map<String, ServiceSpec> plannedNeeds(Class<?> testClass, Method method) {
    Map<String, ServiceSpec> needs = new LinkedHashMap<>();
    try {
      Declarations declarations = Declarations.of(testClass).withHostsOf(method);
      Optional<TestInstances> none = Optional.empty();
      var names = new LinkedHashMap<String, String>();
      Declarations.addAliases(new LinkedHashMap<>(), classBindings(testClass), "class " + testClass.getSimpleName());
      for (BindService binding : classBindings(testClass)) {
        names.putIfAbsent(binding.value(), "@BindService on class " + testClass.getSimpleName());
      }
      Declarations.aliases(method, describe(method)).values()
          .forEach(name -> names.putIfAbsent(name, "@BindService on " + describe(method)));
      for (Parameter parameter : method.getParameters()) {
        var named = new LinkedHashMap<String, ServiceSpec>();
        try {
          needsOf(parameter, "parameter '" + parameter.getName() + "' in " + describe(method), named, declarations,
              none);
        } catch (RuntimeException e) {
          continue; // what the test itself will report
        }
        named.forEach(needs::putIfAbsent);
      }
      names.forEach((name, where) -> {
        try {
          need(needs, declarations, name, none, where);
        } catch (RuntimeException e) {
          // declared in an instance field, or wrongly: the test's own acquisition starts it or says what is wrong
        }
      });
    } catch (RuntimeException e) {
      return Map.of();
    }
    return needs;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.isAnnotated(ServiceEndpoint.class) || parameter.isAnnotated(ServiceHandle.class)
        || (parameter.getParameter().getType() == Container.class
        && (parameter.isAnnotated(ClientContainer.class) || !parameter.findRepeatableAnnotations(BindService.class)
        .isEmpty()));
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Parameter p = parameter.getParameter();
    String where = "parameter '" + p.getName() + "' in " + describe(parameter.getDeclaringExecutable());
    try {
      return resolve(p, p.getType(), where, context, new ClientKey(parameter.getDeclaringExecutable(),
          parameter.getIndex()));
    } catch (ExtensionConfigurationException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }

  /** Clients and endpoints: one path for parameters and fields. */
  private Object resolve(AnnotatedElement element, Class<?> type, String where, ExtensionContext context,
      Object key) {
    Declarations declarations = declarations(context);
    Optional<ServiceEndpoint> endpoint = AnnotationSupport.findAnnotation(element, ServiceEndpoint.class);
    if (endpoint.isPresent()) {
      return Endpoints.resolve(endpoint.get(), type, where, context, declarations);
    }
    Optional<ServiceHandle> handle = AnnotationSupport.findAnnotation(element, ServiceHandle.class);
    if (handle.isPresent()) {
      if (type != dev.berth.Service.class) {
        throw new ExtensionConfigurationException("@ServiceHandle on " + where + " has type " + type.getSimpleName()
            + "; use dev.berth.Service");
      }
      String name = handle.get().value();
      return ScopeResource.of(context).service(name,
          declarations.spec(name, context.getTestInstances(), "@ServiceHandle on " + where));
    }
    ServiceSpec spec = clientSpec(element, where, context, declarations);
    String name = element instanceof Parameter p ? p.getName() : ((Field) element).getName();
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(key,
        k -> new ClientResource(RuntimeResource.of(context).newClient(name, spec, ScopeResource.of(context))),
        ClientResource.class)
        .container();
  }

  private ServiceSpec clientSpec(AnnotatedElement element, String where, ExtensionContext context,
      Declarations declarations) {
    ServiceRuntime runtime = RuntimeResource.of(context);
    Optional<ClientContainer> annotation = AnnotationSupport.findAnnotation(element, ClientContainer.class);
    ServiceSpec spec;
    try {
      spec = AnnotatedSpec.client(annotation, runtime.config().clientImage());
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new ExtensionConfigurationException("@ClientContainer on " + where + ": " + e.getMessage(), e);
    }
    Map<String, String> aliases = Declarations.aliases(element, where);
    context.getTestMethod().ifPresent(m -> Declarations.addAliases(aliases,
        AnnotationSupport.findRepeatableAnnotations(m, BindService.class), where));
    Declarations.addAliases(aliases, classBindings(context.getRequiredTestClass()), where);
    hostServices(context).forEach(aliases::putIfAbsent);
    for (Map.Entry<String, String> binding : aliases.entrySet()) {
      ServiceSpec bound = declarations.spec(binding.getValue(), context.getTestInstances(), "@BindService on " + where);
      spec = Declarations.withBinding(spec, binding.getKey(), bound, where);
    }
    return spec;
  }

  /** Client, endpoint and handle fields, which Berth fills before each test. */
  private static List<Field> injectedFields(Class<?> type) {
    var fields = new ArrayList<>(AnnotationSupport.findAnnotatedFields(type, ClientContainer.class));
    fields.addAll(AnnotationSupport.findAnnotatedFields(type, ServiceEndpoint.class));
    fields.addAll(AnnotationSupport.findAnnotatedFields(type, ServiceHandle.class));
    return fields;
  }

  private void injectResolved(ExtensionContext context, Field field, Object instance) {
    String where = describe(field);
    if (ModifierSupport.isStatic(field)) {
      throw new ExtensionConfigurationException(where + " is static, but clients, endpoints and handles belong to one test;"
          + " make it an instance field or a test method parameter");
    }
    if (field.isAnnotationPresent(ClientContainer.class) && field.getType() != Container.class) {
      throw new ExtensionConfigurationException("@ClientContainer " + where + " has type "
          + field.getType().getSimpleName() + "; use dev.berth.Container");
    }
    inject(field, instance, resolve(field, field.getType(), where, context, field));
  }

  private static dev.berth.Service handleFor(ExtensionContext context, Declarations declarations,
      Declarations.Declared handle, Optional<TestInstances> instances) {
    ServiceScope scope = ScopeResource.of(context);
    return scope.service(handle.name(), declarations.spec(handle.name(), instances, handle.where()));
  }

  private static void needsOf(AnnotatedElement element, String where, Map<String, ServiceSpec> needs,
      Declarations declarations, Optional<TestInstances> instances) {
    boolean client = AnnotationSupport.isAnnotated(element, ClientContainer.class);
    Declarations.aliases(element, where);   // a bad alias fails here, before its service starts
    for (BindService binding : AnnotationSupport.findRepeatableAnnotations(element, BindService.class)) {
      if (client || element instanceof Parameter) {
        need(needs, declarations, binding.value(), instances, "@BindService on " + where);
      }
    }
    AnnotationSupport.findAnnotation(element, ServiceEndpoint.class).ifPresent(e -> {
      need(needs, declarations, e.value(), instances, "@ServiceEndpoint on " + where);
      Endpoints.port(e, needs.get(e.value()), where);   // a port-less service fails here, before it starts
    });
  }

  private static void need(Map<String, ServiceSpec> needs, Declarations declarations, String name,
      Optional<TestInstances> instances, String where) {
    needs.computeIfAbsent(name, n -> declarations.spec(n, instances, where));
  }

  /** Class-level bindings of the test class, its superclasses and its enclosing classes, innermost first. */
  static List<BindService> classBindings(Class<?> testClass) {
    var bindings = new ArrayList<BindService>();
    for (Class<?> type : Declarations.visibleClasses(testClass)) {
      bindings.addAll(AnnotationSupport.findRepeatableAnnotations(type, BindService.class));
    }
    return bindings;
  }

  /** The services a test can name: its class's declarations, plus its method's {@code @HostService}s. */
  private static Declarations declarations(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    Declarations declarations = context.getRoot().getStore(DECLARATIONS).getOrComputeIfAbsent(
        testClass, key -> Declarations.of(testClass), Declarations.class);
    return context.getTestMethod().map(declarations::withHostsOf).orElse(declarations);
  }

  /** The {@code @HostService}s of the test's method, class, superclasses and enclosing classes, alias to name. */
  private static Map<String, String> hostServices(ExtensionContext context) {
    var hosts = new LinkedHashMap<String, String>();
    context.getTestMethod().ifPresent(m -> hosts.putAll(Declarations.hostAliases(m)));
    for (Class<?> type : Declarations.visibleClasses(context.getRequiredTestClass())) {
      Declarations.hostAliases(type).forEach(hosts::putIfAbsent);
    }
    return hosts;
  }

  private static void inject(Field field, Object target, Object value) {
    try {
      field.setAccessible(true);
      field.set(target, value);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExtensionConfigurationException("Cannot inject " + describe(field) + ": " + e.getMessage()
          + "; make it non-final", e);
    }
  }

  static String describe(Executable executable) {
    var s = new StringBuilder("method ").append(executable.getName()).append('(');
    Class<?>[] types = executable.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      s.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
    }
    return s.append(')').toString();
  }

  static String describe(Field field) {
    return "field " + field.getDeclaringClass().getSimpleName() + "." + field.getName();
  }

  private record ClientKey(Executable executable, int index) {
  }
}
