package dev.berth.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.Service;
import dev.berth.annotations.ServiceHandle;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/** The same configuration as {@link CatalogTest}: Spring's cache gives it the same context, with the same services. */
@Order(2)
class PricingTest extends ShopTest {

  @Autowired
  ProductRepository products;

  @Autowired
  PriceService prices;

  @Autowired
  ApplicationContext context;

  @Test
  void aPriceIsReadOnceThenServedFromRedis(@ServiceHandle("cache") Service cache) {
    Product coffee = products.add("coffee", 320);
    int reads = products.reads();

    assertThat(prices.priceOf(coffee.id())).isEqualTo(320);
    assertThat(prices.priceOf(coffee.id())).isEqualTo(320);

    assertThat(products.reads() - reads).as("database reads").isEqualTo(1);
    assertThat(cache.exec("redis-cli", "--scan", "--pattern", "prices::*").stdout())
        .contains("prices::" + coffee.id());
  }

  /**
   * The catalogue's context, cached by Spring, still reaches its services after that class ended, though Berth stops
   * a service the moment nothing holds it here ({@code berth.gracePeriod=0}): the context holds them.
   */
  @Test
  void sharesTheCatalogsContextWhichStillReachesItsServices(@ServiceHandle("db") Service db) {
    Seen.What catalog = Seen.by(CatalogTest.class);
    assumeTrue(catalog != null, "runs after CatalogTest");

    assertThat(context).isSameAs(catalog.context());
    assertThat(db.connection().jdbcUrl()).as("the same container, at the same port").isEqualTo(catalog.jdbcUrl());
    assertThat(products.add("milk", 90).id()).isPositive();
  }
}
