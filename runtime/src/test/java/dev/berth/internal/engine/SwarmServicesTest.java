package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.BerthException;
import dev.berth.internal.engine.ContainerRequest.ContainerPort;
import dev.berth.internal.engine.Engine.DnsSettings;
import dev.berth.internal.spec.Tar;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a service's container request becomes on Docker Swarm; the calls are tried on a real swarm elsewhere. */
class SwarmServicesTest {

  private static final DnsSettings DNS = new DnsSettings("172.18.0.1", "s-1.berth.local");

  private static ContainerRequest request(byte[] files, Map<String, String> tmpfs, Long shm) {
    return new ContainerRequest("berth-s-1-0123456789abcdef", "redis:7.0", "berth-0123456789abcdef",
        List.of("cache"), List.of(new ContainerPort(6379, false, null), new ContainerPort(53, true, 5353)),
        Map.of("A", "1"), List.of("redis-server"), List.of("--port", "6379"), "/data", "999", shm,
        Map.of("/cache", "berth-cache-redis"), tmpfs, files, Map.of("db", "10.0.1.7"),
        Map.of("dev.berth.session", "s-1", "dev.berth.role", "service"));
  }

  @Test
  void aServiceIsOneTaskOnTheOverlayResolvedByRoundRobinWithPortsOnItsNode() {
    JsonNode spec = SwarmServices.serviceSpec(request(null, Map.of(), null), "berth-s-1", DNS, List.of(), Map.of());

    assertThat(spec.path("Name").asText()).isEqualTo("berth-s-1-0123456789abcdef");
    assertThat(spec.path("Labels").path("dev.berth.session").asText()).isEqualTo("s-1");
    assertThat(spec.at("/Mode/Replicated/Replicas").asInt()).isEqualTo(1);
    assertThat(spec.at("/EndpointSpec/Mode").asText()).as("no IPVS needed").isEqualTo("dnsrr");
    assertThat(spec.at("/EndpointSpec/Ports").toString()).isEqualTo("[{\"Protocol\":\"tcp\",\"TargetPort\":6379,"
        + "\"PublishMode\":\"host\"},{\"Protocol\":\"udp\",\"TargetPort\":53,\"PublishMode\":\"host\","
        + "\"PublishedPort\":5353}]");
    JsonNode task = spec.path("TaskTemplate");
    assertThat(task.at("/RestartPolicy/Condition").asText()).as("a death is Berth's to notice").isEqualTo("none");
    assertThat(task.at("/Networks/0/Target").asText()).isEqualTo("berth-s-1");
    assertThat(task.at("/Networks/0/Aliases").toString()).isEqualTo("[\"berth-0123456789abcdef\",\"cache\","
        + "\"berth-0123456789abcdef.s-1.berth.local\",\"cache.s-1.berth.local\"]");
    JsonNode container = task.path("ContainerSpec");
    assertThat(container.path("Labels").path("dev.berth.role").asText()).as("the task's container is found by them")
        .isEqualTo("service");
    assertThat(container.path("Command").toString()).as("the entrypoint").isEqualTo("[\"redis-server\"]");
    assertThat(container.path("Args").toString()).isEqualTo("[\"--port\",\"6379\"]");
    assertThat(container.path("Hosts").toString()).isEqualTo("[\"10.0.1.7 db\"]");
    assertThat(container.at("/DNSConfig/Nameservers/0").asText()).isEqualTo("172.18.0.1");
    assertThat(container.at("/DNSConfig/Search/0").asText()).isEqualTo("s-1.berth.local");
    assertThat(container.path("Mounts").toString()).isEqualTo("[{\"Type\":\"volume\",\"Source\":\"berth-cache-redis\","
        + "\"Target\":\"/cache\"}]");
    assertThat(container.path("Dir").asText()).isEqualTo("/data");
    assertThat(container.path("User").asText()).isEqualTo("999");
  }

  /** A replica is the swarm's to run again, on another node if its node goes; a single service is Berth's. */
  @Test
  void aReplicaIsRestartedByTheSwarm() {
    var single = request(null, Map.of(), null);
    var labels = new java.util.HashMap<>(single.labels());
    labels.put("dev.berth.group", "berth-0123456789abcdef");
    var replica = new ContainerRequest(single.name(), single.image(), single.hostname(), single.aliases(),
        single.ports(), single.env(), single.entrypoint(), single.command(), single.workdir(), single.user(), null,
        single.volumes(), single.tmpfs(), null, single.extraHosts(), labels);

    assertThat(SwarmServices.serviceSpec(replica, "n", DNS, List.of(), Map.of())
        .at("/TaskTemplate/RestartPolicy/Condition").asText()).isEqualTo("any");
    assertThat(SwarmServices.serviceSpec(single, "n", DNS, List.of(), Map.of())
        .at("/TaskTemplate/RestartPolicy/Condition").asText()).isEqualTo("none");
  }

