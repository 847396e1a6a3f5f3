package dev.berth.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import org.junit.jupiter.api.Test;

/**
 * A client of an owner (a test class) finds the services its owner runs by name in its {@code /etc/hosts}: its own
 * definition, though another owner's of the same name started later (the one Berth's DNS answers with). Against the
 * engine, with clients resolving the name.
 */
class OwnersNamesTest {

  /** A web server that answers with {@code word}: each word is a definition of its own. */
  private static ServiceSpec web(String word) {
    return ServiceSpec.from("busybox:1.35").withExposedPort(8080).withCommand("sh", "-c",
        "mkdir -p /www && echo " + word + " > /www/index.html && exec httpd -f -p 8080 -h /www");
  }

  private static final ServiceSpec CLIENT = ServiceSpec.from("busybox:1.35");

  @Test
  void aClientFindsItsOwnersServiceByName() {
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults()); var mine = runtime.newScope();
        var theirs = runtime.newScope()) {
      mine.service("cache", web("mine")).start();
      theirs.service("cache", web("theirs")).start();

      try (var client = runtime.newClient("client", CLIENT, mine);
          var other = runtime.newClient("other", CLIENT, theirs);
          var ownerless = runtime.newClient("ownerless", CLIENT)) {
        assertThat(client.exec("wget", "-qO-", "http://cache:8080/").stdout()).isEqualTo("mine\n");
        assertThat(other.exec("wget", "-qO-", "http://cache:8080/").stdout()).isEqualTo("theirs\n");
        assertThat(ownerless.readFile("/etc/hosts")).as("a client of no owner").doesNotContain("cache");
      }
    }
  }

  @Test
  void aBindingOfTheSameNameWins() {
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults()); var mine = runtime.newScope()) {
      mine.service("cache", web("mine")).start();

      try (var client = runtime.newClient("client", CLIENT.withServiceBinding("cache", web("bound")), mine)) {
        assertThat(client.exec("wget", "-qO-", "http://cache:8080/").stdout()).isEqualTo("bound\n");
      }
    }
  }

  @Test
  void aServiceTheOwnerHasNotStartedIsNotThere() {
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults()); var mine = runtime.newScope()) {
      mine.service("cache", web("mine"));

      try (var client = runtime.newClient("client", CLIENT, mine)) {
        assertThat(client.readFile("/etc/hosts")).doesNotContain("cache");
      }
    }
  }
}
