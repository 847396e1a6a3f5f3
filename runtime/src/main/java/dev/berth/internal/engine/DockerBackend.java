package dev.berth.internal.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.CreateNetworkResponse;
import com.github.dockerjava.api.command.ExecCreateCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.AuthConfigurations;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.api.model.WaitResponse;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.command.CreateNetworkCmdImpl;
import dev.berth.BerthException;
import dev.berth.ExecResult;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.engine.ContainerRequest.ContainerPort;
import dev.berth.internal.spec.ImageBuild;
import dev.berth.internal.spec.ImageReference;
import dev.berth.internal.spec.Labels;
import dev.berth.internal.spec.SpecEncoding;
import dev.berth.internal.spec.Tar;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only class that talks to the engine (through docker-java, as {@link EngineClient} sets it up): images, the
 * run's network, containers, execs, files and logs. It knows nothing of services or tests; failures become
 * {@link BerthException}s that say what the engine refused.
 */
public final class DockerBackend implements Engine {

  private static final Logger LOG = LoggerFactory.getLogger("dev.berth");
  private static final String LOOPBACK = "127.0.0.1";
  /** How often a running exec checks whether it is to be abandoned. */
  private static final Duration ABANDON_POLL = Duration.ofMillis(100);
  /** Whether a thread of this JVM learns (or learned) the engine's messages: the mapper is the JVM's. */
  private static final AtomicBoolean LEARNING = new AtomicBoolean();
  /** An image reference that no registry can serve: {@code .invalid} is reserved (RFC 2606). */
  private static final String REHEARSAL_IMAGE = "berth.invalid/rehearsal";

  private final DockerClient docker;
  private final URI host;
  private final RegistryCredentials credentials;

  private DockerBackend(DockerClient docker, URI host, RegistryCredentials credentials) {
    this.docker = docker;
    this.host = host;
    this.credentials = credentials;
  }

  /**
   * Connects to the engine that {@code DOCKER_HOST} (or docker-java's usual configuration) names, and checks that
   * it answers.
   */
  public static DockerBackend connect(Optional<String> dockerHost) {
    return connect(dockerHost, BerthConfig.fromSystem(EngineClient.TRANSPORT).orElse("auto"));
  }

  /** Connects with the given {@code berth.transport}. */
  public static DockerBackend connect(Optional<String> dockerHost, String transport) {
    return connect(dockerHost, transport, RegistryCredentials.fromEnvironment());
  }

  /** Connects with the given {@code berth.transport}, pulling with {@code credentials}. */
  public static DockerBackend connect(Optional<String> dockerHost, String transport, RegistryCredentials credentials) {
    DockerClientConfig config = EngineClient.config(dockerHost);
    var backend = new DockerBackend(EngineClient.open(config, transport), config.getDockerHost(), credentials);
    try {
      backend.docker.pingCmd().exec();
    } catch (RuntimeException e) {
      backend.close();
      String context = dockerHost.isPresent() ? "" : EngineClient.cliContext(System.getenv(),
          credentials.configDirectory()).map(c -> " It is the engine of the docker CLI's context " + c
              + ": start it, or choose another context with docker context use.").orElse("");
      throw new BerthException("No Docker engine answers at " + config.getDockerHost() + " (" + Engine.rootMessage(e)
          + ")." + context + " Start one, or point Berth at a running engine with the DOCKER_HOST environment"
          + " variable (or the configuration key berth.dockerHost), for example"
          + " DOCKER_HOST=unix:///var/run/docker.sock or DOCKER_HOST=tcp://127.0.0.1:2375", e);
    }
    return backend;
  }

  @Override
  public URI host() {
    return host;
  }

