package dev.berth.samples.spring;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Products in the database. */
@Repository
public class ProductRepository {

  private final JdbcClient jdbc;
  private final AtomicInteger reads = new AtomicInteger();

  public ProductRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Product add(String name, int priceCents) {
    long id = jdbc.sql("INSERT INTO product (name, price_cents) VALUES (?, ?) RETURNING id")
        .params(name, priceCents).query(Long.class).single();
    return new Product(id, name, priceCents);
  }

  public Optional<Product> find(long id) {
    reads.incrementAndGet();
    return jdbc.sql("SELECT id, name, price_cents FROM product WHERE id = ?").param(id)
        .query(Product.class).optional();
  }

  /** How often a product was read from the database: what the cache spares. */
  public int reads() {
    return reads.get();
  }
}
