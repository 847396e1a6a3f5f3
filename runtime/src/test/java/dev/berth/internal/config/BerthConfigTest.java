package dev.berth.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.berth.internal.container.Readiness;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BerthConfigTest {

  private static BerthConfig config(Map<String, String> values) {
    return BerthConfig.from(key -> Optional.ofNullable(values.get(key)));
  }

  @Test
  void defaults() {
    BerthConfig config = BerthConfig.defaults();

    assertThat(config.startupTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.execTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.pullTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.clientImage()).isEqualTo("busybox:1.35");
    assertThat(config.probeImage()).isEqualTo("busybox:1.35");
    assertThat(config.session()).isEmpty();
    assertThat(config.readiness()).isEqualTo(BerthConfig.Readiness.AUTO);
    assertThat(config.engineTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.pingTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.pullProgressTimeout()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void blankValuesFallBackToDefaults() {
    BerthConfig config = config(Map.of("berth.startupTimeout", "  ", "berth.clientImage", "", "berth.session", " ",
        "berth.readiness", ""));

    assertThat(config).isEqualTo(BerthConfig.defaults());
  }

  @Test
  void everyKeyIsRead() {
    BerthConfig config = config(Map.ofEntries(
        Map.entry("berth.startupTimeout", "2m"),
        Map.entry("berth.gracePeriod", "0"),
        Map.entry("berth.stopTimeout", "3s"),
        Map.entry("berth.execTimeout", "PT90S"),
        Map.entry("berth.pullTimeout", "1h"),
        Map.entry("berth.clientImage", "alpine:3.19"),
        Map.entry("berth.session", " ci-42 "),
        Map.entry("berth.readiness", "direct"),
        Map.entry("berth.probeImage", "ghcr.io/org/probe:1"),
        Map.entry("berth.dns", "false"),
        Map.entry("berth.imagePull", "Always"),
        Map.entry("berth.hubImagePrefix", "mirror.example.com/hub"),
        Map.entry("berth.publishAddress", " 0.0.0.0 "),
        Map.entry("berth.hostAddress", "docker"),
        Map.entry("berth.builds.prune", "true"),
        Map.entry("berth.startAhead", " 7 "),
        Map.entry("berth.reuse", "30m"),
        Map.entry("berth.engineTimeout", "45s"),
        Map.entry("berth.pingTimeout", "1500ms"),
        Map.entry("berth.pullProgressTimeout", "5m"),
        Map.entry("berth.dnsUpstream", "10.0.0.2, 10.0.0.3:5353,[fd00::53]:53"),
        Map.entry("berth.engine", "Swarm"),
        Map.entry("berth.report", "out/berth-report"),
        Map.entry("berth.swarm.nodeEngine", " tcp://{address}:2376 ")));

    assertThat(config).isEqualTo(new BerthConfig(Duration.ofMinutes(2), Duration.ZERO, Duration.ofSeconds(3),
        Duration.ofSeconds(90), Duration.ofHours(1), "alpine:3.19", Optional.of("ci-42"),
        BerthConfig.Readiness.DIRECT, "ghcr.io/org/probe:1", Optional.empty(), false, false,
        BerthConfig.ImagePull.ALWAYS, Optional.of("mirror.example.com/hub/"), "0.0.0.0", Optional.of("docker"),
        true, 7, Duration.ofMinutes(30), Duration.ofSeconds(45), Duration.ofMillis(1500), Duration.ofMinutes(5),
        List.of(new InetSocketAddress("10.0.0.2", 53), new InetSocketAddress("10.0.0.3", 5353),
            new InetSocketAddress("fd00::53", 53)), BerthConfig.EngineKind.SWARM,
        Optional.of(java.nio.file.Path.of("out/berth-report")), Optional.of("tcp://{address}:2376")));
    assertThat(BerthConfig.defaults().dns()).isTrue();
    assertThat(BerthConfig.defaults().publishAddress()).isEqualTo("127.0.0.1");
    assertThat(BerthConfig.defaults().hostAddress()).isEmpty();
  }

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
      "500ms, 500",
      "10s, 10000",
      "2m, 120000",
      "1h, 3600000",
      "7, 7000",
      "PT3S, 3000",
      "pt3s, 3000",
      "PT1M30S, 90000",
      "10S, 10000",
      "500MS, 500",
      "'10 s', 10000",
      "' 10s ', 10000",
      "0, 0",
  })
  void durations(String value, long millis) {
    assertThat(BerthConfig.parseDuration("berth.startupTimeout", value)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ten seconds", "10x", "1.5s", "-5s", "s", "10 minutes", "PT", "10sms"})
  void invalidDurationNamesTheKeyAndTheValue(String value) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of("berth.gracePeriod", value)))
        .withMessageContaining("berth.gracePeriod")
        .withMessageContaining("'" + value.strip() + "'")
        .withMessageContaining("not a duration")
        .withMessageContaining("500ms");
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999", "9999999999999999h", "9223372036854775807m"})
  void hugeDurationNamesTheKeyAndTheValue(String value) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of("berth.startupTimeout", value)))
        .withMessageContaining("berth.startupTimeout")
        .withMessageContaining(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"berth.startupTimeout", "berth.execTimeout", "berth.pullTimeout"})
  void timeoutsMustBePositive(String key) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of(key, "0")))
        .withMessageContaining(key)
        .withMessageContaining("must be positive")
        .withMessageContaining("PT0S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of(key, "PT-1S")))
        .withMessageContaining(key)
        .withMessageContaining("must be positive")
        .withMessageContaining("PT-1S");
  }

  @ParameterizedTest
  @ValueSource(strings = {"berth.gracePeriod", "berth.stopTimeout"})
  void periodsMayBeZeroButNotNegative(String key) {
    assertThat(config(Map.of(key, "0"))).satisfies(config ->
        assertThat(key.equals("berth.gracePeriod") ? config.gracePeriod() : config.stopTimeout()).isZero());
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of(key, "PT-1S")))
        .withMessageContaining(key)
        .withMessageContaining("must not be negative")
        .withMessageContaining("PT-1S");
  }

  @Test
  void constructorRejectsNegativeAndZeroDirectly() {
    BerthConfig d = BerthConfig.defaults();

    assertThatIllegalArgumentException()
        .isThrownBy(() -> new BerthConfig(Duration.ZERO, d.gracePeriod(), d.stopTimeout(), d.execTimeout(),
            d.pullTimeout(), d.clientImage(), d.session(), d.readiness(), d.probeImage(),
            d.dockerHost(), d.pruneCacheVolumes(), d.dns(), d.imagePull(), d.hubImagePrefix(),
            d.publishAddress(), d.hostAddress(), d.pruneBuilds(), d.startAhead(), d.reuse(),
            d.engineTimeout(), d.pingTimeout(), d.pullProgressTimeout(), d.dnsUpstream(), d.engine(), d.report(),
            d.swarmNodeEngine()))
        .withMessageContaining("berth.startupTimeout");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new BerthConfig(d.startupTimeout(), Duration.ofMillis(-1), d.stopTimeout(),
            d.execTimeout(), d.pullTimeout(), d.clientImage(), d.session(), d.readiness(), d.probeImage(),
            d.dockerHost(), d.pruneCacheVolumes(), d.dns(), d.imagePull(), d.hubImagePrefix(),
            d.publishAddress(), d.hostAddress(), d.pruneBuilds(), d.startAhead(), d.reuse(),
            d.engineTimeout(), d.pingTimeout(), d.pullProgressTimeout(), d.dnsUpstream(), d.engine(), d.report(),
            d.swarmNodeEngine()))
        .withMessageContaining("berth.gracePeriod");
  }

  /** A node engine's address that does not say where the node's address goes is refused, saying how to write it. */
  @Test
  void aNodeEngineNamesWhereTheNodesAddressGoes() {
    assertThat(BerthConfig.defaults().swarmNodeEngine()).isEmpty();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> BerthConfig.from(key -> key.equals("berth.swarm.nodeEngine")
            ? Optional.of("tcp://10.0.0.7:2376") : Optional.empty()))
        .withMessageContaining("berth.swarm.nodeEngine is 'tcp://10.0.0.7:2376'")
        .withMessageContaining("tcp://{address}:2376");
  }

  @Test
  void theReportGoesToTheBuildsOutputUnlessTurnedOff() {
    assertThat(BerthConfig.defaults().report()).contains(java.nio.file.Path.of("target", "berth"));
    for (String off : List.of("false", "OFF", " none ")) {
      assertThat(BerthConfig.from(key -> key.equals("berth.report") ? Optional.of(off) : Optional.empty()).report())
          .as(off).isEmpty();
    }
  }

  @Test
  void startAheadIsAWholeNumberOfServices() {
    assertThat(BerthConfig.defaults().startAhead()).isEqualTo(3);
    assertThat(config(Map.of("berth.startAhead", "0")).startAhead()).isZero();
    assertThatIllegalArgumentException().isThrownBy(() -> config(Map.of("berth.startAhead", "many")))
        .withMessageContaining("berth.startAhead is 'many': give a whole number");
    assertThatIllegalArgumentException().isThrownBy(() -> config(Map.of("berth.startAhead", "-1")))
        .withMessageContaining("berth.startAhead is -1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "172.17.0.1", "::", "::1", "fd00::1"})
  void publishAddressIsAnIpAddress(String address) {
    assertThat(BerthConfig.from(key -> key.equals("berth.publishAddress") ? Optional.of(address) : Optional.empty())
        .publishAddress()).isEqualTo(address);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dns.example.com", "10.0.0.2:99999", "10.0.0.2,", "[fd00::53", "10.0.0.2:53:53"})
  void dnsUpstreamRefusesNamesAndMalformedAddresses(String value) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> BerthConfig.from(key -> key.equals("berth.dnsUpstream") ? Optional.of(value)
            : Optional.empty()))
        .withMessageStartingWith("Configuration key berth.dnsUpstream has value '" + value + "', where '")
        .withMessageContaining("give IP addresses with an optional port, separated by commas");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "docker", "256.1.1.1", "1.2.3", "0.0.0.0:8080", "::g"})
  void publishAddressRefusesNamesAndMalformedAddresses(String address) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> BerthConfig.from(key -> key.equals("berth.publishAddress") ? Optional.of(address)
            : Optional.empty()))
        .withMessage("Configuration key berth.publishAddress has value '" + address + "': give an IP address of"
            + " the engine's machine, such as 127.0.0.1 (the default), 0.0.0.0 (all its interfaces) or 172.17.0.1");
  }

  @Test
  void imagePullIsMissingOrAlways() {
    assertThat(BerthConfig.defaults().imagePull()).isEqualTo(BerthConfig.ImagePull.MISSING);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of("berth.imagePull", "never")))
        .withMessageStartingWith("Configuration key berth.imagePull has value 'never': use missing");
  }

  @Test
  void hubImagePrefixMustBeginWithARegistry() {
    assertThat(BerthConfig.defaults().hubImagePrefix()).isEmpty();
    assertThat(config(Map.of("berth.hubImagePrefix", "127.0.0.1:5000/")).hubImagePrefix()).contains("127.0.0.1:5000/");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of("berth.hubImagePrefix", "mirror/hub/")))
        .withMessage("Configuration key berth.hubImagePrefix has value 'mirror/hub/': it names no registry but Docker"
            + " Hub itself; give a registry and perhaps a path, such as mirror.example.com/hub/ or 127.0.0.1:5000/");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of("berth.hubImagePrefix", "mirror.example.com/Hub/")))
        .withMessageContaining("it makes image references such as 'mirror.example.com/Hub/library/busybox:1.35',"
            + " which are malformed");
  }

  @ParameterizedTest
  @CsvSource({"exec, EXEC", "EXEC, EXEC", "' Exec ', EXEC", "direct, DIRECT", "auto, AUTO"})
  void readiness(String value, BerthConfig.Readiness expected) {
    assertThat(config(Map.of("berth.readiness", value)).readiness()).isEqualTo(expected);
  }

  @Test
  void badReadinessNamesTheKeyTheValueAndTheChoices() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of("berth.readiness", "fast")))
        .withMessageContaining("berth.readiness")
        .withMessageContaining("'fast'")
        .withMessageContaining("auto, direct or exec");
  }

  @ParameterizedTest
  @ValueSource(strings = {"berth.clientImage", "berth.probeImage"})
  void badImageIsRejectedWithTheValue(String key) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of(key, "BusyBox")))
        .withMessageContaining("'BusyBox'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"berth.clientImage", "berth.probeImage"})
  void badImageNamesTheKey(String key) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> config(Map.of(key, "BusyBox")))
        .withMessageContaining(key)
        .withMessageContaining("'BusyBox'");
  }

  /** Read before JUnit's configuration exists: a system property, else the environment ("path" is PATH there). */
  @Test
  void fromSystemTakesTheSystemPropertyThenTheEnvironment() {
    assertThat(BerthConfig.fromSystem("path")).hasValue(System.getenv("PATH"));
    System.setProperty("path", "/from/property");
    try {
      assertThat(BerthConfig.fromSystem("path")).hasValue("/from/property");
    } finally {
      System.clearProperty("path");
    }
    assertThat(BerthConfig.fromSystem("berth.noSuchKey")).isEmpty();
  }
}
