package dev.berth.samples.spring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.ApplicationContext;

/** What each test class saw, for the classes after it to compare with: its context, its database's JDBC URL. */
final class Seen {

  record What(ApplicationContext context, String jdbcUrl) {
  }

  private static final Map<Class<?>, What> BY_CLASS = new ConcurrentHashMap<>();

  private Seen() {
  }

  static void record(Class<?> testClass, ApplicationContext context, String jdbcUrl) {
    BY_CLASS.put(testClass, new What(context, jdbcUrl));
  }

  static What by(Class<?> testClass) {
    return BY_CLASS.get(testClass);
  }
}
