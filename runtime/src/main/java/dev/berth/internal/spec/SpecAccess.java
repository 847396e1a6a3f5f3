package dev.berth.internal.spec;

import dev.berth.ServiceSpec;
import java.util.Objects;
import java.util.function.Function;

/**
 * How Berth's internals read a {@link ServiceSpec}: its {@link Definition}. The public builder has no getters; it
 * hands its definition over through this bridge, which it installs when its class is initialised.
 */
public final class SpecAccess {

  private static volatile Function<ServiceSpec, Definition> definitions;

  private SpecAccess() {
  }

  /** Called once, by {@code ServiceSpec}'s static initialiser. */
  public static void install(Function<ServiceSpec, Definition> access) {
    if (definitions != null) {
      throw new IllegalStateException("The ServiceSpec bridge is installed already");
    }
    definitions = Objects.requireNonNull(access);
  }

  /** Checks an alias as {@code withServiceBinding} will, for declarations read before anything is bound. */
  public static String requireAlias(String alias) {
    return Definition.requireHostname("Alias", alias);
  }

  public static Definition definition(ServiceSpec spec) {
    Objects.requireNonNull(spec, "spec");
    // A spec in hand means ServiceSpec's class is initialised, so the bridge is installed.
    return definitions.apply(spec);
  }
}
