package dev.berth.spring;

import dev.berth.junit.ContextServices;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/** Lets go of the services when a context that is not a bean registry closes (a child's close reaches its parent). */
final class ReleaseOnClose implements ApplicationListener<ContextClosedEvent> {

  private final ApplicationContext context;
  private final ContextServices held;

  ReleaseOnClose(ApplicationContext context, ContextServices held) {
    this.context = context;
    this.held = held;
  }

  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    if (event.getApplicationContext() == context) {
      held.close();
    }
  }
}
