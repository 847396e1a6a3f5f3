package dev.berth.junit;

import dev.berth.ServiceSpec;
import dev.berth.internal.run.ServiceRuntime;
import dev.berth.internal.run.ServiceScope;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ReflectionSupport;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the services of the test plan's next classes before they begin. Read it as its life:
 *
 * <ol>
 *   <li>JUnit tells the launcher's listeners the plan once discovery and filtering are done: this listener keeps the
 *       plan's tests of Berth's classes, in the plan's order, leaving out what is disabled by annotation.
 *   <li>When the run begins its first class with services, a worker of the run takes the plan: for each planned test,
 *       the services it needs (bindings, endpoints, clients' bindings: what the extension acquires before it), each
 *       definition once, with the first class that needs it.
 *   <li>The worker starts them in that order, in the background, holding at most {@code berth.startAhead} of them
 *       that no class has reached yet. A service whose class is running or done already is left to that class.
 *   <li>When a class begins, what was started for it is its own (its scope holds it from its first test) and the
 *       worker starts further ahead; it lets go of its own hold when the next class begins, so that no grace
 *       period, not even none, has to bridge the moment between.
 *   <li>The end of the run ends the worker first, before the run removes its containers.
 * </ol>
 *
 * <p>Nothing starts for a test outside the plan; a service a test reaches only through an instance field or a
 * handle waits for the test, as without this. A start that fails ahead is left for the test to start again and
 * report.
 */
public final class StartAhead implements TestExecutionListener {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  /** The plans of the launchers running now, newest first: a test may run a launcher of its own. */
  private static final Deque<Plan> PLANS = new ConcurrentLinkedDeque<>();

  private volatile Plan plan;

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    Plan started = new Plan(testPlan);
    plan = started;
    PLANS.addFirst(started);
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    Plan finished = plan;
    if (finished != null) {
      PLANS.remove(finished);
    }
  }

  /** The {@code berth.*} keys of the running launcher's configuration parameters; none outside a launcher. */
  static Set<String> parameterKeys() {
    Plan current = PLANS.peekFirst();
    return current == null ? Set.of() : current.parameterKeys;
  }

  /**
   * A class with Berth's extension begins: the run's worker (started on the first such class of a planned run)
   * moves on to the classes after it. {@code runtime} is the run's, if the class declares services.
   */
  static void classBegins(ExtensionContext context, Optional<ServiceRuntime> runtime) {
    Plan current = PLANS.peekFirst();
    if (current == null) {
      return;
    }
    Class<?> testClass = context.getRequiredTestClass();
    int index = current.indexOf(testClass);
    if (index < 0) {
      return; // a class this launcher did not plan (a run nested in a test, say)
    }
    var store = context.getRoot().getStore(BerthExtension.NAMESPACE);
    Worker worker = store.get(Worker.class, Worker.class);
    if (worker == null && runtime.isPresent() && runtime.get().config().startAhead() > 0) {
      worker = store.getOrComputeIfAbsent(Worker.class, key -> Worker.start(current, runtime.get()), Worker.class);
    }
    if (worker != null) {
      worker.reached(index);
    }
  }

  /** The plan's tests of Berth's classes, by class in the plan's order. */
  static final class Plan {
    private final Map<Class<?>, List<Method>> tests = new LinkedHashMap<>();
    private final List<Class<?>> classes;
    private final Set<String> parameterKeys;

    Plan(TestPlan testPlan) {
      parameterKeys = testPlan.getConfigurationParameters().keySet().stream()
          .filter(k -> k.startsWith("berth.")).collect(Collectors.toUnmodifiableSet());
      for (TestIdentifier root : testPlan.getRoots()) {
        collect(testPlan, root);
      }
      classes = List.copyOf(tests.keySet());
    }

    private void collect(TestPlan testPlan, TestIdentifier identifier) {
      Optional<TestSource> source = identifier.getSource();
      if (identifier.isTest() && source.isPresent() && source.get() instanceof MethodSource method) {
        plannedMethod(method).ifPresent(m -> tests.computeIfAbsent(method.getJavaClass(), c -> new ArrayList<>())
            .add(m));
      }
      for (TestIdentifier child : testPlan.getChildren(identifier)) {
        collect(testPlan, child);
      }
    }

    /** The test method, if its class uses Berth and neither is disabled by annotation. */
    private static Optional<Method> plannedMethod(MethodSource source) {
      try {
        Class<?> testClass = source.getJavaClass();
        if (!BerthExtension.usesBerth(testClass) || disabled(testClass)) {
          return Optional.empty();
        }
        return ReflectionSupport.findMethod(testClass, source.getMethodName(), source.getMethodParameterTypes())
            .filter(m -> !AnnotationSupport.isAnnotated(m, Disabled.class));
      } catch (RuntimeException e) {
        return Optional.empty(); // not loadable here: its class runs as usual
      }
    }

    private static boolean disabled(Class<?> testClass) {
      for (Class<?> level = testClass; level != null; level = level.getEnclosingClass()) {
        if (AnnotationSupport.isAnnotated(level, Disabled.class)) {
          return true;
        }
      }
      return false;
    }

    int indexOf(Class<?> testClass) {
      return classes.indexOf(testClass);
    }
  }

  /** The run's worker: starts the plan's services ahead, and lets go of them as their classes begin. */
  static final class Worker implements ExtensionContext.Store.CloseableResource {
    private final ServiceRuntime runtime;
    private final int bound;
    private final Object lock = new Object();
    /** Services started (or being started) ahead, by the index of the first class that needs them. */
    private final Map<Ahead, ServiceScope> held = new LinkedHashMap<>();
    private final Thread thread;
    private int reached = -1;
    private boolean closed;

    private record Ahead(String name, ServiceSpec spec, int classIndex) {
    }

    private Worker(Plan plan, ServiceRuntime runtime) {
      this.runtime = runtime;
      this.bound = runtime.config().startAhead();
      this.thread = new Thread(() -> run(plan), "berth-start-ahead");
      thread.setDaemon(true);
    }

    static Worker start(Plan plan, ServiceRuntime runtime) {
      var worker = new Worker(plan, runtime);
      worker.thread.start();
      return worker;
    }

    /**
     * Class {@code index} of the plan begins: what was started for it is its own now, and what was started for the
     * classes before it is let go (their scopes hold what they still need).
     */
    void reached(int index) {
      var released = new ArrayList<ServiceScope>();
      synchronized (lock) {
        reached = Math.max(reached, index);
        held.entrySet().removeIf(e -> {
          if (e.getKey().classIndex() < reached && e.getValue() != null) {
            released.add(e.getValue());
            return true;
          }
          return false;
        });
        lock.notifyAll();
      }
      released.forEach(ServiceScope::close);
    }

    private void run(Plan plan) {
      List<Ahead> services = services(plan);
      LOG.debug("Starting up to {} of {} planned services ahead", bound, services.size());
      for (Ahead next : services) {
        synchronized (lock) {
          while (!closed && next.classIndex() > reached && ahead() >= bound) {
            try {
              lock.wait();
            } catch (InterruptedException e) {
              return;
            }
          }
          if (closed) {
            return;
          }
          if (next.classIndex() <= reached) {
            continue; // its class has begun: it starts its own
          }
          held.put(next, null);
        }
        ServiceScope scope = runtime.newScopeAhead();
        try {
          scope.acquireAll(Map.of(next.name(), next.spec()));
        } catch (RuntimeException e) {
          LOG.debug("Starting service '{}' ahead failed; its test will start it: {}", next.name(), e.getMessage());
        }
        boolean keep;
        synchronized (lock) {
          keep = !closed && next.classIndex() >= reached;
          if (keep) {
            held.put(next, scope);
          } else {
            held.remove(next);
          }
          lock.notifyAll();
        }
        if (!keep) {
          scope.close();
        }
      }
    }

    /** How many services are held (or starting) for classes not yet begun. */
    private int ahead() {
      return (int) held.keySet().stream().filter(a -> a.classIndex() > reached).count();
    }

    /** The planned tests' services, each definition once, with the first class that needs it. */
    private static List<Ahead> services(Plan plan) {
      var services = new ArrayList<Ahead>();
      Set<String> digests = new HashSet<>();
      for (int i = 0; i < plan.classes.size(); i++) {
        Class<?> testClass = plan.classes.get(i);
        for (Method method : plan.tests.get(testClass)) {
          for (Map.Entry<String, ServiceSpec> need : BerthExtension.plannedNeeds(testClass, method).entrySet()) {
            if (digests.add(need.getValue().digest())) {
              services.add(new Ahead(need.getKey(), need.getValue(), i));
            }
          }
        }
      }
      return services;
    }

    /** Ends the worker and lets go of what it holds; the run's end removes the rest. */
    @Override
    public void close() {
      var released = new ArrayList<ServiceScope>();
      synchronized (lock) {
        closed = true;
        held.values().stream().filter(scope -> scope != null).forEach(released::add);
        held.clear();
        lock.notifyAll();
      }
      thread.interrupt();
      released.forEach(ServiceScope::close);
    }
  }
}