  @Override
  public void learnEngineMessages() {
    if (!LEARNING.compareAndSet(false, true)) {
      return;
    }
    EngineClient.MAPPER.writerFor(CreateNetworkCmdImpl.class);
    for (Class<?> type : List.of(CreateNetworkResponse.class, Network.class, InspectImageResponse.class)) {
      EngineClient.MAPPER.readerFor(type);
    }
    try {
      rehearseCreate();
    } catch (RuntimeException e) {
      LOG.debug("rehearsing a create request failed; the first real one learns instead", e);
    }
    for (Class<?> type : List.of(CreateContainerResponse.class, InspectContainerResponse.class, WaitResponse.class,
        com.github.dockerjava.api.model.Container.class)) {
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

  /**
   * Removes the images built before from the same Dockerfile, arguments and context directory, but other files
   * ({@code berth.builds.prune}). An image a container uses is left: the engine refuses to remove it, and
   * whoever uses it still needs it.
   */
  @Override
  public void removeSupersededBuilds(ImageBuild build) {
    String current = build.image().toString();
    var removed = new ArrayList<String>();
    for (Image image : docker.listImagesCmd().withLabelFilter(Map.of(Labels.BUILD_SOURCE, build.source())).exec()) {
      List<String> tags = image.getRepoTags() == null ? List.of() : List.of(image.getRepoTags());
      if (tags.contains(current)) {
        continue;
      }
      try {
        docker.removeImageCmd(image.getId()).withForce(false).exec();
        removed.addAll(tags);
      } catch (ConflictException inUse) {
        LOG.debug("Keeping the earlier build {} of {}: {}", tags, build.dockerfilePath(), inUse.getMessage());
      } catch (NotFoundException gone) {
        LOG.debug("The earlier build {} of {} is gone already", tags, build.dockerfilePath());
      }
    }
    if (!removed.isEmpty()) {
      LOG.info("Removed {} earlier build(s) of {} (berth.builds.prune): {}", removed.size(), build.dockerfilePath(),
          removed);
    }
  }

  @Override
  public boolean hasImage(String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  @Override
  public void pull(ImageReference image, boolean always, Duration timeout, String neededBy) {
    RegistryCredentials.Lookup login = credentials.lookup(image.registry());
    LOG.info("Pulling image {} for {}{} ({})", image, neededBy, always ? " (berth.imagePull=always)" : "",
        login.description());
    long started = System.nanoTime();
    String tag = image.digest() != null ? image.digest() : image.tag();
    var progress = new PullProgress(image);
    try {
      PullImageCmd command = docker.pullImageCmd(image.repository()).withTag(tag);
      login.credentials().map(DockerBackend::authConfig).ifPresent(command::withAuthConfig);
      command.exec(progress);
      if (!progress.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        progress.close();
        throw new BerthException("Pulling image '" + image + "' for " + neededBy + " took longer than "
            + "berth.pullTimeout (" + timeout.toSeconds() + " s); pull it beforehand (docker pull " + image
            + ") or raise berth.pullTimeout");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while pulling image '" + image + "' for " + neededBy, e);
    } catch (BerthException e) {
      throw e;
    } catch (RuntimeException | IOException e) {
      if (always && hasImage(image.toString())) {
        throw new BerthException("Image '" + image + "' for " + neededBy + " cannot be pulled, as berth.imagePull="
            + "always asks: " + Engine.rootMessage(e) + " (" + login.description() + "). The engine has a copy of it"
            + " already: berth.imagePull=missing would use that. Check the name and tag, or log in to its registry"
            + " (docker login)", e);
      }
      throw new BerthException("Image '" + image + "' for " + neededBy + " is not on the engine and cannot be"
          + " pulled: " + Engine.rootMessage(e) + " (" + login.description() + "). Check the name and tag, log in to its"
          + " registry (docker login), or build or pull it yourself first", e);
    }
    LOG.info("Pulled image {} in {} ms", image, (System.nanoTime() - started) / 1_000_000);
  }

  private static AuthConfig authConfig(RegistryCredentials.Credentials c) {
    return new AuthConfig().withUsername(c.username()).withPassword(c.password())
        .withIdentityToken(c.identityToken()).withRegistryAddress(c.serverAddress());
  }

  /**
   * Builds an image with the engine's classic builder. Intermediate containers are removed even when a step fails
   * ({@code forcerm}): they carry no label of the run, so nothing else would remove them.
   */
  @Override
  public void build(ImageBuild build, Duration timeout, String neededBy) {
    LOG.info("Building the image for {} from {}", neededBy, build.dockerfilePath());
    long started = System.nanoTime();
    var progress = new BuildProgress(build.image().toString());
    BuildImageCmd command = docker.buildImageCmd(new ByteArrayInputStream(build.tar()))
        .withDockerfilePath(build.dockerfile())
        .withTags(Set.of(build.image().toString()))
        .withLabels(Map.of(Labels.BERTH, SpecEncoding.VERSION, Labels.BUILD, "true", Labels.BUILD_SOURCE,
            build.source(), Labels.BUILD_DOCKERFILE, build.dockerfilePath().toString()))
        .withRemove(true)
        .withForcerm(true)
        .withPull(false);
    build.args().forEach(command::withBuildArg);
    // The engine pulls the base images itself, with the credentials the request carries for their registries.
    var logins = new AuthConfigurations();
    for (String registry : build.baseRegistries()) {
      credentials.lookup(registry).credentials().map(DockerBackend::authConfig).ifPresent(logins::addConfig);
    }
    if (!logins.getConfigs().isEmpty()) {
      command.withBuildAuthConfigs(logins);
    }
    if (build.target() != null) {
      command.withTarget(build.target());
    }
    String what = "Building the image for " + neededBy + " from " + build.dockerfilePath();
    try {
      command.exec(progress);
      if (!progress.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        progress.close();
        throw new BerthException(what + " took longer than berth.pullTimeout (" + timeout.toSeconds() + " s);"
            + " raise berth.pullTimeout" + progress.lastLines());
      }
    } catch (InterruptedException e) {
      // The run ends: closing the stream makes the engine cancel the build.
      try {
        progress.close();
      } catch (IOException closing) {
        LOG.debug("closing the interrupted build of {}", build.image(), closing);
      }
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while building image " + build.image() + " for " + neededBy, e);
    } catch (IOException e) {
      throw new BerthException(what + " failed: " + Engine.rootMessage(e), e);
    }
    if (progress.failure != null) {
      throw new BerthException(what + " failed: " + progress.failure.strip() + progress.lastLines());
    }
    LOG.info("Built image {} in {} ms", build.image(), (System.nanoTime() - started) / 1_000_000);
  }

  /** Follows a build: its steps at info level and their output at debug level, the last lines kept for a failure. */
  private static final class BuildProgress extends ResultCallback.Adapter<BuildResponseItem> {
    private static final int KEPT = 20;
    private final String image;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private volatile String failure;

    BuildProgress(String image) {
      this.image = image;
    }

    @Override
    public void onNext(BuildResponseItem item) {
      if (item.getStream() != null) {
        for (String line : item.getStream().split("\n")) {
          if (!line.isBlank()) {
            // The steps at INFO, so that a long build shows where it is; their output at DEBUG.
            if (line.startsWith("Step ")) {
              LOG.info("{}: {}", image, line.stripTrailing());
            } else {
              LOG.debug("{}: {}", image, line.stripTrailing());
            }
            synchronized (lines) {
              if (lines.size() == KEPT) {
                lines.removeFirst();
              }
              lines.addLast(line.stripTrailing());
            }
          }
        }
      }
      if (item.isErrorIndicated()) {
        failure = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
            ? item.getErrorDetail().getMessage() : item.getError();
      }
    }

    @Override
    public void onError(Throwable throwable) {
      failure = Engine.rootMessage(throwable);
      try {
        close();
      } catch (IOException e) {
        LOG.debug("closing the failed build of {}", image, e);
      }
    }

    String lastLines() {
      synchronized (lines) {
        return lines.isEmpty() ? "" : ". The build's last lines:\n  " + String.join("\n  ", lines);
      }
    }
  }

  /**
   * Follows a pull: each layer's progress at debug level, and the engine's refusal kept for {@link #pull} to report
   * once, with its advice; docker-java would also log it as an error with a stack trace of its own threads.
   */
  private static final class PullProgress extends PullImageResultCallback {
    private final ImageReference image;
    private final Map<String, String> lastStatus = new ConcurrentHashMap<>();
    private volatile Throwable failure;

    PullProgress(ImageReference image) {
      this.image = image;
    }

    @Override
    public void onNext(PullResponseItem item) {
      super.onNext(item);
      if (item.getId() != null && item.getStatus() != null
          && !item.getStatus().equals(lastStatus.put(item.getId(), item.getStatus()))) {
        LOG.debug("{}: {} {}", image, item.getId(), item.getStatus());
      }
    }

    @Override
    public void onError(Throwable throwable) {
      failure = throwable;
      try {
        close();
      } catch (IOException e) {
        LOG.debug("closing the failed pull of {}", image, e);
      }
    }

    @Override
    protected void throwFirstError() {
      Throwable failed = failure;
      if (failed instanceof RuntimeException e) {
        throw e;
      }
      if (failed != null) {
        throw new DockerClientException(failed.toString(), failed);
      }
      super.throwFirstError();
    }
  }

  @Override
  public String createNetwork(String name, Map<String, String> labels) {
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

  private Optional<String> existingNetwork(String name) {
    return docker.listNetworksCmd().withNameFilter(name).exec().stream()
        .filter(n -> n.getName().equals(name)).map(n -> n.getId()).findFirst();
  }

  @Override
  public Optional<ExistingContainer> findContainer(String name, String network, List<ContainerPort> ports) {
    InspectContainerResponse info;
    try {
      info = docker.inspectContainerCmd(name).exec();
    } catch (NotFoundException e) {
      return Optional.empty();
    }
    boolean running = Boolean.TRUE.equals(info.getState().getRunning());
    return Optional.of(new ExistingContainer(running, started(info, network, ports)));
  }

  @Override
  public String gateway(String network) {
    var info = docker.inspectNetworkCmd().withNetworkId(network).exec();
    var ipam = info.getIpam() == null || info.getIpam().getConfig() == null ? List.<Network.Ipam.Config>of()
        : info.getIpam().getConfig();
    Optional<String> configured = ipam.stream().map(Network.Ipam.Config::getGateway)
        .filter(g -> g != null && !g.isEmpty()).findFirst();
    if (configured.isPresent()) {
      return configured.get();
    }
    Map<String, ?> attached = info.getContainers() == null ? Map.of() : info.getContainers();
    for (String container : attached.keySet()) {
      try {
        var endpoint = docker.inspectContainerCmd(container).exec().getNetworkSettings().getNetworks()
            .get(info.getName());
        if (endpoint != null && endpoint.getGateway() != null && !endpoint.getGateway().isEmpty()) {
          return endpoint.getGateway();
        }
      } catch (NotFoundException e) {
        LOG.debug("container {} left network {} while its gateway was looked for", container, network);
      }
    }
    return ipam.stream().map(Network.Ipam.Config::getSubnet).map(DockerBackend::firstAddress)
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
        if (attempt >= 100 || !String.valueOf(e.getMessage()).contains("active endpoints")) {
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
    }
    try {
      if (request.files() != null) {
        docker.copyArchiveToContainerCmd(id).withRemotePath("/")
            .withTarInputStream(new ByteArrayInputStream(request.files())).exec();
      }
      // The engine holds a container's lock while it starts it, and an inspection waits for that lock: asked just
      // after the start, it is answered the moment the start ends, a round trip sooner than asking afterwards.
      CompletableFuture<InspectContainerResponse> inspection = CompletableFuture.supplyAsync(
          () -> docker.inspectContainerCmd(id).exec(), INSPECT_DURING_START);
      docker.startContainerCmd(id).exec();
      InspectContainerResponse info = afterStart(inspection).orElseGet(() -> docker.inspectContainerCmd(id).exec());
      return started(info, network, request.ports());
    } catch (RuntimeException e) {
      remove(id);
      throw e;
    }
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
    var aliases = new ArrayList<String>();
    aliases.add(request.hostname());
    aliases.addAll(request.aliases());
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
  private static Optional<InspectContainerResponse> afterStart(CompletableFuture<InspectContainerResponse> inspection) {
    try {
      InspectContainerResponse info = inspection.join();
      String startedAt = info.getState() == null ? null : info.getState().getStartedAt();
      if (startedAt == null || startedAt.startsWith("0001-")) {
        LOG.debug("the inspection of {} came before its start; asking again", info.getId());
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

  private static StartedContainer started(InspectContainerResponse info, String network, List<ContainerPort> ports) {
    ContainerNetwork endpoint = info.getNetworkSettings().getNetworks().get(network);
    String address = endpoint == null ? "" : endpoint.getIpAddress();
    var hostPorts = new LinkedHashMap<Integer, Integer>();
    Map<ExposedPort, Ports.Binding[]> bindings = info.getNetworkSettings().getPorts().getBindings();
    for (ContainerPort port : ports) {
      Ports.Binding[] published = bindings == null ? null : bindings.get(exposedPort(port));
      if (published != null && published.length > 0) {
        hostPorts.put(port.port(), Integer.parseInt(published[0].getHostPortSpec()));
      }
    }
    HealthCheck health = info.getConfig() == null ? null : info.getConfig().getHealthcheck();
    Healthcheck healthcheck = health == null ? Healthcheck.NONE : Healthcheck.of(health.getTest(),
        health.getInterval(), health.getTimeout(), health.getStartPeriod(), health.getRetries());
    return new StartedContainer(info.getId(), address, Map.copyOf(hostPorts), healthcheck);
  }

  @Override
  public CompletableFuture<Integer> exitCode(String id) {
    var exit = new CompletableFuture<Integer>();
    docker.waitContainerCmd(id).exec(new ResultCallback.Adapter<WaitResponse>() {
      @Override
      public void onNext(WaitResponse response) {
        exit.complete(response.getStatusCode());
      }

      @Override
      public void onError(Throwable failure) {
        exit.completeExceptionally(failure);
      }

      @Override
      public void onComplete() {
        exit.completeExceptionally(new BerthException("the engine stopped watching container " + id));
      }
    });
    return exit;
  }

  @Override
  public String output(String id, Duration timeout, String what) {
    var text = new StringBuffer();
    var reader = new ResultCallback.Adapter<Frame>() {
      @Override
      public void onNext(Frame frame) {
        text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
      }
    };
    try {
      docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(false).exec(reader);
      if (!reader.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        reader.close();
        throw new BerthException("Reading the output of " + what + " took longer than berth.execTimeout ("
            + timeout.toMillis() + " ms)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while reading the output of " + what, e);
    } catch (BerthException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new BerthException("Cannot read the output of " + what + ": " + Engine.rootMessage(e), e);
    }
    return text.toString();
  }

  @Override
  public Closeable followLogs(String id, Consumer<String> lines, Runnable end, Integer tail) {
    var command = docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true);
    if (tail != null) {
      command.withTail(tail);
    }
    return command
        .exec(new ResultCallback.Adapter<Frame>() {
          private final StringBuilder stdout = new StringBuilder();
          private final StringBuilder stderr = new StringBuilder();

          @Override
          public void onNext(Frame frame) {
            StringBuilder partial = frame.getStreamType() == StreamType.STDERR ? stderr : stdout;
            partial.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
              lines.accept(stripCarriageReturn(partial.substring(0, newline)));
              partial.delete(0, newline + 1);
            }
          }

          @Override
          public void onComplete() {
            flush();
            end.run();
            super.onComplete();
          }

          @Override
          public void onError(Throwable failure) {
            // Closing the stream ourselves (the service stops, the run ends) lands here too: not worth an error.
            LOG.debug("log stream of {} ended: {}", id, failure.toString());
            flush();
            end.run();
            try {
              close();
            } catch (IOException e) {
              LOG.trace("closing the log stream of {} failed", id, e);
            }
          }

          private void flush() {
            for (StringBuilder partial : List.of(stdout, stderr)) {
              if (partial.length() > 0) {
                lines.accept(partial.toString());
                partial.setLength(0);
              }
            }
          }
        });
  }

  private static String stripCarriageReturn(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  @Override
  public ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where) {
    return exec(id, command, workdir, timeout, timeoutKey, where, new CompletableFuture<>());
  }

  @Override
  public ExecResult exec(String id, List<String> command, String workdir, Duration timeout, String timeoutKey,
      String where, CompletableFuture<?> abandonWhen) {
    if (abandonWhen.isDone()) {
      throw new ExecAbandoned("Exec " + command + " in " + where + " was not run");
    }
    ExecCreateCmd create = docker.execCreateCmd(id).withCmd(command.toArray(String[]::new))
        .withAttachStdout(true).withAttachStderr(true);
    if (workdir != null) {
      create.withWorkingDir(workdir);
    }
    String execId;
    try {
      execId = create.exec().getId();
    } catch (RuntimeException e) {
      throw new BerthException("Cannot exec " + command + " in " + where + ": " + Engine.rootMessage(e), e);
    }
    var stdout = new ByteArrayOutputStream();
    var stderr = new ByteArrayOutputStream();
    // awaitCompletion with a timeout closes the stream whatever it returns: waiting in steps needs a latch of its own.
    var ended = new CountDownLatch(1);
    var output = new ResultCallback.Adapter<Frame>() {
      @Override
      public void onNext(Frame frame) {
        synchronized (this) {
          (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).writeBytes(frame.getPayload());
        }
      }

      @Override
      public void close() throws IOException {
        super.close();
        ended.countDown();
      }
    };
    try {
      docker.execStartCmd(execId).exec(output);
      long deadline = System.nanoTime() + timeout.toNanos();
      // Polled rather than listened to: a listener per exec on a long-lived signal would stay until it completes.
      while (!ended.await(Math.min(ABANDON_POLL.toNanos(), Math.max(0, deadline - System.nanoTime())),
          TimeUnit.NANOSECONDS)) {
        if (abandonWhen.isDone()) {
          output.close();
          throw new ExecAbandoned("Exec " + command + " in " + where + " was abandoned");
        }
        if (System.nanoTime() - deadline >= 0) {
          output.close();
          throw new ExecTimedOut("Exec " + command + " in " + where + " ran past " + timeoutKey + " ("
              + timeout.toMillis() + " ms); it is left running until the container is removed");
        }
      }
      output.awaitCompletion(); // at once now; throws what ended the stream, if it failed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("Interrupted while running " + command + " in " + where, e);
    } catch (IOException e) {
      throw new BerthException("Exec " + command + " in " + where + " failed: " + Engine.rootMessage(e), e);
    }
    Long exitCode = docker.inspectExecCmd(execId).exec().getExitCodeLong();
    ExecResult result;
    synchronized (output) {
      result = new ExecResult(exitCode == null ? -1 : exitCode.intValue(),
          stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }
    String runtimeError = (result.stdout() + result.stderr()).strip();
    if ((result.exitCode() == 126 || result.exitCode() == 127) && runtimeError.startsWith("OCI runtime exec failed")) {
      // The engine could not start the command at all: that is a mistake in the test, not a result to assert on.
      throw new CommandCannotRun("Cannot run " + command + " in " + where + ": "
          + runtimeError.replaceFirst("^OCI runtime exec failed: exec failed: (unable to start container process: )?",
              ""));
    }
    return result;
  }

  @Override
  public void writeFile(String id, String path, byte[] contents, String where) {
    try {
      docker.copyArchiveToContainerCmd(id).withRemotePath("/")
          .withTarInputStream(new ByteArrayInputStream(Tar.of(Map.of(path, contents)))).exec();
    } catch (RuntimeException e) {
      throw new BerthException("Cannot write '" + path + "' in " + where + ": " + Engine.rootMessage(e), e);
    }
  }

  @Override
  public byte[] readFile(String id, String path, String where) {
    try (InputStream in = docker.copyArchiveFromContainerCmd(id, path).exec()) {
      return Tar.firstFile(in, "'" + path + "' in " + where);
    } catch (NotFoundException e) {
      throw new BerthException("Cannot read '" + path + "' in " + where + ": no such file", e);
    } catch (IOException e) {
      throw new BerthException("Cannot read '" + path + "' in " + where + ": " + Engine.rootMessage(e), e);
    }
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

  @Override
  public List<Listed> containersOf(Map<String, String> labels) {
    return docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec().stream()
        .map(c -> new Listed(c.getId(), c.getLabels() == null ? Map.of() : c.getLabels())).toList();
  }

  @Override
  public List<String> containersLabelled(Map<String, String> labels) {
    return docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec().stream()
        .map(c -> c.getId()).toList();
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
