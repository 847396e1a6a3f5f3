package dev.berth.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.Service;
import dev.berth.annotations.ServiceHandle;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/** The catalogue's tests: the first to run, so Spring makes the context here. */
@Order(1)
class CatalogTest extends ShopTest {

  // tag::catalog[]

  @Autowired
  ProductRepository products;

  @Autowired
  DataSource dataSource;

  @Test
  void addsAndFindsAProduct() {
    Product tea = products.add("tea", 450);

    assertThat(products.find(tea.id())).contains(tea);
  }

  @Test
  void theApplicationsDataSourceIsBerthsPostgres(@ServiceHandle("db") Service db) throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      assertThat(connection.getMetaData().getURL()).isEqualTo(db.connection().jdbcUrl());
    }
  }
  // end::catalog[]

  @Autowired
  ApplicationContext context;

  @Test
  void recordsWhatItSaw(@ServiceHandle("db") Service db) {
    Seen.record(CatalogTest.class, context, db.connection().jdbcUrl());
  }
}
