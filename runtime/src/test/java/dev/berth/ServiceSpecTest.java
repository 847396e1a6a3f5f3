package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.FileModeTest;
import dev.berth.internal.spec.SpecAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceSpecTest {

  private static final ServiceSpec BASE = spec("redis:7.0", "/etc/redis.conf", "db");

  private static ServiceSpec spec(String image, String filePath, String alias) {
    return ServiceSpec.from(image)
        .withExposedPort(6379)
        .withCommand("redis-server", "--appendonly", "no")
        .withEntrypoint("docker-entrypoint.sh")
        .withEnv("TZ", "UTC")
        .withWorkdir("/data")
        .withNewFile(filePath, "maxmemory 64mb")
        .withServiceBinding(alias, ServiceSpec.from("postgres:16").withEnv("POSTGRES_PASSWORD", "secret"));
  }

  @Test
  void everyWithMethodReturnsANewSpecAndLeavesTheOriginalUnchanged() {
    ServiceSpec original = ServiceSpec.from("redis:7.0");
    String digest = original.digest();
    List<ServiceSpec> derived = List.of(
        original.withExposedPort(6379),
        original.withCommand("redis-server"),
        original.withEntrypoint("sh", "-c"),
        original.withEnv("TZ", "UTC"),
        original.withWorkdir("/data"),
        original.withNewFile("/etc/redis.conf", "maxmemory 64mb"),
        original.withNewFile("/etc/raw.bin", new byte[] {1, 2, 3}),
        original.withServiceBinding("db", ServiceSpec.from("postgres:16")),
        original.withInstanceId("second"));

    assertThat(derived).allSatisfy(spec -> {
      assertThat(spec).isNotSameAs(original);
      assertThat(spec.digest()).isNotEqualTo(digest);
    });
    assertThat(original.digest()).isEqualTo(digest);
    assertThat(def(original).exposedPorts()).isEmpty();
    assertThat(def(original).command()).isEmpty();
    assertThat(def(original).entrypoint()).isEmpty();
    assertThat(def(original).env()).isEmpty();
    assertThat(def(original).workdir()).isEmpty();
    assertThat(def(original).files()).isEmpty();
    assertThat(def(original).serviceBindings()).isEmpty();
    assertThat(def(original).instanceId()).isEmpty();
  }

  @Test
  void replacingAValueLeavesTheOriginalUnchanged() {
    String digest = BASE.digest();

    BASE.withEnv("TZ", "Europe/Paris")
        .withNewFile("/etc/redis.conf", "maxmemory 1gb")
        .withServiceBinding("db", ServiceSpec.from("mysql:8"))
        .withCommand("true")
        .withEntrypoint("/bin/sh")
        .withWorkdir("/tmp")
        .withExposedPort(6380);

    assertThat(def(BASE).env()).containsExactly(Map.entry("TZ", "UTC"));
    assertThat(new String(def(BASE).files().get("/etc/redis.conf"), StandardCharsets.UTF_8)).isEqualTo("maxmemory 64mb");
    assertThat(def(BASE).serviceBindings().get("db").image()).isEqualTo("postgres:16");
    assertThat(def(BASE).command()).contains(List.of("redis-server", "--appendonly", "no"));
    assertThat(def(BASE).entrypoint()).contains(List.of("docker-entrypoint.sh"));
    assertThat(def(BASE).workdir()).contains("/data");
    assertThat(def(BASE).exposedPorts()).containsExactly(6379);
    assertThat(BASE.digest()).isEqualTo(digest);
  }

  @Test
  void aDerivedSpecKeepsEverythingItDidNotChange() {
    ServiceSpec full = ServiceSpec.from("redis:7.0")
        .withExposedPort(6379, 6380)
        .withHostPort(16379, 6379)
        .withCommand("redis-server")
        .withEntrypoint("docker-entrypoint.sh")
        .withEnv("TZ", "UTC")
        .withWorkdir("/data")
        .withNewFile("/etc/redis.conf", "maxmemory 64mb")
        .withServiceBinding("db", ServiceSpec.from("postgres:15"))
        .withHostname("cache")
        .withCacheVolume("/cache", "redis-cache")
        .withTmpfs("/scratch", "size=16m")
        .withReadyCommand("redis-cli", "ping")
        .withReadyLogLine("Ready to accept", 2)
        .withReadyHttp(6380, "/health")
        .withUser("1000:1000")
        .withShmSize(128L << 20)
        .withLabel("com.example.team", "payments")
        .withStartupTimeout(Duration.ofSeconds(42));
    ServiceSpec replicated = ServiceSpec.from("redis:7.0").withExposedPort(6379).withReplicas(3).withVip("kv", 6379);

    // Each with* above derived a spec from the one before: all values must have come through.
    assertThat(def(full).exposedPorts()).containsExactly(6379, 6380);
    assertThat(def(full).hostPorts()).containsExactly(entry(6379, 16379));
    assertThat(def(full).command()).contains(List.of("redis-server"));
    assertThat(def(full).entrypoint()).contains(List.of("docker-entrypoint.sh"));
    assertThat(def(full).env()).containsExactly(entry("TZ", "UTC"));
    assertThat(def(full).workdir()).contains("/data");
    assertThat(def(full).files()).containsOnlyKeys("/etc/redis.conf");
    assertThat(def(full).serviceBindings()).containsOnlyKeys("db");
    assertThat(def(full).globalHostnames()).containsExactly("cache");
    assertThat(def(full).cacheVolumes()).containsExactly(entry("/cache", "redis-cache"));
    assertThat(def(full).tmpfs()).containsExactly(entry("/scratch", "size=16m"));
    assertThat(def(full).readyCommand()).contains(List.of("redis-cli", "ping"));
    assertThat(def(full).readyLogLine()).contains(new Definition.ReadyLogLine("Ready to accept", 2));
    assertThat(def(full).readyHttp()).contains(new Definition.ReadyHttp(6380, "/health"));
    assertThat(def(full).user()).contains("1000:1000");
    assertThat(def(full).shmSize()).contains(128L << 20);
    assertThat(def(full).labels()).containsExactly(entry("com.example.team", "payments"));
    assertThat(def(full).startupTimeout()).contains(Duration.ofSeconds(42));
    // Changed and changed back: equal only if every other value was carried over.
    assertThat(full.withInstanceId("other").withInstanceId("").digest()).isEqualTo(full.digest());
    assertThat(def(full.withEnv("TZ", "Europe/Paris")).startupTimeout()).contains(Duration.ofSeconds(42));
    assertThat(replicated.withInstanceId("other").withInstanceId("").digest()).isEqualTo(replicated.digest());
    assertThat(def(replicated.withEnv("A", "b")).vipName()).contains("kv");
    assertThat(def(replicated.withEnv("A", "b")).replicas()).isEqualTo(3);
    assertThat(def(full.withReadyHealthcheck().withEnv("A", "b")).readyHealthcheck()).isTrue();
  }

  @Test
  void labelsArePartOfTheDefinitionButBerthsOwnKeysAreNot() {
    ServiceSpec labelled = BASE.withLabel("com.example.team", "payments");

    assertThat(labelled.digest()).isNotEqualTo(BASE.digest())
        .isNotEqualTo(BASE.withLabel("com.example.team", "search").digest())
        .isEqualTo(BASE.withLabel("com.example.team", "search").withLabel("com.example.team", "payments").digest());
    assertThat(def(BASE.withLabel("a", "")).labels()).containsExactly(entry("a", ""));
    assertThatIllegalArgumentException().isThrownBy(() -> BASE.withLabel("dev.berth.run", "x"))
        .withMessage("Label key 'dev.berth.run' of redis:7.0 is reserved: keys under dev.berth are Berth's own, which"
            + " its cleanup relies on; choose a key of your own");
    assertThatIllegalArgumentException().isThrownBy(() -> BASE.withLabel("dev.berth", "x"))
        .withMessageContaining("is reserved");
    assertThat(def(BASE.withLabel("dev.berthold", "x")).labels()).containsKey("dev.berthold");
    assertThatIllegalArgumentException().isThrownBy(() -> BASE.withLabel("two words", "x"))
        .withMessageContaining("Label key 'two words' of redis:7.0 is not a label key");
  }

  @Test
  void whatASpecHandsOutCannotChangeIt() {
    ServiceSpec spec = BASE.withHostPort(16379, 6379).withHostname("cache").withTmpfs("/scratch")
        .withCacheVolume("/cache", "c");

    assertThatThrownBy(() -> def(spec).exposedPorts().add(1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> def(spec).hostPorts().put(1, 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> def(spec).env().put("A", "b")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> def(spec).files().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> def(spec).serviceBindings().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> def(spec).globalHostnames().add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> def(spec).tmpfs().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> def(spec).cacheVolumes().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> def(spec).labels().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> def(spec).command().orElseThrow().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void accessorsReturnWhatWasGiven() {
    assertThat(BASE.image()).isEqualTo("redis:7.0");
    assertThat(def(BASE).exposedPorts()).containsExactly(6379);
    assertThat(def(BASE).command()).contains(List.of("redis-server", "--appendonly", "no"));
    assertThat(def(BASE).entrypoint()).contains(List.of("docker-entrypoint.sh"));
    assertThat(def(BASE).env()).containsExactly(Map.entry("TZ", "UTC"));
    assertThat(def(BASE).workdir()).contains("/data");
    assertThat(def(BASE).files()).containsOnlyKeys("/etc/redis.conf");
    assertThat(new String(def(BASE).files().get("/etc/redis.conf"), StandardCharsets.UTF_8)).isEqualTo("maxmemory 64mb");
    assertThat(def(BASE).serviceBindings()).containsOnlyKeys("db");
  }

  @Test
  void exposedPortsKeepTheirOrderAndDropDuplicates() {
    ServiceSpec spec = ServiceSpec.from("app").withExposedPort(9090, 8080).withExposedPort(9090, 7070);

    assertThat(def(spec).exposedPorts()).containsExactly(9090, 8080, 7070);
  }

  @Test
  void collectionsCannotBeModifiedFromOutside() {
    byte[] contents = "one".getBytes(StandardCharsets.UTF_8);
    String[] command = {"echo", "one"};
    ServiceSpec spec = ServiceSpec.from("busybox").withNewFile("/f", contents).withCommand(command);
    String digest = spec.digest();

    contents[0] = 'X';
    command[1] = "two";

    assertThat(def(spec).files().get("/f")).isEqualTo("one".getBytes(StandardCharsets.UTF_8));
    assertThat(def(spec).command()).contains(List.of("echo", "one"));
    assertThat(ServiceSpec.from("busybox").withNewFile("/f", "one").withCommand("echo", "one").digest())
        .isEqualTo(digest);
    assertThat(def(spec).exposedPorts()).isUnmodifiable();
    assertThat(def(spec).env()).isUnmodifiable();
    assertThat(def(spec).serviceBindings()).isUnmodifiable();
    assertThat(def(spec).command().orElseThrow()).isUnmodifiable();
  }

  @Test
  void digestIsSixtyFourLowercaseHexDigits() {
    assertThat(BASE.digest()).hasSize(64).matches("[0-9a-f]{64}");
    assertThat(ServiceSpec.from("redis").digest()).hasSize(64).matches("[0-9a-f]{64}");
  }

  @Test
  void equalDefinitionsBuiltInDifferentOrdersHaveEqualDigests() {
    ServiceSpec db = ServiceSpec.from("postgres:16");
    ServiceSpec cache = ServiceSpec.from("redis:7.0");
    ServiceSpec one = ServiceSpec.from("app:1")
        .withEnv("A", "1")
        .withEnv("B", "2")
        .withNewFile("/a", "a")
        .withNewFile("/b", "b")
        .withExposedPort(80, 443)
        .withServiceBinding("db", db)
        .withServiceBinding("cache", cache)
        .withWorkdir("/srv")
        .withCommand("serve");
    ServiceSpec two = ServiceSpec.from("app:1")
        .withCommand("serve")
        .withWorkdir("/srv")
        .withServiceBinding("cache", cache)
        .withServiceBinding("db", db)
        .withExposedPort(443)
        .withExposedPort(80)
        .withNewFile("/b", "b")
        .withNewFile("/a", "a")
        .withEnv("B", "2")
        .withEnv("A", "1");

    assertThat(two.digest()).isEqualTo(one.digest());
    assertThat(two.hostname()).isEqualTo(one.hostname());
    assertThat(two).isEqualTo(one).hasSameHashCodeAs(one);
  }

  @Test
  void laterValuesReplaceEarlierOnesOfTheSameKey() {
    ServiceSpec replaced = ServiceSpec.from("app")
        .withEnv("A", "old").withEnv("A", "new")
        .withNewFile("/f", "old").withNewFile("/f", "new")
        .withCommand("old").withCommand("new")
        .withServiceBinding("db", ServiceSpec.from("mysql")).withServiceBinding("db", ServiceSpec.from("postgres"));
    ServiceSpec direct = ServiceSpec.from("app")
        .withEnv("A", "new")
        .withNewFile("/f", "new")
        .withCommand("new")
        .withServiceBinding("db", ServiceSpec.from("postgres"));

    assertThat(replaced.digest()).isEqualTo(direct.digest());
  }

  static Stream<Arguments> containerChanges() {
    return Stream.of(
        change("image", s -> spec("valkey/valkey:7.0", "/etc/redis.conf", "db")),
        change("tag", s -> spec("redis:7.2", "/etc/redis.conf", "db")),
        change("registry", s -> spec("ghcr.io/library/redis:7.0", "/etc/redis.conf", "db")),
        change("digest pin", s -> spec("redis:7.0@sha256:" + "0".repeat(64), "/etc/redis.conf", "db")),
        change("command", s -> s.withCommand("redis-server", "--appendonly", "yes")),
        change("command length", s -> s.withCommand("redis-server", "--appendonly")),
        change("entrypoint", s -> s.withEntrypoint("/bin/sh")),
        change("env value", s -> s.withEnv("TZ", "Europe/Paris")),
        change("env name", s -> s.withEnv("LANG", "C")),
        change("workdir", s -> s.withWorkdir("/var/lib/redis")),
        change("port", s -> s.withExposedPort(6380)),
        change("file path", s -> spec("redis:7.0", "/etc/redis/redis.conf", "db")),
        change("file contents", s -> s.withNewFile("/etc/redis.conf", "maxmemory 65mb")),
        change("empty file contents", s -> s.withNewFile("/etc/redis.conf", new byte[0])),
        change("extra file", s -> s.withNewFile("/etc/motd", "hi")),
        change("file mode", s -> s.withNewFile("/etc/redis.conf", "maxmemory 64mb", 0600)),
        change("binding alias", s -> spec("redis:7.0", "/etc/redis.conf", "database")),
        change("bound spec content", s -> s.withServiceBinding("db",
            ServiceSpec.from("postgres:16").withEnv("POSTGRES_PASSWORD", "other"))),
        change("bound spec's own binding", s -> s.withServiceBinding("db",
            ServiceSpec.from("postgres:16").withEnv("POSTGRES_PASSWORD", "secret")
                .withServiceBinding("log", ServiceSpec.from("busybox")))),
        change("extra binding", s -> s.withServiceBinding("cache", ServiceSpec.from("redis"))),
        change("instance id", s -> s.withInstanceId("second")),
        change("ready command", s -> s.withReadyCommand("redis-cli", "ping")),
        change("ready command arguments", s -> s.withReadyCommand("redis-cli", "-p", "6379", "ping")),
        change("ready log line", s -> s.withReadyLogLine("Ready to accept connections")),
        change("ready log line count", s -> s.withReadyLogLine("Ready to accept connections", 2)),
        change("tmpfs", s -> s.withTmpfs("/data")),
        change("tmpfs options", s -> s.withTmpfs("/data", "size=64m")),
        change("ready HTTP request", s -> s.withReadyHttp(8080, "/health")),
        change("ready HTTP port", s -> s.withReadyHttp(8081, "/health")),
        change("user", s -> s.withUser("1000")),
        change("user and group", s -> s.withUser("1000:1000")),
        change("shm size", s -> s.withShmSize(128L << 20)),
        change("ready health check", ServiceSpec::withReadyHealthcheck));
  }

  private static Arguments change(String what, UnaryOperator<ServiceSpec> change) {
    return Arguments.of(what, change);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containerChanges")
  void everyFieldThatChangesTheContainerChangesTheDigest(String what, UnaryOperator<ServiceSpec> change) {
    ServiceSpec changed = change.apply(BASE);

    assertThat(changed.digest()).as(what).isNotEqualTo(BASE.digest());
    assertThat(changed.hostname()).as(what).isNotEqualTo(BASE.hostname());
    assertThat(changed).as(what).isNotEqualTo(BASE);
  }

  @Test
  void rebuildingTheBaseSpecGivesItsDigest() {
    assertThat(spec("redis:7.0", "/etc/redis.conf", "db").digest()).isEqualTo(BASE.digest());
  }

  @Test
  void bindingDigestIsRecursiveThroughSeveralLevels() {
    ServiceSpec leafA = ServiceSpec.from("busybox").withEnv("LEVEL", "a");
    ServiceSpec leafB = ServiceSpec.from("busybox").withEnv("LEVEL", "b");
    ServiceSpec viaA = ServiceSpec.from("app").withServiceBinding("mid",
        ServiceSpec.from("mid").withServiceBinding("leaf", leafA));
    ServiceSpec viaB = ServiceSpec.from("app").withServiceBinding("mid",
        ServiceSpec.from("mid").withServiceBinding("leaf", leafB));

    assertThat(viaA.digest()).isNotEqualTo(viaB.digest());
  }

  @Test
  void absentAndEmptyValuesAreDistinguished() {
    ServiceSpec plain = ServiceSpec.from("app");

    assertThat(plain.withCommand("").digest()).isNotEqualTo(plain.digest());
    assertThat(plain.withEntrypoint("").digest()).isNotEqualTo(plain.digest());
    assertThat(plain.withEnv("A", "").digest()).isNotEqualTo(plain.digest());
    assertThat(plain.withNewFile("/f", "").digest()).isNotEqualTo(plain.digest());
    assertThat(plain.withCommand("x").digest()).isNotEqualTo(plain.withEntrypoint("x").digest());
  }

  @Test
  void shortAndCanonicalImageNamesShareADigest() {
    ServiceSpec shortName = ServiceSpec.from("redis");

    assertThat(ServiceSpec.from("docker.io/library/redis:latest").digest()).isEqualTo(shortName.digest());
    assertThat(ServiceSpec.from("redis:latest").digest()).isEqualTo(shortName.digest());
    assertThat(ServiceSpec.from("library/redis").digest()).isEqualTo(shortName.digest());
    assertThat(ServiceSpec.from("docker.io/redis").digest()).isEqualTo(shortName.digest());
    assertThat(ServiceSpec.from("docker.io/library/redis:latest").image()).isEqualTo("redis:latest");
  }

  @Test
  void separatorsCannotBeForgedByValues() {
    ServiceSpec app = ServiceSpec.from("app");

    assertThat(app.withCommand("a b").digest()).isNotEqualTo(app.withCommand("a", "b").digest());
    assertThat(app.withCommand("ab").digest()).isNotEqualTo(app.withCommand("a", "b").digest());
    assertThat(app.withCommand("a", "").digest()).isNotEqualTo(app.withCommand("a").digest());
    assertThat(app.withEnv("A", "b").withEnv("C", "d").digest()).isNotEqualTo(app.withEnv("A", "bCd").digest());
    assertThat(app.withEnv("AB", "c").digest()).isNotEqualTo(app.withEnv("A", "Bc").digest());
    assertThat(app.withNewFile("/ab", "c").digest()).isNotEqualTo(app.withNewFile("/a", "bc").digest());
    assertThat(app.withEntrypoint("a").withCommand("b").digest())
        .isNotEqualTo(app.withEntrypoint("a", "b").digest());
  }

  @Test
  void hostnameIsPinnedForALiteralSpec() {
    ServiceSpec spec = ServiceSpec.from("redis:7.0")
        .withExposedPort(6379)
        .withCommand("redis-server", "--appendonly", "no")
        .withEnv("TZ", "UTC");

    assertThat(spec.digest()).isEqualTo("70aafe9d0669710dc02adbed27847a3ac69292944e1a14e3c0bdc20a2411a429");
    assertThat(spec.hostname()).isEqualTo("berth-70aafe9d0669710d");
    assertThat(ServiceSpec.from("redis").hostname()).isEqualTo("berth-aa2eb3152f56ff0a");
  }

  @Test
  void hostnameIsPinnedForASpecUsingEveryField() {
    assertThat(def(BASE).serviceBindings().get("db").digest())
        .isEqualTo("058239d2c5c644d6734557eeddb36ada8b8f291c13ec006ac89c938dbfbc9c28");
    assertThat(BASE.withInstanceId("blue").hostname()).isEqualTo("berth-60fec7e184f79b68");
  }

  @Test
  void hostnameIsBerthAndSixteenHexDigitsOfTheDigest() {
    assertThat(BASE.hostname()).isEqualTo("berth-" + BASE.digest().substring(0, 16)).matches("berth-[0-9a-f]{16}");
    assertThat(BASE.hostname()).isEqualTo(spec("redis:7.0", "/etc/redis.conf", "db").hostname());
  }

  /** What other containers use, it is also what they reach; the container keeps its digest's name besides. */
  @Test
  void aGlobalHostnameIsTheHostnameTheAlphabeticallyFirstOfSeveral() {
    ServiceSpec named = BASE.withHostname("www").withHostname("api");

    assertThat(named.hostname()).isEqualTo("api");
    assertThat(BASE.withHostname("api").withHostname("www").hostname()).isEqualTo("api");
    assertThat(def(named).digestHostname()).isEqualTo("berth-" + named.digest().substring(0, 16));
  }

  @Test
  void instanceIdsGiveDifferentHostnames() {
    ServiceSpec spec = ServiceSpec.from("redis:7.0");

    assertThat(List.of(spec, spec.withInstanceId("a"), spec.withInstanceId("b"), spec.withInstanceId("a ")))
        .extracting(ServiceSpec::hostname)
        .doesNotHaveDuplicates();
    assertThat(spec.withInstanceId("a").hostname()).isEqualTo(spec.withInstanceId("a").hostname());
    assertThat(spec.withInstanceId("").hostname()).isEqualTo(spec.hostname());
  }

  @Test
  void toStringNamesImagePortsCommandBindingsInstanceAndDigest() {
    assertThat(BASE.withInstanceId("two").toString())
        .startsWith("ServiceSpec[redis:7.0, ports=[6379], command=[redis-server, --appendonly, no], bindings=[db]")
        .contains("instance=two")
        .endsWith(", digest=" + BASE.withInstanceId("two").digest().substring(0, 12) + "]");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65536, 70000, Integer.MAX_VALUE})
  void portsOutsideOneTo65535AreRejected(int port) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withExposedPort(6379, port))
        .withMessageContaining("Exposed port " + port + " ")
        .withMessageContaining("redis:latest")
        .withMessageContaining("1-65535");
  }

  @Test
  void portsAtTheEdgesOfTheRangeAreAccepted() {
    assertThat(def(ServiceSpec.from("redis").withExposedPort(1, 65535)).exposedPorts()).containsExactly(1, 65535);
  }

  @Test
  void relativeFilePathIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withNewFile("etc/redis.conf", "x"))
        .withMessageContaining("'etc/redis.conf'")
        .withMessageContaining("relative")
        .withMessageContaining("absolute");
  }

  @Test
  void directoryFilePathIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withNewFile("/etc/", "x"))
        .withMessageContaining("'/etc/'")
        .withMessageContaining("directory");
  }

  @Test
  void relativeWorkdirIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withWorkdir("data"))
        .withMessageContaining("workdir")
        .withMessageContaining("'data'")
        .withMessageContaining("relative");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withWorkdir(""))
        .withMessageContaining("''");
  }

  @Test
  void emptyCommandAndEntrypointAreRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withCommand())
        .withMessageContaining("empty command");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withEntrypoint())
        .withMessageContaining("empty entrypoint");
  }

  @Test
  void emptyReadyCommandIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withReadyCommand())
        .withMessageContaining("empty ready command");
  }

  @Test
  void readyCommandIsKeptAndReplaced() {
    ServiceSpec spec = ServiceSpec.from("postgres:15").withReadyCommand("pg_isready")
        .withReadyCommand("pg_isready", "-h", "127.0.0.1");

    assertThat(def(spec).readyCommand()).contains(List.of("pg_isready", "-h", "127.0.0.1"));
    assertThat(def(ServiceSpec.from("postgres:15")).readyCommand()).isEmpty();
    assertThat(def(spec.withEnv("PGDATA", "/data")).readyCommand()).isEqualTo(def(spec).readyCommand());
    assertThat(spec).hasToString("ServiceSpec[postgres:15, ready=[pg_isready, -h, 127.0.0.1], digest="
        + spec.digest().substring(0, 12) + "]");
  }

  @Test
  void readyHealthcheckAndReadyCommandReplaceEachOther() {
    ServiceSpec command = ServiceSpec.from("postgres:15").withReadyCommand("pg_isready");
    ServiceSpec healthcheck = command.withReadyHealthcheck();

    assertThat(def(healthcheck).readyHealthcheck()).isTrue();
    assertThat(def(healthcheck).readyCommand()).isEmpty();
    assertThat(healthcheck.digest()).isEqualTo(ServiceSpec.from("postgres:15").withReadyHealthcheck().digest());
    assertThat(def(healthcheck.withReadyCommand("pg_isready")).readyHealthcheck()).isFalse();
    assertThat(healthcheck.withReadyCommand("pg_isready").digest()).isEqualTo(command.digest());
    assertThat(def(ServiceSpec.from("postgres:15")).readyHealthcheck()).isFalse();
    assertThat(healthcheck).hasToString("ServiceSpec[postgres:15, ready=HEALTHCHECK, digest="
        + healthcheck.digest().substring(0, 12) + "]");
    assertThatIllegalStateException()
        .isThrownBy(() -> ServiceSpec.host("tcp://localhost:5432").withReadyHealthcheck())
        .withMessageContaining("withReadyHealthcheck(...) configures a container");
  }

  @Test
  void tmpfsMountsAreKeptAndReplacedAndAnEarlierDigestStays() {
    ServiceSpec spec = ServiceSpec.from("postgres:15").withTmpfs("/var/lib/postgresql/data", "size=64m")
        .withTmpfs("/var/lib/postgresql/data").withTmpfs("/tmp", "mode=1777,size=1m");

    assertThat(def(spec).tmpfs())
        .containsExactly(entry("/tmp", "mode=1777,size=1m"), entry("/var/lib/postgresql/data", ""));
    assertThat(ServiceSpec.from("postgres:15").withTmpfs("/tmp", "mode=1777,size=1m")
        .withTmpfs("/var/lib/postgresql/data")).as("in any order").isEqualTo(spec);
    assertThat(def(ServiceSpec.from("postgres:15")).tmpfs()).isEmpty();
  }

  @Test
  void tmpfsMountsThatCannotWorkAreRejected() {
    ServiceSpec spec = ServiceSpec.from("postgres:15");

    assertThatIllegalArgumentException().isThrownBy(() -> spec.withTmpfs("data"))
        .withMessageContaining("tmpfs path 'data' is relative");
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withTmpfs("/data", "size=64m, mode=1777"))
        .withMessage("The options 'size=64m, mode=1777' of the tmpfs at /data are not mount options: give them"
            + " comma-separated, without spaces, for example \"size=256m,mode=1777\"");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> spec.withNewFile("/data/init.sql", "select 1").withTmpfs("/data"))
        .withMessageStartingWith("File /data/init.sql would be hidden by the tmpfs at /data, which is mounted empty");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> spec.withTmpfs("/data/").withNewFile("/data/init.sql", "select 1"))
        .withMessageStartingWith("File /data/init.sql would be hidden by the tmpfs at /data/");
    assertThat(def(spec.withTmpfs("/data").withNewFile("/database/init.sql", "select 1")).files()).hasSize(1);
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withCacheVolume("/data", "pg").withTmpfs("/data"))
        .withMessageContaining("cache volume 'pg' is mounted already");
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withTmpfs("/data").withCacheVolume("/data", "pg"))
        .withMessageContaining("where a tmpfs is mounted already");
    assertThatIllegalStateException().isThrownBy(() -> ServiceSpec.host("tcp://localhost:5432").withTmpfs("/data"))
        .withMessageStartingWith("withTmpfs(...) configures a container");
  }

  @Test
  void aCopiedTreeIsTheSameDefinitionAsItsFilesWrittenOneByOne(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("nested"));
    Files.writeString(dir.resolve("schema.sql"), "CREATE TABLE t (id int);");
    Files.write(dir.resolve("nested/data.bin"), new byte[] {0, 1, 2});

    ServiceSpec copied = ServiceSpec.from("postgres:15").withCopyOf("/docker-entrypoint-initdb.d", dir);

    assertThat(def(copied).files()).containsOnlyKeys("/docker-entrypoint-initdb.d/nested/data.bin",
        "/docker-entrypoint-initdb.d/schema.sql");
    assertThat(copied).isEqualTo(ServiceSpec.from("postgres:15")
        .withNewFile("/docker-entrypoint-initdb.d/schema.sql", "CREATE TABLE t (id int);")
        .withNewFile("/docker-entrypoint-initdb.d/nested/data.bin", new byte[] {0, 1, 2}));
    assertThat(def(ServiceSpec.from("postgres:15").withCopyOf("/init/schema.sql", dir.resolve("schema.sql"))).files())
        .containsOnlyKeys("/init/schema.sql");

    Files.writeString(dir.resolve("schema.sql"), "CREATE TABLE t (id bigint);");
    assertThat(ServiceSpec.from("postgres:15").withCopyOf("/docker-entrypoint-initdb.d", dir).digest())
        .as("read when the spec is built: a changed file is a new definition").isNotEqualTo(copied.digest());
  }

  /**
   * The mode enters the encoding only when it is not 0644, so the digests (and hostnames) of specs written before
   * modes existed stay what they were: the pinned digest is BASE's, whose file has the default mode.
   */
  @Test
  void aFilesDefaultModeLeavesTheDigestAsItWas() {
    ServiceSpec explicit = spec("redis:7.0", "/etc/redis.conf", "db")
        .withNewFile("/etc/redis.conf", "maxmemory 64mb", 0644);

    assertThat(explicit.digest()).isEqualTo(BASE.digest());
    assertThat(BASE.withInstanceId("blue").withNewFile("/etc/redis.conf", "maxmemory 64mb", 0644).hostname())
        .isEqualTo("berth-60fec7e184f79b68");
    assertThat(BASE.withNewFile("/etc/redis.conf", "maxmemory 64mb", 0755).digest()).isNotEqualTo(BASE.digest())
        .isNotEqualTo(BASE.withNewFile("/etc/redis.conf", "maxmemory 64mb", 0700).digest());
    assertThat(BASE.withNewFile("/etc/redis.conf", "maxmemory 64mb", 0755).withNewFile("/etc/redis.conf",
        "maxmemory 64mb").digest()).as("a later file at the path replaces the mode too").isEqualTo(BASE.digest());
    assertThatIllegalArgumentException().isThrownBy(() -> BASE.withNewFile("/bin/app", "x", 010000))
        .withMessage("The mode of file /bin/app in redis:7.0 is 4096 (octal 10000): give a POSIX mode from 0 to 07777"
            + " as a Java octal literal, such as 0755");
  }

  /** A copy keeps the owner's execute bit of each file, as 0755; a mode given applies to every file copied. */
  @Test
  void aCopiedExecutableFileIsWrittenWithMode0755(@TempDir Path dir) throws Exception {
    FileModeTest.writeFile(dir.resolve("run.sh"), "#!/bin/sh\necho hi\n", "rwxr-x---");
    FileModeTest.writeFile(dir.resolve("notes.txt"), "plain", "rw-------");

    ServiceSpec copied = ServiceSpec.from("busybox:1.35").withCopyOf("/opt", dir);

    assertThat(def(copied).fileMode("/opt/run.sh")).isEqualTo(0755);
    assertThat(def(copied).fileMode("/opt/notes.txt")).isEqualTo(0644);
    assertThat(copied).isEqualTo(ServiceSpec.from("busybox:1.35").withNewFile("/opt/run.sh", "#!/bin/sh\necho hi\n",
        0755).withNewFile("/opt/notes.txt", "plain"));
    ServiceSpec given = ServiceSpec.from("busybox:1.35").withCopyOf("/opt", dir, 0700);
    assertThat(def(given).fileModes()).containsOnly(entry("/opt/run.sh", 0700), entry("/opt/notes.txt", 0700));
  }

  @Test
  void aMissingCopySourceIsNamedWithWhereRelativePathsStart() {
    assertThatThrownBy(() -> ServiceSpec.from("postgres:15").withCopyOf("/init", Path.of("no/such/dir")))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessage("Cannot copy " + Path.of("no/such/dir").toAbsolutePath() + " into postgres:15 at /init: no such"
            + " file or directory (a relative path is resolved against the working directory, "
            + Path.of("").toAbsolutePath() + ")");
  }

  @Test
  void aClasspathResourceIsWrittenAsItsBytes() {
    ServiceSpec spec = ServiceSpec.from("postgres:15")
        .withClasspathResource("/docker-entrypoint-initdb.d/schema.sql", "berth-fixture/initdb/schema.sql");

    assertThat(spec).isEqualTo(ServiceSpec.from("postgres:15")
        .withNewFile("/docker-entrypoint-initdb.d/schema.sql", "CREATE TABLE greetings (id int);\n"));
    assertThat(ServiceSpec.from("postgres:15").withClasspathResource("/s.sql", "/berth-fixture/initdb/schema.sql"))
        .as("a leading slash is allowed").isEqualTo(ServiceSpec.from("postgres:15")
            .withNewFile("/s.sql", "CREATE TABLE greetings (id int);\n"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("postgres:15").withClasspathResource("/init.sql", "sql/missing.sql"))
        .withMessage("Classpath resource 'sql/missing.sql' for /init.sql in postgres:15 is not on the classpath: name"
            + " it by its path under a classpath root, such as src/test/resources (\"sql/schema.sql\" for"
            + " src/test/resources/sql/schema.sql)");
  }

  @Test
  void aReadyLogLineIsCheckedAndKept() {
    ServiceSpec spec = ServiceSpec.from("postgres:15").withReadyLogLine("ready to accept", 2);

    assertThat(def(spec).readyLogLine()).contains(new Definition.ReadyLogLine("ready to accept", 2));
    assertThat(def(spec.withReadyLogLine("up")).readyLogLine()).contains(new Definition.ReadyLogLine("up", 1));
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withReadyLogLine("ready (to"))
        .withMessageStartingWith("The ready log line 'ready (to' of postgres:15 is not a regular expression:");
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withReadyLogLine("ready", 0))
        .withMessage("The ready log line of postgres:15 needs a non-empty regular expression and times >= 1; got"
            + " 'ready', 0");
  }

  @Test
  void aReadyHttpRequestIsCheckedAndKept() {
    ServiceSpec spec = ServiceSpec.from("my/app:1").withExposedPort(8080).withReadyHttp(8080, "/health?deep=true");

    assertThat(def(spec).readyHttp()).contains(new Definition.ReadyHttp(8080, "/health?deep=true"));
    assertThat(def(spec.withReadyHttp(9090, "/")).readyHttp()).contains(new Definition.ReadyHttp(9090, "/"));
    assertThat(spec.toString()).contains("readyHttp=8080/health?deep=true");
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withReadyHttp(8080, "health"))
        .withMessage("The ready HTTP path of my/app:1 is 'health': give the path and query of a URL, starting with"
            + " '/' and without spaces (percent-encode them), such as \"/health\"");
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withReadyHttp(8080, "/a b"))
        .withMessageContaining("is '/a b'");
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withReadyHttp(8080, "/x\r\nHost: evil"))
        .withMessageContaining("without spaces");
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withReadyHttp(0, "/"))
        .withMessage("The ready HTTP port of my/app:1 is 0: give the container's port (1-65535) the service answers"
            + " HTTP on");
  }

  @Test
  void aUserAndAShmSizeAreCheckedAndKept() {
    ServiceSpec spec = ServiceSpec.from("postgres:15").withUser("postgres").withShmSize(256L << 20);

    assertThat(def(spec).user()).contains("postgres");
    assertThat(def(spec).shmSize()).contains(256L << 20);
    assertThat(def(ServiceSpec.from("postgres:15")).user()).isEmpty();
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withUser("post gres"))
        .withMessage("The user of postgres:15 is 'post gres': give a user name the image knows, or uid[:gid] such as"
            + " \"1000:1000\"");
    assertThatIllegalArgumentException().isThrownBy(() -> spec.withShmSize(0))
        .withMessage("The /dev/shm size of postgres:15 is 0 bytes: give a positive size, for example 256L << 20 for"
            + " 256 MiB");
  }

  @Test
  void aStartupTimeoutIsKeptButIsNoPartOfTheDefinition() {
    ServiceSpec slow = ServiceSpec.from("postgres:15").withStartupTimeout(Duration.ofMinutes(1))
        .withStartupTimeout(Duration.ofMinutes(3));

    assertThat(def(slow).startupTimeout()).contains(Duration.ofMinutes(3));
    assertThat(def(ServiceSpec.from("postgres:15")).startupTimeout()).isEmpty();
    assertThat(slow).isEqualTo(ServiceSpec.from("postgres:15")).hasSameHashCodeAs(ServiceSpec.from("postgres:15"));
    assertThat(def(slow.withEnv("A", "b")).startupTimeout()).contains(Duration.ofMinutes(3));
    assertThatIllegalArgumentException().isThrownBy(() -> slow.withStartupTimeout(Duration.ZERO))
        .withMessage("The startup timeout of postgres:15 is PT0S: give a positive duration, for example"
            + " Duration.ofMinutes(2)");
  }

  @Test
  void aServiceOnTheTestMachineHasNoContainerToConfigure() {
    ServiceSpec host = ServiceSpec.host("tcp://localhost:5432");

    assertThatIllegalStateException()
        .isThrownBy(() -> host.withReadyCommand("pg_isready"))
        .withMessageContaining("withReadyCommand(...) configures a container, but tcp://localhost:5432 is a service"
            + " on the test machine");
    assertThatIllegalStateException().isThrownBy(() -> host.withEnv("A", "b"))
        .withMessageContaining("withEnv(...)");
  }

  @Test
  void nullCommandArgumentIsRejectedWithItsIndex() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withCommand("redis-server", null))
        .withMessage("The command of redis:latest has null as argument 1 of [redis-server, null]: pass each argument"
            + " as a string (\"\" for an empty one)");
  }

  @Test
  void aNullEnvValueNamesTheCallTheVariableAndTheFix() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis:7.0").withEnv("FOO", null))
        .withMessage("withEnv(\"FOO\", null) for redis:7.0: the value of environment variable FOO is null; pass \"\""
            + " for an empty value, or leave the environment variable out");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis:7.0").withEnv(null, "x"))
        .withMessage("withEnv(null, ...) for redis:7.0: the environment variable's name is null; pass its name");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis:7.0").withLabel("team", null))
        .withMessageStartingWith("withLabel(\"team\", null) for redis:7.0: the value of label team is null");
  }

  static Stream<Arguments> nullArguments() {
    ServiceSpec redis = ServiceSpec.from("redis:7.0");
    return Stream.of(
        Arguments.of((Runnable) () -> redis.withUser(null), "withUser(...) for redis:7.0: user is null"),
        Arguments.of((Runnable) () -> redis.withExposedPort(6379, null),
            "withExposedPort(...) for redis:7.0: protocol is null"),
        Arguments.of((Runnable) () -> redis.withExposedPort((int[]) null),
            "withExposedPort(...) for redis:7.0: ports is null"),
        Arguments.of((Runnable) () -> redis.withReadyLogLine(null), "withReadyLogLine(...) for redis:7.0: regex is"
            + " null"),
        Arguments.of((Runnable) () -> redis.withStartupTimeout(null), "withStartupTimeout(...) for redis:7.0: timeout"
            + " is null"),
        Arguments.of((Runnable) () -> redis.withNewFile("/etc/x", (String) null), "withNewFile(...) for redis:7.0:"
            + " contents is null"),
        Arguments.of((Runnable) () -> redis.withNewFile(null, "x"), "The file path for redis:7.0 is null"),
        Arguments.of((Runnable) () -> redis.withServiceBinding("db", null), "withServiceBinding(...) for redis:7.0:"
            + " service is null"),
        Arguments.of((Runnable) () -> redis.withServiceBinding(null, redis), "Alias is null"),
        Arguments.of((Runnable) () -> redis.withCommand((String[]) null), "An empty command was given for"
            + " redis:7.0"),
        Arguments.of((Runnable) () -> ServiceSpec.host(null), "ServiceSpec.host(...) for a new spec: address is"
            + " null"),
        Arguments.of((Runnable) () -> ServiceSpec.fromDockerfile(null), "ServiceSpec.fromDockerfile(...) for a new"
            + " spec: context is null"));
  }

  @ParameterizedTest
  @MethodSource("nullArguments")
  void everyNullArgumentIsRefusedNamingTheCallAndTheArgument(Runnable call, String message) {
    assertThatIllegalArgumentException().isThrownBy(call::run).withMessageStartingWith(message);
  }

  @Test
  void everyCallThatTakesAPortRefusesOneOutOfRange() {
    ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);
    assertThatIllegalArgumentException().isThrownBy(() -> redis.withExposedPort(70000, Protocol.TCP))
        .withMessage("Exposed port 70000 of redis:7.0 is out of range: use 1-65535");
    assertThatIllegalArgumentException().isThrownBy(() -> redis.withUncheckedPort(0))
        .withMessage("Unchecked port 0 of redis:7.0 is out of range: use 1-65535");
    assertThatIllegalArgumentException().isThrownBy(() -> redis.withHostPort(70000, 6379))
        .withMessage("Host port 70000 of redis:7.0 is out of range: use 1-65535");
    assertThatIllegalArgumentException().isThrownBy(() -> redis.withVip("kv", -1))
        .withMessage("VIP port -1 of redis:7.0 is out of range: use 1-65535");
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceSpec.host("tcp://localhost").withRelayedPort(5432,
        70000)).withMessageStartingWith("Host port 70000 of ").withMessageEndingWith("is out of range: use 1-65535");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1ABC", "A=B", "A B", "É"})
  void invalidEnvNamesAreRejected(String name) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("redis").withEnv(name, "x"))
        .withMessageContaining("Environment variable name '" + name + "' is invalid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"A", "_a", "a1", "JAVA_OPTS", "a.b-c"})
  void validEnvNamesAreAccepted(String name) {
    assertThat(def(ServiceSpec.from("redis").withEnv(name, "x")).env()).containsEntry(name, "x");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Not_valid", "-x", "x-", "", "UPPER", "a.b",
      "a234567890123456789012345678901234567890123456789012345678901234"})
  void invalidAliasesAreRejected(String alias) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("app").withServiceBinding(alias, ServiceSpec.from("redis")))
        .withMessageContaining("Alias '" + alias + "' is not a valid hostname")
        .withMessageContaining("lowercase");
  }

  @ParameterizedTest
  @ValueSource(strings = {"db", "x", "0", "my-db-2", "a23456789012345678901234567890123456789012345678901234567890123"})
  void validAliasesAreAccepted(String alias) {
    assertThat(def(ServiceSpec.from("app").withServiceBinding(alias, ServiceSpec.from("redis"))).serviceBindings())
        .containsOnlyKeys(alias);
  }

  @Test
  void malformedImageIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceSpec.from("Redis"))
        .withMessageContaining("'Redis'");
  }

  @Test
  void replicasAndVipArePartOfTheDefinitionAndReplicasAreToldApart() {
    ServiceSpec base = ServiceSpec.from("redis:7.0").withExposedPort(6379);
    ServiceSpec three = base.withReplicas(3);

    assertThat(base.withReplicas(1).digest()).isEqualTo(base.digest());
    assertThat(three.digest()).isNotEqualTo(base.digest());
    assertThat(three.withVip("cache", 6379).digest()).isNotEqualTo(three.digest());
    assertThat(def(three.withVip("cache", 6379)).vipName()).contains("cache");
    assertThat(def(three.withVip("cache", 6379)).vipPort()).isEqualTo(6379);
    assertThat(def(three).replica(0).replicas()).isEqualTo(1);
    assertThat(def(three.withVip("cache", 6379)).replica(0).vipName()).isEmpty();
    assertThat(def(three).replica(0).digest()).isNotEqualTo(def(three).replica(1).digest()).isNotEqualTo(base.digest());
    assertThat(def(three.withInstanceId("a")).replica(0).instanceId()).isEqualTo("a/replica-0");
  }

  /** A port's name is part of the definition (its records differ), exposes the port, and is a DNS label. */
  @Test
  void aPortNameExposesThePortAndIsOneLabelForOnePort() {
    ServiceSpec web = ServiceSpec.from("nginx:1.22").withExposedPort(8080);

    assertThat(def(web.withPortName(9090, "admin")).exposedPorts()).containsExactly(8080, 9090);
    assertThat(def(web.withPortName(9090, "admin")).portNames()).containsExactly(java.util.Map.entry(9090, "admin"));
    assertThat(web.withPortName(9090, "admin").digest()).isNotEqualTo(web.withExposedPort(9090).digest())
        .isNotEqualTo(web.withPortName(9090, "stats").digest());
    assertThat(def(web.withPortName(9090, "admin").withPortName(9090, "stats")).portNames())
        .containsExactly(java.util.Map.entry(9090, "stats"));
    assertThatIllegalArgumentException().isThrownBy(() -> web.withPortName(8080, "admin").withPortName(9090, "admin"))
        .withMessage("Port name 'admin' of nginx:1.22 names port 8080 already: give port 9090 a name of its own");
    assertThatIllegalArgumentException().isThrownBy(() -> web.withPortName(8080, "_http"))
        .withMessageStartingWith("Port name '_http' of port 8080 of nginx:1.22 is not a DNS label");
    assertThatIllegalArgumentException().isThrownBy(() -> web.withPortName(0, "admin"))
        .withMessageContaining("Named port 0");
  }

  /** A VIP's own port in front of another container port; the same port twice is the VIP of one port. */
  @Test
  void aVipMayListenOnAPortOfItsOwn() {
    ServiceSpec three = ServiceSpec.from("nginx:1.22").withExposedPort(8080).withReplicas(3);

    assertThat(three.withVip("web", 8080, 8080).digest()).isEqualTo(three.withVip("web", 8080).digest());
    assertThat(three.withVip("web", 80, 8080).digest()).isNotEqualTo(three.withVip("web", 80).digest())
        .isNotEqualTo(three.withVip("web", 8080).digest());
    assertThat(def(three.withVip("web", 80, 8080)).vipPort()).isEqualTo(80);
    assertThat(def(three.withVip("web", 80, 8080)).vipTargetPort()).isEqualTo(8080);
    assertThat(def(three.withVip("web", 8080)).vipTargetPort()).isEqualTo(8080);
    assertThat(def(three.withVip("web", 80, 8080)).replica(0).vipTargetPort()).isZero();
    assertThatIllegalArgumentException().isThrownBy(() -> three.withVip("web", 80, 0))
        .withMessage("VIP's container port 0 of nginx:1.22 is out of range: use 1-65535");
  }

  @Test
  void replicasAndVipAreChecked() {
    ServiceSpec base = ServiceSpec.from("redis:7.0").withExposedPort(6379);
    assertThatIllegalArgumentException().isThrownBy(() -> base.withReplicas(0)).withMessageContaining("use 1-16");
    assertThatIllegalArgumentException().isThrownBy(() -> base.withReplicas(17)).withMessageContaining("use 1-16");
    assertThatIllegalArgumentException().isThrownBy(() -> base.withVip("My_Vip", 6379))
        .withMessageContaining("VIP name 'My_Vip' is not a valid hostname");
    assertThatIllegalArgumentException().isThrownBy(() -> base.withVip("vip", 0)).withMessageContaining("VIP port 0");
  }

  @Test
  void optingOutOfReuseIsAnotherDefinitionAndAResetCommandIsNone() {
    ServiceSpec redis = ServiceSpec.from("redis:7.0").withExposedPort(6379);

    assertThat(def(redis).reusable()).isTrue();
    assertThat(def(redis.withoutReuse()).reusable()).isFalse();
    assertThat(redis.withoutReuse().digest()).isNotEqualTo(redis.digest());
    assertThat(redis.withResetCommand("redis-cli", "FLUSHALL").digest()).isEqualTo(redis.digest());
    assertThat(def(redis.withResetCommand("redis-cli", "FLUSHALL")).resetCommand())
        .contains(List.of("redis-cli", "FLUSHALL"));
    assertThatIllegalArgumentException().isThrownBy(() -> redis.withResetCommand())
        .withMessageContaining("An empty reset command");
  }

  @Test
  void howACacheIsSharedIsPartOfTheDefinition() {
    ServiceSpec redis = ServiceSpec.from("redis:7.0");
    String shared = redis.withCacheVolume("/data", "c").digest();
    String own = redis.withPrivateCacheVolume("/data", "c").digest();
    String locked = redis.withLockedCacheVolume("/data", "c").digest();

    assertThat(List.of(shared, own, locked)).doesNotHaveDuplicates();
    assertThat(redis.withLockedCacheVolume("/data", "c").withCacheVolume("/data", "c").digest())
        .as("a later mount at the path replaces the sharing too").isEqualTo(shared);
    assertThat(def(redis.withPrivateCacheVolume("/data", "c")).cacheSharing("/data"))
        .isEqualTo(Definition.CacheSharing.PRIVATE);
  }

  /** What Berth's internals read of a spec. */
  private static Definition def(ServiceSpec spec) {
    return SpecAccess.definition(spec);
  }
}
