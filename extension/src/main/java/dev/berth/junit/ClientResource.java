package dev.berth.junit;

import dev.berth.Container;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A test's client container, kept in the test's store and removed when the test ends. */
final class ClientResource implements ExtensionContext.Store.CloseableResource, AutoCloseable {

  private final Container container;

  ClientResource(Container container) {
    this.container = container;
  }

  Container container() {
    return container;
  }

  @Override
  public void close() {
    container.close();
  }
}
