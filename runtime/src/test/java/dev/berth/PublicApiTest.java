package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What a user sees of the runtime: the public types of {@code dev.berth}, the only package the module exports to
 * everyone (the rest is under {@code dev.berth.internal}). The builder has no getters: what a spec says is read
 * inside Berth, through its definition.
 */
class PublicApiTest {

  @Test
  void theApiIsItsTenTypes() throws IOException {
    List<String> publicTypes;
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/berth"))) {
      publicTypes = files.map(f -> f.getFileName().toString()).filter(name -> name.endsWith(".java"))
          .map(name -> name.substring(0, name.length() - ".java".length()))
          .filter(name -> !name.equals("package-info"))
          .filter(name -> Modifier.isPublic(load("dev.berth." + name).getModifiers()))
          .toList();
    }
    assertThat(publicTypes).containsExactlyInAnyOrder("ServiceSpec", "Service", "Container", "ExecResult",
        "Discovery", "Protocol", "BerthException", "ServiceStartException", "ConnectionInfo", "ServiceSpecs");
  }

  @Test
  void aSpecIsABuilderWithItsIdentityAndNoGetters() {
    List<String> others = Arrays.stream(ServiceSpec.class.getMethods())
        .filter(m -> m.getDeclaringClass() == ServiceSpec.class)
        .filter(m -> !Modifier.isStatic(m.getModifiers()) && m.getReturnType() != ServiceSpec.class)
        .map(Method::getName).distinct().toList();
    assertThat(others).containsExactlyInAnyOrder("digest", "hostname", "image", "equals", "hashCode", "toString");
    assertThat(ServiceSpec.class.getClasses()).as("public nested types").isEmpty();
  }

  @Test
  void discoveryOnlyLooksUp() {
    assertThat(Arrays.stream(Discovery.class.getMethods()).filter(m -> m.getDeclaringClass() == Discovery.class)
        .map(Method::getName)).containsExactlyInAnyOrder("lookup", "srv", "zone");
    assertThat(Discovery.class.getClasses()).isEmpty();
  }

  @Test
  void theExceptionsCannotBeMadeOutsideBerthExceptByExtendingThem() {
    assertThat(ServiceStartException.class.getConstructors()).isEmpty();
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }
}
