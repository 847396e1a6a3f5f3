package dev.berth.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestPropertySource;

/** Another configuration: Spring makes another context, and Berth gives it the same containers. */
@Order(3)
@TestPropertySource(properties = "spring.application.name=shop-admin")
class AdminTest extends ShopTest {

  @Autowired
  ApplicationContext context;

  @Autowired
  DataSource dataSource;

  @Test
  void hasAContextOfItsOwnOnTheSameContainers() throws Exception {
    Seen.What catalog = Seen.by(CatalogTest.class);
    assumeTrue(catalog != null, "runs after CatalogTest");

    assertThat(context).isNotSameAs(catalog.context());
    try (Connection connection = dataSource.getConnection()) {
      assertThat(connection.getMetaData().getURL()).isEqualTo(catalog.jdbcUrl());
    }
  }
}
