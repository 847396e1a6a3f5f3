package dev.berth.samples.spring;

import dev.berth.ServiceSpec;
import dev.berth.ServiceSpecs;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;
import org.springframework.boot.test.context.SpringBootTest;

// tag::services[]
/**
 * The shop's services, for every test of the application: Berth starts them before Spring Boot makes the context,
 * and gives the context their connection details. No spring.datasource.* or spring.data.redis.* is written anywhere.
 */
@ServiceTest
@SpringBootTest
abstract class ShopTest {

  @ServiceContainer
  static final ServiceSpec db = ServiceSpecs.postgres("postgres:15");

  @ServiceContainer
  static final ServiceSpec cache = ServiceSpecs.redis("redis:7.0");
}
// end::services[]
