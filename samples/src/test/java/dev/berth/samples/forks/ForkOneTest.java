package dev.berth.samples.forks;

import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import org.junit.jupiter.api.Test;

/** One of two classes that Surefire runs in two forks at once (see samples/pom.xml, execution "forks"). */
class ForkOneTest extends SharedRedisAcrossForks {

  @ServiceContainer
  static final ServiceSpec one = web("one");

  @Test
  void sharesRedisAndResolvesTheOtherForksService(@ServiceEndpoint("one") String own) throws Exception {
    holdTogetherWithTheOtherFork("one", "two");
    resolveTheOtherForksService("one", "two");
  }
}
