package dev.berth.samples.spring;

import java.util.NoSuchElementException;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/** Prices, read from the catalogue once and then from the cache. */
@Service
public class PriceService {

  private final ProductRepository products;

  public PriceService(ProductRepository products) {
    this.products = products;
  }

  @Cacheable("prices")
  public Integer priceOf(long productId) {
    return products.find(productId).map(Product::priceCents)
        .orElseThrow(() -> new NoSuchElementException("No product " + productId));
  }
}
