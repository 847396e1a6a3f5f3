package dev.berth.samples.forks;

import org.junit.jupiter.api.Test;

/** One of two classes that Surefire runs in two forks at once (see samples/pom.xml, execution "forks"). */
class ForkOneTest extends SharedRedisAcrossForks {

  @Test
  void usesTheSharedRedis() throws Exception {
    holdTogetherWithTheOtherFork("one", "two");
  }
}
