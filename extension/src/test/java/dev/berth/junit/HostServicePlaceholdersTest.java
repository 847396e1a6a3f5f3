package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.annotations.HostService;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** {@code ${key}} and {@code ${key:default}} in a {@code @HostService}: a system property, an environment variable. */
class HostServicePlaceholdersTest {

  @HostService(name = "db", value = "tcp://localhost:${db.port}")
  void declared() {
  }

  private final HostService host = host();

  @Test
  void aSystemPropertyComesBeforeTheEnvironmentAndTheDefaultLast() {
    var properties = Map.of("db.port", "41000");
    var environment = Map.of("db.port", "42000", "DB_HOST", "localhost");

    assertThat(Declarations.placeholders("tcp://${DB_HOST}:${db.port:3306}", host, properties::get,
        environment::get)).isEqualTo("tcp://localhost:41000");
    assertThat(Declarations.placeholders("${db.port:3306}", host, k -> null, environment::get)).isEqualTo("42000");
    assertThat(Declarations.placeholders("${db.port:3306}", host, k -> null, k -> null)).isEqualTo("3306");
    assertThat(Declarations.placeholders("tcp://localhost:5432", host, k -> null, k -> null))
        .isEqualTo("tcp://localhost:5432");
  }

  @Test
  void anUnsetKeyWithoutDefaultSaysHowToSetIt() {
    assertThatThrownBy(() -> Declarations.placeholders("tcp://localhost:${db.port}", host, k -> null, k -> null))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("@HostService(name = \"db\") uses ${db.port} in 'tcp://localhost:${db.port}', which is neither"
            + " a system property nor an environment variable. Set it, or give a default: ${db.port:3306}");
  }

  private static HostService host() {
    try {
      return HostServicePlaceholdersTest.class.getDeclaredMethod("declared").getAnnotation(HostService.class);
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }
}
