package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Event;
import dev.berth.BerthException;
import dev.berth.Container;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceEndpoint;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code berth.hubImagePrefix}: Docker Hub's images come from a mirror of it, for services, clients and the probe
 * alike. The mirror here is the test environment's registry, which holds Docker Hub's images under their full paths
 * ({@code library/redis}); the engine knows them by their mirror's names only after Berth pulls them so.
 */
class HubMirrorTest {

  private static final String MIRROR = "127.0.0.1:5000/";
  private static final List<String> MIRRORED = List.of(MIRROR + "library/redis:7.0", MIRROR + "library/busybox:1.35");

  @BeforeEach
  @AfterEach
  void untagMirroredImages() {
    for (String image : MIRRORED) {
      try {
        Engine.docker().removeImageCmd(image).exec();
      } catch (NotFoundException e) {
        // not pulled
      }
    }
  }

  @Test
  void servicesClientsAndTheProbeRunTheMirrorsImages() {
    var run = new KitRun().with("berth.hubImagePrefix", MIRROR).with("berth.readiness", "exec")
        .run(Mirrored.class).assertSucceeded(1);

    Map<String, String> imageByRole = run.events("create").stream().collect(Collectors.toMap(
        e -> e.getActor().getAttributes().get("dev.berth.role"), e -> e.getActor().getAttributes().get("image"),
        (first, second) -> first));
    assertThat(imageByRole).containsOnly(Map.entry("service", MIRROR + "library/redis:7.0"),
        Map.entry("client", MIRROR + "library/busybox:1.35"), Map.entry("probe", MIRROR + "library/busybox:1.35"));
    // Where the image came from is no part of the definition: same digest, same hostname.
    Event service = run.serviceCreations().get(0);
    assertThat(service.getActor().getAttributes()).containsEntry("dev.berth.digest", Fixtures.REDIS.digest());
    assertThat(run.leftovers()).isEmpty();
  }

  @Test
  void anImageTheMirrorLacksFailsNamingTheMirrorsName() {
    var run = new KitRun().with("berth.hubImagePrefix", MIRROR + "nothing").run(Mirrored.class);

    assertThat(run.onlyFailure()).isInstanceOf(BerthException.class)
        .hasMessageContaining("Image '" + MIRROR + "nothing/library/redis:7.0' for service 'redis' (redis:7.0, "
            + Fixtures.REDIS.digest().substring(0, 12) + ") via berth.hubImagePrefix is not on the engine and cannot"
            + " be pulled: ")
        .hasMessageContaining("manifest unknown");
    assertThat(run.leftovers()).isEmpty();
  }

  @ServiceTest
  static class Mirrored {
    @ServiceContainer
    static final ServiceSpec redis = Fixtures.REDIS;

    @Test
    void answersAsTheSameDefinition(@ServiceEndpoint("redis") InetSocketAddress address,
        @BindService("redis") Container client) {
      assertThat(Fixtures.ping(address)).isEqualTo("+PONG");
      assertThat(client.exec("sh", "-c", "printf 'PING\\r\\n' | nc -w 2 redis 6379").stdout()).startsWith("+PONG");
    }
  }
}
