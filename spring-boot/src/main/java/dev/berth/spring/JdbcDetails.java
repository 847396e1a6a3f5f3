package dev.berth.spring;

import dev.berth.ConnectionInfo;
import dev.berth.Service;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/** {@link JdbcConnectionDetails} of the context's one database; loaded only where Spring Boot's JDBC module is. */
final class JdbcDetails {

  static final String TYPE = "org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails";

  private JdbcDetails() {
  }

  static void register(ConfigurableListableBeanFactory beans, Map<String, Service> services) {
    Connections.single(services, info -> ServiceProperties.isJdbc(info.protocol()), "JdbcConnectionDetails",
        "spring.datasource.url=${berth.services.<name>.jdbc-url} (and username, password)").ifPresent(database -> {
          String name = database.getKey();
          ConnectionInfo info = database.getValue();
          beans.registerSingleton("berth.jdbcConnectionDetails." + name, new JdbcConnectionDetails() {
            @Override
            public String getUsername() {
              return info.username();
            }

            @Override
            public String getPassword() {
              return info.password();
            }

            @Override
            public String getJdbcUrl() {
              return info.jdbcUrl();
            }

            @Override
            public String toString() {
              return "JdbcConnectionDetails of Berth's service '" + name + "': " + info.jdbcUrl();
            }
          });
        });
  }
}
