package dev.berth.spring;

import dev.berth.ConnectionInfo;
import dev.berth.Protocol;
import dev.berth.Service;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;

/** {@link DataRedisConnectionDetails} of the context's one Redis; loaded only where Spring Data Redis's module is. */
final class RedisDetails {

  static final String TYPE = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails";

  private RedisDetails() {
  }

  static void register(ConfigurableListableBeanFactory beans, Map<String, Service> services) {
    Connections.single(services, info -> info.protocol() == Protocol.REDIS, "DataRedisConnectionDetails",
        "spring.data.redis.url=${berth.services.<name>.redis-uri}").ifPresent(redis -> {
          String name = redis.getKey();
          ConnectionInfo info = redis.getValue();
          beans.registerSingleton("berth.redisConnectionDetails." + name, new DataRedisConnectionDetails() {
            @Override
            public String getPassword() {
              return info.password().isEmpty() ? null : info.password();
            }

            @Override
            public Standalone getStandalone() {
              return Standalone.of(info.host(), info.port());
            }

            @Override
            public String toString() {
              return "DataRedisConnectionDetails of Berth's service '" + name + "': " + info.redisUri();
            }
          });
        });
  }
}
