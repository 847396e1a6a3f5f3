package dev.berth.samples.forks;

import org.junit.jupiter.api.Test;

/** The other of two classes that Surefire runs in two forks at once. */
class ForkTwoTest extends SharedRedisAcrossForks {

  @Test
  void usesTheSharedRedis() throws Exception {
    holdTogetherWithTheOtherFork("two", "one");
  }
}
