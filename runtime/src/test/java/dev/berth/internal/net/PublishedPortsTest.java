package dev.berth.internal.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.BerthException;
import dev.berth.internal.config.BerthConfig;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PublishedPortsTest {

  private static final EngineLocation DIND = new EngineLocation(EngineLocation.Kind.OTHER_MACHINE,
      Optional.of("docker"), "the engine is at tcp://docker:2375");
  private static final EngineLocation HOST_OF_CONTAINER = new EngineLocation(EngineLocation.Kind.CONTAINER_HOST,
      Optional.of("172.17.0.1"), "this JVM runs in a container (...)");

  @Test
  void aLocalEnginePublishesOnLoopbackAndIsReachedThere() {
    PublishedPorts ports = PublishedPorts.of(BerthConfig.defaults(), EngineLocation.SAME_NETWORK);

    assertThat(ports.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(ports.onThisMachine()).isTrue();
    assertThat(hostString(ports)).isEqualTo("127.0.0.1:32768");
  }

  @Test
  void aLocalEngineIsReachedAtTheAddressAskedForOrOnLoopbackForAll() {
    assertThat(hostString(PublishedPorts.of(config("0.0.0.0", null), EngineLocation.SAME_NETWORK)))
        .isEqualTo("127.0.0.1:32768");
    assertThat(hostString(PublishedPorts.of(config("172.17.0.1", null), EngineLocation.SAME_NETWORK)))
        .isEqualTo("172.17.0.1:32768");
  }

  @Test
  void anotherMachinesLoopbackIsOutOfReachAndTheMessageSaysWhatToSet() {
    PublishedPorts ports = PublishedPorts.of(BerthConfig.defaults(), DIND);

    assertThat(ports.bindAddress()).as("never wider than asked").isEqualTo("127.0.0.1");
    assertThat(ports.onThisMachine()).isFalse();
    assertThatThrownBy(() -> hostString(ports)).isInstanceOf(BerthException.class)
        .hasMessage("Port 6379 of service 'cache' is published on 127.0.0.1 of the engine's machine, which this JVM"
            + " cannot reach: the engine is at tcp://docker:2375. Publish ports where this JVM reaches them:"
            + " berth.publishAddress=0.0.0.0 (every interface of the engine's machine; Berth then connects to"
            + " docker); or, if this JVM reaches the engine's 127.0.0.1 another way (a tunnel, or a container on the"
            + " host's network), say where with berth.hostAddress");
  }

  @Test
  void inAContainerTheMessageAlsoOffersTheHostsAddressOnItsNetwork() {
    assertThatThrownBy(() -> hostString(PublishedPorts.of(BerthConfig.defaults(), HOST_OF_CONTAINER)))
        .hasMessageContaining("berth.publishAddress=0.0.0.0 (every interface of the engine's machine; Berth then"
            + " connects to 172.17.0.1), or berth.publishAddress=172.17.0.1 (the host's address on this container's"
            + " network: only containers of that network reach it)");
  }

  @Test
  void publishedOnAllInterfacesTheOtherMachineIsReachedAtItsAddress() {
    assertThat(hostString(PublishedPorts.of(config("0.0.0.0", null), DIND))).isEqualTo("docker:32768");
    assertThat(hostString(PublishedPorts.of(config("172.17.0.1", null), HOST_OF_CONTAINER)))
        .isEqualTo("172.17.0.1:32768");
  }

  @Test
  void theHostAddressGivenIsUsedAsItIs() {
    PublishedPorts ports = PublishedPorts.of(config("127.0.0.1", "tunnel.example"), DIND);

    assertThat(ports.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(hostString(ports)).isEqualTo("tunnel.example:32768");
  }

  @Test
  void withNoKnownAddressForTheMachineItAsksForOne() {
    var unknown = new EngineLocation(EngineLocation.Kind.CONTAINER_HOST, Optional.empty(), "no default route");

    assertThatThrownBy(() -> hostString(PublishedPorts.of(config("0.0.0.0", null), unknown)))
        .hasMessage("Port 6379 of service 'cache' is published on all interfaces of the engine's machine, but"
            + " Berth cannot tell where this JVM reaches that machine: no default route. Say where with"
            + " berth.hostAddress");
  }

  private static String hostString(PublishedPorts ports) {
    InetSocketAddress address = ports.address(32768, () -> "port 6379 of service 'cache'");
    return address.getHostString() + ":" + address.getPort();
  }

  private static BerthConfig config(String publishAddress, String hostAddress) {
    var keys = new HashMap<String, String>();
    keys.put("berth.publishAddress", publishAddress);
    if (hostAddress != null) {
      keys.put("berth.hostAddress", hostAddress);
    }
    return BerthConfig.from(key -> Optional.ofNullable(keys.get(key)));
  }
}
