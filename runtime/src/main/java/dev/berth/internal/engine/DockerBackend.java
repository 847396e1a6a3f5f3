package dev.berth.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.CreateNetworkResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.api.model.WaitResponse;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.command.CreateNetworkCmdImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.berth.BerthException;
import dev.berth.ExecResult;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.ApiVersions.ApiVersion;
import dev.berth.internal.engine.ContainerRequest.ContainerPort;
import dev.berth.internal.spec.ImageBuild;
import dev.berth.internal.spec.ImageReference;
import dev.berth.internal.spec.Labels;
import dev.berth.internal.spec.SpecEncoding;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker's side of the {@link Engine}, through docker-java as {@link EngineClient} sets it up: networks, volumes and
 * containers here; images in {@link DockerImages}; exits, output, execs and files in {@link DockerStreams}. It knows
 * nothing of services or tests; failures become {@link BerthException}s that say what the engine refused.
 */
public class DockerBackend implements Engine {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  private static final String LOOPBACK = "127.0.0.1";
  /** Whether a thread of this JVM learns (or learned) the engine's messages: the mapper is the JVM's. */
  private static final AtomicBoolean LEARNING = new AtomicBoolean();
  /** An image reference that no registry can serve: {@code .invalid} is reserved (RFC 2606). */
  private static final String REHEARSAL_IMAGE = "berth.invalid/rehearsal";

  final DockerClient docker;
  private final URI host;
  private final String apiVersion;
  final EngineJson json;
  /** Null until asked: most runs never need to know. */
  private volatile Boolean podman;
  /** Null until asked: only a JVM apart from the engine's network needs to know. */
  private volatile Boolean rootless;

  private final DockerImages images;
  final DockerStreams streams;
  private final EngineExec execs;

  private DockerBackend(DockerClient docker, DockerClientConfig config, RegistryCredentials credentials,
      EngineDeadlines deadlines) {
    this.docker = docker;
    this.host = config.getDockerHost();
    this.apiVersion = config.getApiVersion().getVersion();
    this.json = new EngineJson(docker, config);
    this.images = new DockerImages(docker, json, host, credentials, deadlines.pullProgress(), this::podman);
    this.streams = new DockerStreams(docker);
    this.execs = new EngineExec(json);
  }

  /** A backend of another kind on the same connection ({@link SwarmBackend}): it takes over the connection. */
  DockerBackend(DockerBackend connection) {
    this.docker = connection.docker;
    this.host = connection.host;
    this.apiVersion = connection.apiVersion;
    this.json = connection.json;
    this.podman = connection.podman;
    this.rootless = connection.rootless;
    this.images = connection.images;
    this.streams = connection.streams;
    this.execs = connection.execs;
  }

  /**
   * Connects to the engine that {@code DOCKER_HOST} (or docker-java's usual configuration) names, and checks that
   * it answers.
   */
  public static DockerBackend connect(Optional<String> dockerHost) {
    return connect(dockerHost, EngineDeadlines.fromSystem());
  }

  /** Connects with the deadlines given ({@code berth.pingTimeout} for the ping, and the others). */
  public static DockerBackend connect(Optional<String> dockerHost, EngineDeadlines deadlines) {
    return connect(dockerHost, BerthConfig.fromSystem(EngineClient.TRANSPORT).orElse("auto"),
        RegistryCredentials.fromEnvironment(), deadlines);
  }

  /** Connects with the given {@code berth.transport}. */
  public static DockerBackend connect(Optional<String> dockerHost, String transport) {
    return connect(dockerHost, transport, RegistryCredentials.fromEnvironment());
  }

  /** Connects with the given {@code berth.transport}, pulling with {@code credentials}. */
  public static DockerBackend connect(Optional<String> dockerHost, String transport, RegistryCredentials credentials) {
    return connect(dockerHost, transport, credentials, EngineDeadlines.fromSystem());
  }

