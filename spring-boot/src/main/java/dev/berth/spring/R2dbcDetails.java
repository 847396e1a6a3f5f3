package dev.berth.spring;

import dev.berth.ConnectionInfo;
import dev.berth.Service;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;

/** {@link R2dbcConnectionDetails} of the context's one database; loaded only where Spring Boot's R2DBC module is. */
final class R2dbcDetails {

  static final String TYPE = "org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails";

  private R2dbcDetails() {
  }

  static void register(ConfigurableListableBeanFactory beans, Map<String, Service> services) {
    Connections.single(services, info -> ServiceProperties.isJdbc(info.protocol()), "R2dbcConnectionDetails",
        "spring.r2dbc.url=${berth.services.<name>.r2dbc-url} (and username, password)").ifPresent(database -> {
          String name = database.getKey();
          ConnectionInfo info = database.getValue();
          ConnectionFactoryOptions options = ConnectionFactoryOptions.builder()
              .option(ConnectionFactoryOptions.DRIVER, ServiceProperties.driver(info))
              .option(ConnectionFactoryOptions.HOST, info.host())
              .option(ConnectionFactoryOptions.PORT, info.port())
              .option(ConnectionFactoryOptions.DATABASE, info.database())
              .option(ConnectionFactoryOptions.USER, info.username())
              .option(ConnectionFactoryOptions.PASSWORD, info.password())
              .build();
          beans.registerSingleton("berth.r2dbcConnectionDetails." + name, new R2dbcConnectionDetails() {
            @Override
            public ConnectionFactoryOptions getConnectionFactoryOptions() {
              return options;
            }

            @Override
            public String toString() {
              return "R2dbcConnectionDetails of Berth's service '" + name + "': " + options;
            }
          });
        });
  }
}