  @Test
  void filesBecomeConfigsNamedByServiceAndContent() {
    byte[] files = Tar.of(Map.of("/etc/redis.conf", "maxmemory 64mb".getBytes(StandardCharsets.UTF_8)),
        path -> 0640);
    var request = request(files, Map.of(), null);
    var configs = SwarmServices.configFiles(request);

    assertThat(configs).singleElement().satisfies(c -> {
      assertThat(c.path()).isEqualTo("/etc/redis.conf");
      assertThat(c.mode()).isEqualTo(0640);
      assertThat(c.configName()).startsWith("berth-s-1-0123456789abcdef-").hasSize(26 + 1 + 12);
    });
    assertThat(SwarmServices.configFiles(request).get(0).configName()).as("the same file, the same name")
        .isEqualTo(configs.get(0).configName());
    JsonNode spec = SwarmServices.serviceSpec(request, "berth-s-1", DNS, configs,
        Map.of(configs.get(0).configName(), "cfg-id"));
    assertThat(spec.at("/TaskTemplate/ContainerSpec/Configs/0/File/Name").asText()).isEqualTo("/etc/redis.conf");
    assertThat(spec.at("/TaskTemplate/ContainerSpec/Configs/0/File/Mode").asInt()).isEqualTo(0640);
    assertThat(spec.at("/TaskTemplate/ContainerSpec/Configs/0/ConfigID").asText()).isEqualTo("cfg-id");
    assertThat(SwarmServices.configSpec(configs.get(0), Map.of("dev.berth.session", "s-1"), "svc")
        .path("Labels").toString()).isEqualTo("{\"dev.berth.session\":\"s-1\",\"dev.berth.swarm.service\":\"svc\"}");
  }

  @Test
  void aFileTooLargeForAConfigIsRefusedSayingWhatToDo() {
    byte[] files = Tar.of(Map.of("/data/seed.bin", new byte[SwarmServices.CONFIG_LIMIT + 1]));

    assertThatThrownBy(() -> SwarmServices.configFiles(request(files, Map.of(), null)))
        .isInstanceOf(BerthException.class).hasMessageContaining("/data/seed.bin")
        .hasMessageContaining("at most " + SwarmServices.CONFIG_LIMIT + " bytes").hasMessageContaining("Dockerfile");
  }

  @Test
  void tmpfsOptionsAndShmBecomeSwarmsTmpfsMounts() {
    JsonNode spec = SwarmServices.serviceSpec(request(null, Map.of("/var/lib/data", "size=64m,mode=0700"),
        256L * 1024 * 1024), "n", null, List.of(), Map.of());

    assertThat(spec.at("/TaskTemplate/ContainerSpec/Mounts").toString()).contains(
        "{\"Type\":\"tmpfs\",\"Target\":\"/var/lib/data\",\"TmpfsOptions\":{\"SizeBytes\":67108864,\"Mode\":448}}",
        "{\"Type\":\"tmpfs\",\"Target\":\"/dev/shm\",\"TmpfsOptions\":{\"SizeBytes\":268435456}}");
    assertThat(spec.at("/TaskTemplate/ContainerSpec/DNSConfig").isMissingNode()).as("no run DNS").isTrue();
    assertThatThrownBy(() -> SwarmServices.serviceSpec(request(null, Map.of("/t", "noexec"), null), "n", null,
        List.of(), Map.of())).isInstanceOf(BerthException.class).hasMessageContaining("'noexec'")
        .hasMessageContaining("size= and mode=");
  }

  @Test
  void namesBecomeDnsLabelsOfAtMost63ThatStayUniqueAndStable() {
    assertThat(SwarmServices.objectName("berth-ci-42-0123456789abcdef")).isEqualTo("berth-ci-42-0123456789abcdef");
    String dotted = SwarmServices.objectName("berth-forks-2026-12-07T06-05-24.804Z");
    assertThat(dotted).matches("[a-zA-Z0-9-]+").isNotEqualTo(SwarmServices.objectName("berth-forks-2026-12-07T06-05-24-804Z"))
        .isEqualTo(SwarmServices.objectName("berth-forks-2026-12-07T06-05-24.804Z"));
    assertThat(SwarmServices.objectName("berth-" + "x".repeat(80))).hasSize(63);
  }

  /** A task on another node, as the manager describes it (Engine 20.10's answer, trimmed). */
  @Test
  void aTaskOnAnotherNodeStandsForItsContainerWithItsAddressAndPorts() throws Exception {
    JsonNode task = EngineClient.MAPPER.readTree("{\"ID\":\"kzec58g4ok75j6nta4uo88fvq\",\"NodeID\":\"n2\","
        + "\"Status\":{\"State\":\"running\",\"PortStatus\":{\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":8080,"
        + "\"PublishedPort\":30001,\"PublishMode\":\"host\"},{\"Protocol\":\"udp\",\"TargetPort\":8080,"
        + "\"PublishedPort\":30002,\"PublishMode\":\"host\"}]}},\"NetworksAttachments\":["
        + "{\"Network\":{\"Spec\":{\"Name\":\"ingress\"}},\"Addresses\":[\"10.0.0.9/24\"]},"
        + "{\"Network\":{\"Spec\":{\"Name\":\"berth-s-1\"}},\"Addresses\":[\"10.0.3.7/24\"]}]}");

    var started = SwarmServices.startedRemotely(task, "berth-s-1", List.of(new ContainerPort(8080, false, null)),
        "192.168.0.3");

    assertThat(started.id()).isEqualTo(SwarmTasks.REMOTE + "kzec58g4ok75j6nta4uo88fvq");
    assertThat(started.address()).isEqualTo("10.0.3.7");
    assertThat(started.hostPorts()).containsExactly(Map.entry(8080, 30001));
    assertThat(started.node()).contains("192.168.0.3");
  }

  @Test
  void aManagerThatReportsNoAddressIsFoundAtItsManagerAddress() throws Exception {
    assertThat(SwarmServices.nodeAddress(EngineClient.MAPPER.readTree("{\"Status\":{\"Addr\":\"192.168.0.3\"}}")))
        .isEqualTo("192.168.0.3");
    assertThat(SwarmServices.nodeAddress(EngineClient.MAPPER.readTree("{\"Status\":{\"Addr\":\"0.0.0.0\"},"
        + "\"ManagerStatus\":{\"Addr\":\"192.168.0.2:2377\"}}"))).isEqualTo("192.168.0.2");
  }
}