  /** Connects with the given {@code berth.transport}, pulling with {@code credentials}, within {@code deadlines}. */
  public static DockerBackend connect(Optional<String> dockerHost, String transport, RegistryCredentials credentials,
      EngineDeadlines deadlines) {
    DockerClientConfig asConfigured = EngineClient.config(dockerHost);
    DockerHttpClient http = EngineClient.http(asConfigured, transport, deadlines);
    DockerClientConfig config;
    EngineAnswer ping;
    try {
      try {
        ping = EngineAnswer.of(http, "/_ping");
      } catch (RuntimeException e) {
        String context = dockerHost.isPresent() ? "" : EngineClient.cliContext(System.getenv(),
            credentials.configDirectory()).map(c -> " It is the engine of the docker CLI's context " + c
                + ": start it, or choose another context with docker context use.").orElse("");
        throw new BerthException("No Docker engine answers at " + asConfigured.getDockerHost() + " ("
            + Engine.rootMessage(e) + ")." + context + " Start one, or point Berth at a running engine with the"
            + " DOCKER_HOST environment variable (or the configuration key berth.dockerHost), for example"
            + " DOCKER_HOST=unix:///var/run/docker.sock or DOCKER_HOST=tcp://127.0.0.1:2375", e);
      }
      config = EngineClient.speaking(asConfigured, negotiate(http, asConfigured, ping).toString());
    } catch (RuntimeException e) {
      try {
        http.close();
      } catch (IOException | RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    var backend = new DockerBackend(EngineClient.open(config, http), config, credentials, deadlines);
    backend.podman = podmanByPing(ping);
    return backend;
  }

  /**
   * Whether the engine is Podman, as its ping says: Docker's names itself in its {@code Server} header, Podman's adds
   * {@code Libpod-API-Version}; null if it says neither (then {@link #podman} asks {@code /version}, which costs a
   * fresh JVM about 200 ms of docker-java's version classes on the first start's path).
   */
  static Boolean podmanByPing(EngineAnswer ping) {
    String server = ping.header("Server");
    if (ping.header("Libpod-API-Version") != null || server != null && server.startsWith("Libpod/")) {
      return true;
    }
    return server != null && server.startsWith("Docker/") ? false : null;
  }

  /**
   * Chooses the API version to speak from the newest the engine's ping (unversioned, as every engine serves it)
   * names, asking for its oldest only when that matters ({@link ApiVersions}).
   */
  private static ApiVersion negotiate(DockerHttpClient http, DockerClientConfig config, EngineAnswer ping) {
    String host = config.getDockerHost().toString();
    if (ping.status() != 200) {
      throw new BerthException("The Docker engine at " + host + " answers its ping with status " + ping.status()
          + (ping.body().isBlank() ? "" : ": " + ping.body()) + ". Check that DOCKER_HOST (or berth.dockerHost)"
          + " names a Docker engine's API, and that the engine is healthy");
    }
    // Engines answer /version more slowly (it asks each component): only when the ping did not say enough.
    EngineAnswer version = null;
    Optional<ApiVersion> named = ApiVersion.parse(ping.header("API-Version"));
    if (named.isEmpty()) {
      version = EngineAnswer.of(http, "/version");
      named = ApiVersion.parse(version.field("ApiVersion"));
    }
    ApiVersion newest = named.orElseThrow(() -> new BerthException("The engine at " + host + " names no API"
        + " version in its answers to /_ping and /version; Berth speaks the Docker Engine API. Point DOCKER_HOST (or"
        + " berth.dockerHost) at a Docker engine, Podman's Docker-compatible socket, or a proxy that passes the"
        + " API-Version header"));
    String pinnedBy = "api.version, docker-java's setting";
    Optional<ApiVersion> pinned = EngineClient.versionNamed(config).flatMap(ApiVersion::parse);
    String environment = System.getenv("DOCKER_API_VERSION");
    if (pinned.isEmpty() && environment != null && !environment.isBlank()) {
      pinnedBy = "DOCKER_API_VERSION";
      pinned = ApiVersion.parse(environment);
    }
    Optional<ApiVersion> oldest = Optional.empty();
    if (ApiVersions.candidate(pinned, newest).below(newest)) {
      oldest = ApiVersion.parse((version != null ? version : EngineAnswer.of(http, "/version")).field("MinAPIVersion"));
    }
    ApiVersions.Choice choice = ApiVersions.choose(pinned, pinnedBy, newest, oldest, host);
    choice.warning().ifPresent(LOG::warn);
    LOG.debug("The Docker engine at {} serves API {}{}; Berth speaks {}", host,
        oldest.map(o -> o + " to ").orElse("up to "), newest, choice.version());
    return choice.version();
  }

  /**
   * The backend of {@code kind} on this connection: this one for {@code docker}; for {@code swarm}, the
   * {@link SwarmBackend}, which takes the connection over.
   *
   * @throws BerthException if the engine cannot be that kind (not a swarm manager)
   */
  public Engine as(BerthConfig.EngineKind kind) {
    return kind == BerthConfig.EngineKind.SWARM
        ? SwarmBackend.on(this, new NodeEngines(Optional.empty(), EngineDeadlines.fromSystem())) : this;
  }

  /** The backend a run's configuration asks for ({@code berth.engine}, and a swarm's node engines). */
  public Engine as(BerthConfig config) {
    return config.engine() == BerthConfig.EngineKind.SWARM
        ? SwarmBackend.on(this, new NodeEngines(config.swarmNodeEngine(), EngineDeadlines.of(config))) : this;
  }

  /** The kind of engine a backend is, as {@code berth.engine} and the session's leases name it. */
  public static String kindOf(Engine engine) {
    return (engine.swarm() ? BerthConfig.EngineKind.SWARM : BerthConfig.EngineKind.DOCKER).name().toLowerCase(
        java.util.Locale.ROOT);
  }

  /** Connects to the engine a lease names ({@code dockerHost=}, {@code engine=}), for the watchdog and the keeper. */
  public static Engine connect(String dockerHost, String kind) {
    DockerBackend connection = connect(Optional.of(dockerHost));
    try {
      return connection.as(kind == null || kind.isBlank() ? BerthConfig.EngineKind.DOCKER
          : BerthConfig.engineKind(kind));
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  @Override
  public URI host() {
    return host;
  }

  /** The API version spoken to the engine, as chosen on connecting. */
  public String apiVersion() {
    return apiVersion;
  }

  @Override
  public boolean rootless() {
    Boolean known = rootless;
    if (known == null) {
      // Rootless Docker lists "name=rootless" among its security options; Podman says "Rootless": true.
      JsonNode info = json.get("/info").orElseThrow();
      known = info.path("Rootless").asBoolean(false);
      for (JsonNode option : info.path("SecurityOptions")) {
        known |= option.asText().contains("name=rootless");
      }
      rootless = known;
    }
    return known;
  }

  @Override
  public boolean podman() {
    Boolean known = podman;
    if (known == null) {
      // Podman's version answer names its engine component "Podman Engine"; Docker's says "Engine".
      var components = docker.versionCmd().exec().getComponents();
      known = components != null && components.stream()
          .anyMatch(c -> c.getName() != null && c.getName().startsWith("Podman"));
      podman = known;
    }
    return known;
  }

  @Override
  public void learnEngineMessages() {
    learnEngineMessages(false);
  }

  /**
   * Has Jackson learn the engine's messages a first create needs, one type at a time (a type learned too late holds
   * up the start that needs it). {@code attaching}: the run will most likely attach to services left warm, which
   * needs none of them (an exec goes as JSON trees, {@link EngineExec}): it learns nothing. Learning them anyway kept
   * one of the two cores busy while the attach waited for it: a warm run of the benchmark's suite took 0.966 of its
   * time without it (wall, median of 10 pairs). A run that creates after all learns on the way.
   */
  public void learnEngineMessages(boolean attaching) {
    if (!LEARNING.compareAndSet(false, true) || attaching) {
      return; // attaching: nor does the run's warm-up learn them later
    }
    EngineClient.MAPPER.writerFor(CreateNetworkCmdImpl.class);
    for (Class<?> type : List.of(CreateNetworkResponse.class, Network.class)) {
      EngineClient.MAPPER.readerFor(type);
    }
    try {
      rehearseCreate();
    } catch (RuntimeException e) {
      LOG.debug("rehearsing a create request failed; the first real one learns instead", e);
    }
    for (Class<?> type : List.of(CreateContainerResponse.class, WaitResponse.class)) {
      EngineClient.MAPPER.readerFor(type);
    }
  }

  /**
   * Sends a create request like a service's, for an image that cannot exist ({@code .invalid}): the engine refuses
   * it at once (404) and creates nothing, and the JVM has learned what a first create needs (docker-java builds the
   * request's network part only when it sends it, and Jackson finds the writers of nested values only when it first
   * writes them). In a fresh JVM the first create requests went out about 110 ms after the network was ready, and
   * 34-58 ms sooner with the rehearsal (three batches of 8 paired suite runs). Returns whether the engine refused
   * it, as it should.
   */
  boolean rehearseCreate() {
    var request = new ContainerRequest("berth-rehearsal", REHEARSAL_IMAGE, "rehearsal", List.of(),
        List.of(new ContainerPort(1, false, null)), Map.of("NAME", "value"), null, List.of("true"), "/", null, null,
        Map.of("/cache", Engine.cacheVolumeName("rehearsal")), Map.of(), null, Map.of("alias", "192.0.2.1"),
        Map.of(Labels.BERTH, SpecEncoding.VERSION));
    try {
      var dns = new DnsSettings("192.0.2.1", "rehearsal");
      String id = createCommand(request, "rehearsal", dns, LOOPBACK).exec().getId();
      remove(id);
      return false;
    } catch (NotFoundException refused) {
      return true;
    }
  }

  @Override
  public boolean hasImage(String image) {
    return images.hasImage(image);
  }

  @Override
  public void pull(ImageReference image, boolean evenIfPresent, Duration timeout, String neededBy) {
    images.pull(image, evenIfPresent, timeout, neededBy);
  }

  @Override
  public void build(ImageBuild build, Duration timeout, String neededBy) {
    images.build(build, timeout, neededBy);
  }

  @Override
  public void removeSupersededBuilds(ImageBuild build) {
    images.removeSupersededBuilds(build);
  }

  @Override
  public Closeable watchDisconnects(String network, Consumer<String> disconnected) {
    return streams.watchDisconnects(network, disconnected);
  }

  @Override
  public CompletableFuture<Integer> exitCode(String id) {
    return streams.exitCode(id);
  }

  @Override
  public String output(String id, Duration timeout, String what) {
    return streams.output(id, timeout, what);
  }

  @Override
  public Closeable followLogs(String id, Consumer<String> lines, Runnable end, Integer tail) {
    return streams.followLogs(id, lines, end, tail);
  }

  @Override
  public ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where) {
    return execs.run(id, command, workdir, timeout, timeoutKey, where, new CompletableFuture<>());
  }

  @Override
  public ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where, CompletableFuture<?> abandonWhen) {
    return execs.run(id, command, workdir, timeout, timeoutKey, where, abandonWhen);
  }

  @Override
  public void writeFile(String id, String path, byte[] contents, String where) {
    streams.writeFile(id, path, contents, where);
  }

  @Override
  public byte[] readFile(String id, String path, String where) {
    return streams.readFile(id, path, where);
  }

  @Override
  public String createNetwork(String name, Map<String, String> labels, boolean engineDns) {
    // The runs of a session after its first (and every warm re-run) find the network: read as a tree, as creating it
    // and then listing it through docker-java cost a fresh JVM about 100 ms of its classes on the first start's path.
    Optional<String> existing = existingNetwork(name);
    if (existing.isPresent()) {
      return existing.get();
    }
    if (!engineDns && podman()) {
      return createNetworkWithoutPodmansDns(name, labels);
    }
    try {
      return docker.createNetworkCmd().withName(name).withDriver("bridge").withLabels(labels)
          .withCheckDuplicate(true).exec().getId();
    } catch (ConflictException e) {
      return existingNetwork(name).orElseThrow(() -> e);
    } catch (DockerException e) {
      if (String.valueOf(e.getMessage()).contains("already exists")) {
        return existingNetwork(name).orElseThrow(() -> e);
      }
      throw e;
    }
  }

  /**
   * Podman's Docker-compatible API gives every bridge network Podman's DNS server; its own API can leave it out. The
   * network is otherwise what the compatible API makes: a bridge, isolated from other networks.
   */
  private String createNetworkWithoutPodmansDns(String name, Map<String, String> labels) {
    var body = EngineClient.MAPPER.createObjectNode().put("name", name).put("driver", "bridge")
        .put("dns_enabled", false);
    body.putObject("options").put("isolate", "true");
    var labelNode = body.putObject("labels");
    labels.forEach(labelNode::put);
    EngineJson.Answer answer = json.post("/v4.0.0/libpod/networks/create", body);
    if (answer.status() == 409) {
      return existingNetwork(name).orElseThrow(() -> new BerthException("Podman says network " + name
          + " exists (" + answer.body() + "), but does not list it"));
    }
    if (answer.status() / 100 != 2) {
      throw new BerthException("Podman refused to create network " + name + " without its DNS server: status "
          + answer.status() + ", " + answer.body() + ". Set berth.dns=false to leave Podman's DNS server on");
    }
    try {
      return EngineClient.MAPPER.readTree(answer.body()).path("id").asText();
    } catch (IOException e) {
      throw new UncheckedIOException("Reading Podman's answer to creating network " + name + " failed", e);
    }
  }

  @Override
  public Optional<String> bridgeInterface(String network) {
    if (!podman()) {
      return Optional.empty();
    }
    return json.getAsGiven("/v4.0.0/libpod/networks/" + network + "/json")
        .map(n -> n.path("network_interface").asText("")).filter(name -> !name.isEmpty());
  }

  private Optional<String> existingNetwork(String name) {
    return json.network(name).filter(n -> n.path("Name").asText().equals(name)).map(n -> n.path("Id").asText());
  }

  @Override
  public Optional<ExistingContainer> findContainer(String name, String network, List<ContainerPort> ports) {
    return json.container(name).map(info -> new ExistingContainer(info.path("State").path("Running").asBoolean(),
        started(info, network, ports)));
  }

  @Override
  public String gateway(String network) {
    JsonNode info = json.network(network).orElseThrow(() -> new BerthException("Network " + network + " is gone"
        + " from the engine at " + host + ": something removed it while this run used it"));
    List<JsonNode> ipam = new ArrayList<>();
    info.path("IPAM").path("Config").forEach(ipam::add);
    for (JsonNode config : ipam) {
      if (!config.path("Gateway").asText("").isEmpty()) {
        return config.path("Gateway").asText();
      }
    }
    // A first start of the engine leaves the gateway out of the IPAM configuration: the containers know it.
    var attached = info.path("Containers").fieldNames();
    while (attached.hasNext()) {
      Optional<String> gateway = json.container(attached.next()).map(c -> c.path("NetworkSettings").path("Networks")
          .path(info.path("Name").asText()).path("Gateway").asText("")).filter(g -> !g.isEmpty());
      if (gateway.isPresent()) {
        return gateway.get();
      }
    }
    return ipam.stream().map(c -> c.path("Subnet").asText("")).map(DockerBackend::firstAddress)
        .flatMap(Optional::stream).findFirst().orElseThrow(() -> new BerthException("Network " + network
            + " has no gateway, so containers cannot reach the test machine"));
  }

  /** The first host address of an IPv4 subnet such as {@code 172.17.0.0/16}: 172.17.0.1. */
  static Optional<String> firstAddress(String subnet) {
    if (subnet == null || !subnet.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
      return Optional.empty();
    }
    String[] parts = subnet.split("/");
    int prefix = Integer.parseInt(parts[1]);
    if (prefix > 30) {
      return Optional.empty();
    }
    int address = 0;
    for (String octet : parts[0].split("\\.")) {
      address = address << 8 | Integer.parseInt(octet);
    }
    int first = (prefix == 0 ? 0 : address & (-1 << (32 - prefix))) + 1;
    return Optional.of((first >>> 24) + "." + (first >>> 16 & 255) + "." + (first >>> 8 & 255) + "." + (first & 255));
  }

  @Override
  public void ensureVolume(String name, Map<String, String> labels) {
    try {
      docker.inspectVolumeCmd(name).exec();
    } catch (NotFoundException e) {
      docker.createVolumeCmd().withName(name).withLabels(labels).exec();
    }
  }

  @Override
  public List<String> removeUnusedVolumes(String label, String value) {
    var removed = new ArrayList<String>();
    var volumes = docker.listVolumesCmd().withFilter("label", List.of(label + "=" + value)).exec().getVolumes();
    for (var volume : volumes == null ? List.<com.github.dockerjava.api.command.InspectVolumeResponse>of() : volumes) {
      try {
        docker.removeVolumeCmd(volume.getName()).exec();
        removed.add(volume.getName());
      } catch (ConflictException e) {
        LOG.debug("volume {} is in use; kept", volume.getName());
      } catch (NotFoundException e) {
        LOG.debug("volume {} already removed", volume.getName());
      }
    }
    return removed;
  }

  @Override
  public void removeNetwork(String id) {
    for (int attempt = 1; ; attempt++) {
      try {
        docker.removeNetworkCmd(id).exec();
        return;
      } catch (NotFoundException e) {
        LOG.debug("network {} already removed", id);
        return;
      } catch (DockerException e) {
        if (attempt >= 100 || !inUse(e.getMessage())) {
          throw e;
        }
        disconnectAll(id);
        try {
          Thread.sleep(50);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * Whether the engine refused to remove a network because containers are still attached: Docker says "active
   * endpoints" (403); Podman "network is being used" (500); Swarm "network ... is in use by service" (or "by task":
   * a service goes a moment after its removal). Another run's containers may be on their way out.
   */
  static boolean inUse(String refusal) {
    String message = String.valueOf(refusal);
    return message.contains("active endpoints") || message.contains("network is being used")
        || message.matches("(?s).*network \\S+ is in use by (service|task).*");
  }

  private void disconnectAll(String network) {
    try {
      Map<String, ?> attached = docker.inspectNetworkCmd().withNetworkId(network).exec().getContainers();
      for (String container : attached == null ? List.<String>of() : attached.keySet()) {
        disconnect(network, container);
      }
    } catch (NotFoundException e) {
      LOG.debug("network {} is gone already", network);
    }
  }

  @Override
  public void disconnect(String network, String container) {
    LOG.debug("disconnecting {} from network {}", container, network);
    try {
      docker.disconnectFromNetworkCmd().withNetworkId(network).withContainerId(container).withForce(true).exec();
    } catch (NotFoundException | ConflictException e) {
      LOG.debug("{} left network {} already", container, network);
    } catch (DockerException e) {
      // Removed meanwhile, or being removed: either way it is leaving the network.
      LOG.debug("disconnecting {} from network {} failed: {}", container, network, e.getMessage());
    }
  }

  @Override
  public StartedContainer createAndStart(ContainerRequest request, String network, DnsSettings dns, String publishOn) {
    CreateContainerCmd create = createCommand(request, network, dns, publishOn);
    String id;
    try {
      id = create.exec().getId();
    } catch (ConflictException e) {
      throw new NameTakenException(request.name(), e);
    } catch (InternalServerErrorException e) {
      if (namesTaken(e.getMessage(), request.name())) {
        throw new NameTakenException(request.name(), e);
      }
      throw e;
    }
    try {
      if (request.files() != null) {
        docker.copyArchiveToContainerCmd(id).withRemotePath("/")
            .withTarInputStream(new ByteArrayInputStream(request.files())).exec();
      }
      // The engine holds a container's lock while it starts it, and an inspection waits for that lock: asked just
      // after the start, it is answered the moment the start ends, a round trip sooner than asking afterwards.
      CompletableFuture<JsonNode> inspection = CompletableFuture.supplyAsync(() -> inspect(id), INSPECT_DURING_START);
      docker.startContainerCmd(id).exec();
      JsonNode info = afterStart(inspection).orElseGet(() -> inspect(id));
      return started(info, network, request.ports());
    } catch (RuntimeException e) {
      remove(id);
      throw e;
    }
  }

  /**
   * Whether a create's 500 is Podman's answer to a taken name, which Docker answers 409: "the container name \"x\"
   * is already in use by ...". Only the name's own wording counts; a taken host port also says "already in use".
   */
  static boolean namesTaken(String message, String name) {
    // docker-java's message is the answer's JSON body, where the quotes around the name are escaped.
    return message != null && message.replace("\\\"", "\"")
        .contains("the container name \"" + name + "\" is already in use");
  }

  /**
   * The container's names on the network: its hostname and aliases, and, with the run's DNS, each of them in the
   * zone too ({@code <name>.<zone>}). The engine's resolver answers these itself, so they resolve while the test JVM,
   * which serves the zone's other records, is paused or stopped at a breakpoint.
   */
  static List<String> networkAliases(ContainerRequest request, DnsSettings dns) {
    var names = new ArrayList<String>();
    names.add(request.hostname());
    names.addAll(request.aliases());
    var aliases = new ArrayList<>(names);
    if (dns != null) {
      names.stream().filter(name -> !name.contains(".")).map(name -> name + "." + dns.search())
          .forEach(aliases::add);
    }
    return aliases.stream().distinct().toList();
  }

  /** The create request for a container, not yet sent. */
  private CreateContainerCmd createCommand(ContainerRequest request, String network, DnsSettings dns,
      String publishOn) {
    var portBindings = new ArrayList<PortBinding>();
    var exposed = new ArrayList<ExposedPort>();
    for (ContainerPort port : request.ports()) {
      ExposedPort exposedPort = exposedPort(port);
      exposed.add(exposedPort);
      portBindings.add(new PortBinding(port.hostPort() == null ? Ports.Binding.bindIp(publishOn)
          : Ports.Binding.bindIpAndPort(publishOn, port.hostPort()), exposedPort));
    }
    var extraHosts = request.extraHosts().entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
        .toArray(String[]::new);
    var aliases = networkAliases(request, dns);
    CreateContainerCmd create = docker.createContainerCmd(request.image())
        .withName(request.name())
        .withHostName(request.hostname())
        .withLabels(request.labels())
        .withEnv(request.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
        .withExposedPorts(exposed)
        .withAliases(aliases)
        .withHostConfig(HostConfig.newHostConfig()
            .withNetworkMode(network)
            .withPortBindings(portBindings)
            .withExtraHosts(extraHosts)
            .withBinds(request.volumes().entrySet().stream()
                .map(v -> new Bind(v.getValue(), new Volume(v.getKey()))).toList())
            .withTmpFs(request.tmpfs().isEmpty() ? null : request.tmpfs()));
    if (dns != null) {
      // The engine's resolver in the container (127.0.0.11) still answers container names and aliases itself and
      // forwards everything else here.
      create.getHostConfig().withDns(List.of(dns.server())).withDnsSearch(List.of(dns.search()));
    }
    if (request.entrypoint() != null) {
      create.withEntrypoint(request.entrypoint());
    }
    if (request.command() != null) {
      create.withCmd(request.command());
    }
    if (request.workdir() != null) {
      create.withWorkingDir(request.workdir());
    }
    if (request.user() != null) {
      create.withUser(request.user());
    }
    if (request.shmSize() != null) {
      create.getHostConfig().withShmSize(request.shmSize());
    }
    return create;
  }

  /**
   * Sends the inspection that accompanies a start a few milliseconds after the start, so that the engine is
   * likely to have taken the container's lock by then; if not, {@link #afterStart} notices and it is asked again.
   */
  private static final Executor INSPECT_DURING_START =
      CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS, EngineClient.REQUESTS);

  /** The inspection sent during the start, if it describes the started container (not the one before the start). */
  private static Optional<JsonNode> afterStart(CompletableFuture<JsonNode> inspection) {
    try {
      JsonNode info = inspection.join();
      String startedAt = info.path("State").path("StartedAt").asText("");
      if (startedAt.isEmpty() || startedAt.startsWith("0001-")) {
        LOG.debug("the inspection of {} came before its start; asking again", info.path("Id").asText());
        return Optional.empty();
      }
      return Optional.of(info);
    } catch (CompletionException e) {
      LOG.debug("the inspection during a start failed; asking again", e.getCause());
      return Optional.empty();
    }
  }


  /** A port as the engine names it. */
  private static ExposedPort exposedPort(ContainerPort port) {
    return port.udp() ? ExposedPort.udp(port.port()) : ExposedPort.tcp(port.port());
  }

  /** A container's inspection, which must exist (this run just created it). */
  private JsonNode inspect(String id) {
    return json.container(id).orElseThrow(() -> new BerthException("Container " + id + " vanished as it started;"
        + " something else removed it"));
  }

  /** What a run needs of an inspection: the address on {@code network}, the published ports, the health check. */
  static StartedContainer started(JsonNode info, String network, List<ContainerPort> ports) {
    JsonNode settings = info.path("NetworkSettings");
    String address = settings.path("Networks").path(network).path("IPAddress").asText("");
    var hostPorts = new LinkedHashMap<Integer, Integer>();
    for (ContainerPort port : ports) {
      JsonNode published = settings.path("Ports").path(exposedPort(port).toString()).path(0).path("HostPort");
      if (!published.asText("").isEmpty()) {
        hostPorts.put(port.port(), Integer.parseInt(published.asText()));
      }
    }
    JsonNode health = info.path("Config").path("Healthcheck");
    Healthcheck healthcheck = health.isMissingNode() || health.isNull() ? Healthcheck.NONE
        : Healthcheck.of(texts(health.path("Test")), longOrNull(health.path("Interval")),
            longOrNull(health.path("Timeout")), longOrNull(health.path("StartPeriod")),
            health.path("Retries").canConvertToInt() ? health.path("Retries").asInt() : null);
    return new StartedContainer(info.path("Id").asText(), address, Map.copyOf(hostPorts), healthcheck);
  }

  private static List<String> texts(JsonNode array) {
    var texts = new ArrayList<String>();
    array.forEach(element -> texts.add(element.asText()));
    return texts;
  }

  private static Long longOrNull(JsonNode number) {
    return number.isNumber() ? number.asLong() : null;
  }

  @Override
  public void stop(String id, Duration timeout) {
    if (timeout.toNanos() % 1_000_000_000L == 0) {
      stopWaiting(id, timeout.toSeconds());
      return;
    }
    // The engine counts a stop's timeout in whole seconds: it is asked to wait longer, on a thread of its own, and
    // the wait for the exit here is cut at the timeout.
    var stopping = new Thread(() -> {
      try {
        stopWaiting(id, timeout.toSeconds() + 1);
      } catch (RuntimeException e) {
        LOG.debug("stopping container {} ended with the removal that followed it", id, e);
      }
    }, "berth-stop");
    stopping.setDaemon(true);
    stopping.start();
    try (var exit = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())) {
      exit.awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (NotFoundException e) {
      LOG.debug("container {} already removed", id);
    } catch (DockerClientException e) {
      LOG.debug("container {} still runs {} ms after its stop signal", id, timeout.toMillis());
    } catch (IOException e) {
      LOG.debug("closing the wait for container {} failed", id, e);
    }
  }

  private void stopWaiting(String id, long seconds) {
    try {
      docker.stopContainerCmd(id).withTimeout((int) Math.min(Integer.MAX_VALUE, seconds)).exec();
    } catch (NotModifiedException | NotFoundException e) {
      LOG.debug("container {} already stopped", id);
    } catch (ConflictException e) {
      LOG.debug("container {} is being removed", id);
    }
  }

  @Override
  public void remove(String id) {
    try {
      docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      LOG.debug("container {} already removed", id);
    } catch (ConflictException e) {
      LOG.debug("container {} is being removed already", id);
    }
  }

  /** Read as JSON trees: listing through docker-java first taught Jackson its whole container type, at a run's end. */
  @Override
  public List<Listed> containersOf(Map<String, String> labels) {
    return json.containers(labels).stream().map(c -> new Listed(c.path("Id").asText(), labels(c.path("Labels"))))
        .toList();
  }

  @Override
  public List<String> containersLabelled(Map<String, String> labels) {
    return json.containers(labels).stream().map(c -> c.path("Id").asText()).toList();
  }

  /** An engine object's labels, as the engine gives them ({@code "Labels": {...}}). */
  static Map<String, String> labels(JsonNode labelObject) {
    var labels = new LinkedHashMap<String, String>();
    labelObject.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  @Override
  public void close() {
    try {
      docker.close();
    } catch (IOException e) {
      LOG.debug("closing the Docker client failed", e);
    }
  }


}
