package dev.berth.samples.forks;

import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import org.junit.jupiter.api.Test;

/** The other of two classes that Surefire runs in two forks at once. */
class ForkTwoTest extends SharedRedisAcrossForks {

  @ServiceContainer
  static final ServiceSpec two = web("two");

  @Test
  void sharesRedisAndResolvesTheOtherForksService(@ServiceEndpoint("two") String own) throws Exception {
    holdTogetherWithTheOtherFork("two", "one");
    resolveTheOtherForksService("two", "one");
  }
}
