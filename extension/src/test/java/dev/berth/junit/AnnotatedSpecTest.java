package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.berth.Container;
import dev.berth.Protocol;
import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.annotations.BindService;
import dev.berth.annotations.ClientContainer;
import dev.berth.annotations.ServiceContainer;
import dev.berth.annotations.ServiceHandle;
import dev.berth.internal.spec.Definition;
import dev.berth.internal.spec.SpecAccess;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the attributes of {@code @ServiceContainer} define: the same service as the spec's methods. */
class AnnotatedSpecTest {

  private static ServiceContainer annotationOf(String field) throws NoSuchFieldException {
    return Declared.class.getDeclaredField(field).getAnnotation(ServiceContainer.class);
  }

  @SuppressWarnings("unused")
  static class Declared {
    @ServiceContainer(image = "postgres:15", ports = 5432, env = "POSTGRES_PASSWORD=secret",
        files = "/docker-entrypoint-initdb.d/index.sql=www/index.html", tmpfs = {"/var/lib/postgresql/data",
            "/scratch:size=1m,mode=0700"}, cacheVolumes = {"pg-cache:/cache", "wal:/wal:private", "m2:/m2:locked"},
        readyLogLine = "ready to accept connections", readyLogLineTimes = 2, readyHttp = "8080/health?deep=1",
        ready = {"pg_isready", "-h", "127.0.0.1"}, user = "postgres", shmSize = "256m", instance = "a",
        labels = {"com.example.team=payments", "com.example.empty="})
    static Service everything;

    @ServiceContainer(image = "busybox:1.35", shmSize = "lots")
    static Service badSize;

    @ServiceContainer(image = "busybox:1.35", ports = 8080, readyHealthcheck = true)
    static Service healthchecked;

    @ServiceContainer(image = "busybox:1.35", ready = "true", readyHealthcheck = true)
    static Service twoReadyCommands;

    @ServiceContainer(image = "busybox:1.35", files = "/x=www/missing.html")
    static Service missingResource;

    @ServiceContainer(image = "busybox:1.35", files = "/x")
    static Service fileWithoutResource;

    @ServiceContainer(image = "busybox:1.35", files = {"/bin/app:0755=www/index.html", "/a:b:0600=www/index.html",
        "/etc/plain:0644=www/index.html"})
    static Service filesWithModes;

    @ServiceContainer(image = "busybox:1.35", files = "/bin/app:75x=www/index.html")
    static Service fileWithBadMode;

    @ServiceContainer(image = "busybox:1.35", cacheVolumes = "/data")
    static Service volumeWithoutName;

    @ServiceContainer(image = "busybox:1.35", cacheVolumes = "data:/data:mine")
    static Service volumeWithUnknownSharing;

    @ServiceContainer(image = "busybox:1.35", readyHttp = "/health")
    static Service httpWithoutPort;

    @ServiceContainer(image = "busybox:1.35", readyLogLineTimes = 2)
    static Service timesWithoutLine;

    @ServiceContainer(image = "busybox:1.35", labels = "team")
    static Service labelWithoutValue;

    @ServiceContainer(build = "src/test/docker/hello", buildArgs = "GREETING=hi", ports = 8080)
    static Service built;

    @ServiceContainer(build = "src/test/docker", dockerfile = "hello/Dockerfile", ports = 8080)
    static Service builtWithDockerfileElsewhere;

    @ServiceContainer(image = "busybox:1.35", build = "src/test/docker/hello")
    static Service imageAndBuild;

    @ServiceContainer(image = "busybox:1.35", dockerfile = "Dockerfile")
    static Service dockerfileWithoutBuild;

    @ServiceContainer(build = "src/test/docker/hello", buildArgs = "GREETING")
    static Service argWithoutValue;

    @ServiceContainer(build = "src/test/docker/missing")
    static Service missingContext;

    @ServiceContainer(image = "busybox:1.35", ports = 8080, protocols = {"5432/postgres", "53/udp"},
        uncheckedPorts = 9090, ignoreHealthcheck = true)
    static Service ports;

    @ServiceContainer(image = "busybox:1.35", protocols = "5432")
    static Service protocolWithoutName;

    @ServiceContainer(image = "busybox:1.35", protocols = "5432/pg")
    static Service unknownProtocol;

    @ServiceContainer(image = "busybox:1.35", readyHealthcheck = true, ignoreHealthcheck = true)
    static Service healthcheckBothWays;

    @ServiceContainer(image = "busybox:1.35", ports = 8080, replicas = 3, vip = "web:80->8080")
    static Service balanced;

    @ServiceContainer(image = "busybox:1.35", ports = 8080, vip = "web:8080")
    static Service balancedOnItsPort;

    @ServiceContainer(image = "busybox:1.35", ports = 8080, vip = "web:80=>8080")
    static Service vipMalformed;

    @ServiceContainer(image = "busybox:1.35", ports = 8080, vip = "web:80->80800")
    static Service vipPortOutOfRange;

    @ServiceContainer(image = "busybox:1.35", ports = 8080, replicas = 17)
    static Service tooManyReplicas;

    @ServiceContainer(image = "busybox:1.35", ports = 8080, portNames = {"http=8080", "admin=9090"})
    static Service namedPorts;

    @ServiceContainer(image = "busybox:1.35", portNames = "admin:9090")
    static Service portNameMalformed;

    @ServiceContainer(image = "busybox:1.35", portNames = "Admin=9090")
    static Service portNameNoLabel;
  }

  @Test
  void portNamesAreTheSpecsWithPortName() throws Exception {
    assertThat(AnnotatedSpec.of(annotationOf("namedPorts")).digest()).isEqualTo(ServiceSpec.from("busybox:1.35")
        .withExposedPort(8080).withPortName(8080, "http").withPortName(9090, "admin").digest());
    assertThat(AnnotatedSpec.definitionAttributes(annotationOf("namedPorts"))).contains("portNames");
    assertThat(AnnotatedSpec.specMethod("portNames")).isEqualTo("withPortName");

    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("portNameMalformed")))
        .withMessage("portNames entry 'admin:9090' is not name=port, such as \"admin=9090\"");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("portNameNoLabel")))
        .withMessageStartingWith("portNames entry 'Admin=9090': Port name 'Admin'")
        .withMessageContaining("lowercase");
  }

  @Test
  void replicasAndVipAreTheSpecsWithReplicasAndWithVip() throws Exception {
    assertThat(AnnotatedSpec.of(annotationOf("balanced")).digest()).isEqualTo(ServiceSpec.from("busybox:1.35")
        .withExposedPort(8080).withReplicas(3).withVip("web", 80, 8080).digest());
    assertThat(AnnotatedSpec.of(annotationOf("balancedOnItsPort")).digest()).isEqualTo(ServiceSpec.from("busybox:1.35")
        .withExposedPort(8080).withVip("web", 8080).digest());
    assertThat(AnnotatedSpec.definitionAttributes(annotationOf("balanced"))).contains("replicas", "vip");
    assertThat(AnnotatedSpec.specMethod("replicas")).isEqualTo("withReplicas");
    assertThat(AnnotatedSpec.specMethod("vip")).isEqualTo("withVip");

    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("vipMalformed")))
        .withMessage("vip 'web:80=>8080' is not name:port or name:port->containerPort, such as \"web:8080\", or"
            + " \"web:80->8080\" for a VIP on port 80 in front of the replicas' 8080");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("vipPortOutOfRange")))
        .withMessageStartingWith("vip 'web:80->80800': ").withMessageContaining("80800");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("tooManyReplicas")))
        .withMessageContaining("17").withMessageContaining("1-16");
  }

  @Test
  void portAttributesDefineWhatTheirSpecMethodsDo() throws Exception {
    assertThat(AnnotatedSpec.of(annotationOf("ports")).digest()).isEqualTo(
        ServiceSpec.from("busybox:1.35").withExposedPort(8080).withExposedPort(5432, Protocol.POSTGRES)
            .withExposedPort(53, Protocol.UDP).withUncheckedPort(9090).withoutReadyHealthcheck().digest());
    assertThat(AnnotatedSpec.definitionAttributes(annotationOf("ports")))
        .contains("protocols", "uncheckedPorts", "ignoreHealthcheck");
    for (String attribute : List.of("protocols", "uncheckedPorts", "ignoreHealthcheck")) {
      String method = AnnotatedSpec.specMethod(attribute);
      assertThat(ServiceSpec.class.getMethods()).as(attribute).anyMatch(m -> m.getName().equals(method));
    }

    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("protocolWithoutName")))
        .withMessage("protocols entry '5432' is not port/protocol, such as \"5432/postgres\" or \"53/udp\"");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("unknownProtocol")))
        .withMessageContaining("'pg'").withMessageContaining("postgres");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("healthcheckBothWays")))
        .withMessageStartingWith("readyHealthcheck and ignoreHealthcheck are both set");
  }

  @Test
  void everyAttributeDefinesWhatItsSpecMethodDoes() throws Exception {
    ServiceSpec bySpec = ServiceSpec.from("postgres:15").withExposedPort(5432).withEnv("POSTGRES_PASSWORD", "secret")
        .withClasspathResource("/docker-entrypoint-initdb.d/index.sql", "www/index.html")
        .withTmpfs("/var/lib/postgresql/data").withTmpfs("/scratch", "size=1m,mode=0700")
        .withCacheVolume("/cache", "pg-cache").withPrivateCacheVolume("/wal", "wal")
        .withLockedCacheVolume("/m2", "m2").withReadyLogLine("ready to accept connections", 2)
        .withReadyHttp(8080, "/health?deep=1").withReadyCommand("pg_isready", "-h", "127.0.0.1")
        .withUser("postgres").withShmSize(256L << 20).withInstanceId("a")
        .withLabel("com.example.team", "payments").withLabel("com.example.empty", "");

    ServiceSpec byAnnotation = AnnotatedSpec.of(annotationOf("everything"));

    assertThat(byAnnotation.digest()).isEqualTo(bySpec.digest());
    assertThat(def(byAnnotation).tmpfs()).isEqualTo(def(bySpec).tmpfs());
    assertThat(def(byAnnotation).readyHttp()).isEqualTo(def(bySpec).readyHttp());
    assertThat(AnnotatedSpec.definitionAttributes(annotationOf("everything"))).containsExactly("image", "ports",
        "env", "ready", "readyLogLine", "readyLogLineTimes", "readyHttp", "files", "tmpfs",
        "cacheVolumes", "labels", "user", "shmSize", "instance");
    // Each attribute names its spec method, in the message for a ServiceSpec field that sets it.
    var attributes = new java.util.ArrayList<>(AnnotatedSpec.definitionAttributes(annotationOf("everything")));
    attributes.addAll(List.of("build", "dockerfile", "buildArgs"));
    for (String attribute : attributes) {
      String method = AnnotatedSpec.specMethod(attribute);
      assertThat(ServiceSpec.class.getMethods()).as(attribute)
          .anyMatch(m -> m.getName().equals(method.replace("ServiceSpec.", "")));
    }
  }

  /** A mode after the path is the spec's mode argument; 0644 is the mode a file has anyway. */
  @Test
  void aFilesEntryMayGiveTheFilesMode() throws Exception {
    assertThat(AnnotatedSpec.of(annotationOf("filesWithModes")).digest()).isEqualTo(ServiceSpec.from("busybox:1.35")
        .withClasspathResource("/bin/app", "www/index.html", 0755)
        .withClasspathResource("/a:b", "www/index.html", 0600)
        .withClasspathResource("/etc/plain", "www/index.html").digest());
  }

  @Test
  void readyHealthcheckIsTheSpecsWithReadyHealthcheck() throws Exception {
    assertThat(AnnotatedSpec.of(annotationOf("healthchecked")).digest()).isEqualTo(
        ServiceSpec.from("busybox:1.35").withExposedPort(8080).withReadyHealthcheck().digest());
    assertThat(AnnotatedSpec.definitionAttributes(annotationOf("healthchecked"))).contains("readyHealthcheck");
    assertThat(AnnotatedSpec.specMethod("readyHealthcheck")).isEqualTo("withReadyHealthcheck");
    assertThat(ServiceSpec.class.getMethod("withReadyHealthcheck")).isNotNull();

    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("twoReadyCommands")))
        .withMessageStartingWith("ready and readyHealthcheck are both set");
  }

  @Test
  void buildAttributesDefineWhatFromDockerfileDoes() throws Exception {
    assertThat(AnnotatedSpec.of(annotationOf("built")).digest()).isEqualTo(
        ServiceSpec.fromDockerfile(Path.of("src/test/docker/hello")).withBuildArg("GREETING", "hi")
            .withExposedPort(8080).digest());
    assertThat(AnnotatedSpec.of(annotationOf("builtWithDockerfileElsewhere")).digest()).isEqualTo(
        ServiceSpec.fromDockerfile(Path.of("src/test/docker"), "hello/Dockerfile").withExposedPort(8080).digest());

    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("imageAndBuild")))
        .withMessageStartingWith("image and build are both set");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("dockerfileWithoutBuild")))
        .withMessageStartingWith("dockerfile is set but build is not");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("argWithoutValue")))
        .withMessage("buildArgs entry 'GREETING' is not NAME=value");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("missingContext")))
        .withMessageContaining("src/test/docker/missing is not a directory");
  }

  @Test
  void malformedEntriesSayWhatWasExpected() {
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("missingResource")))
        .withMessageContaining("Classpath resource 'www/missing.html' for /x in busybox:1.35 is not on the classpath");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("fileWithoutResource")))
        .withMessage("files entry '/x' is not /path/in/container[:mode]=resource, such as \"/etc/app.conf=app.conf\""
            + " for src/test/resources/app.conf, or \"/bin/app:0755=app.sh\" for a file to run");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("fileWithBadMode")))
        .withMessage("files entry '/bin/app:75x=www/index.html' has the mode '75x': give the file's POSIX mode in"
            + " octal after a colon, such as \"/bin/app:0755=app.sh\"");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("volumeWithoutName")))
        .withMessage("cacheVolumes entry '/data' is not name:/path[:shared|private|locked], such as"
            + " \"redis-data:/data\" or \"maven-repo:/root/.m2:locked\"");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("volumeWithUnknownSharing")))
        .withMessageContaining("ends in 'mine', which is no sharing: use shared (the default), private");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("httpWithoutPort")))
        .withMessage("readyHttp '/health' is not port/path, such as \"8080/actuator/health\"");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("badSize")))
        .withMessage("shmSize 'lots' is not a size such as \"256m\" (b, k, m or g)");
    assertThat(AnnotatedSpec.bytes("shmSize", "64k")).isEqualTo(65536);
    assertThat(AnnotatedSpec.bytes("shmSize", "1G")).isEqualTo(1L << 30);
    assertThat(AnnotatedSpec.bytes("shmSize", "100")).isEqualTo(100);
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("labelWithoutValue")))
        .withMessage("labels entry 'team' is not key=value, such as \"com.example.team=payments\"");
    assertThatIllegalArgumentException().isThrownBy(() -> AnnotatedSpec.of(annotationOf("timesWithoutLine")))
        .withMessage("readyLogLineTimes is 2 but readyLogLine is not set: give the line's regular expression too");
  }

  @Test
  void aMalformedAttributeFailsTheClassNamingTheField() {
    var run = new KitRun().run(Misdeclared.class);

    assertThat(run.classFailure())
        .hasMessageContaining("@ServiceContainer field Misdeclared.web: readyHttp '/health' is not port/path");
    assertThat(run.servicesCreated()).isZero();
  }

  @Test
  void anAnnotatedServiceGetsItsFilesMountsAndReadyChecks() {
    new KitRun().run(AllByAnnotation.class).assertSucceeded(1);
  }

  @Test
  void anAnnotatedServiceRunsTheImageItsDockerfileBuilds() {
    new KitRun().run(BuiltByAnnotation.class).assertSucceeded(1);
  }

  @Test
  void aClientRunsTheImageItsDockerfileBuilds() {
    new KitRun().run(BuiltClient.class).assertSucceeded(1);
  }

  @Test
  void aClientWithBothAnImageAndABuildFailsItsTest() {
    var run = new KitRun().run(ClientWithImageAndBuild.class);

    assertThat(run.onlyFailure()).hasMessage("@ClientContainer on parameter 'client' in method needsIt(Container):"
        + " image and build are both set: give image to run an image as it is, or build to build one from a"
        + " Dockerfile");
  }

  @ServiceTest
  static class BuiltClient {
    @Test
    void hasWhatTheBuildWrote(@ClientContainer(build = "src/test/docker/hello", buildArgs = "GREETING=client tools",
        labels = "com.example.role=tools") Container client) {
      assertThat(client.exec("cat", "/www/index.html").stdout()).isEqualTo("client tools\n");
      assertThat(Engine.docker().inspectContainerCmd(client.id()).exec().getConfig().getLabels())
          .containsEntry("com.example.role", "tools").containsEntry("dev.berth.role", "client");
    }
  }

  @ServiceTest
  static class ClientWithImageAndBuild {
    @Test
    void needsIt(@ClientContainer(image = "busybox:1.35", build = "src/test/docker/hello") Container client) {
    }
  }

  @ServiceTest
  static class BuiltByAnnotation {
    @ServiceContainer(build = "src/test/docker/hello", buildArgs = "GREETING=built by Berth", ports = 8080)
    static Service hello;

    @Test
    void servesWhatTheBuildWrote(@BindService("hello") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://hello:8080/").stdout()).isEqualTo("built by Berth\n");
    }
  }

  @ServiceTest
  static class Misdeclared {
    @ServiceContainer(image = "busybox:1.35", ports = 8080, readyHttp = "/health")
    static Service web;

    @Test
    void needsIt(@BindService("web") Container client) {
    }
  }

  /** Serves a file from the classpath, says where its tmpfs is mounted, then that it is ready. */
  @ServiceTest
  static class AllByAnnotation {
    @ServiceContainer(image = "busybox:1.35", ports = 8080, files = "/www/index.html=www/index.html",
        tmpfs = "/scratch:size=1m", command = {"sh", "-c", "grep ' /scratch ' /proc/mounts; echo up and about;"
            + " exec httpd -f -p 8080 -h /www"}, readyLogLine = "up and about", readyHttp = "8080/index.html")
    static Service web;

    @Test
    void seesThem(@ServiceHandle("web") Service handle, @BindService("web") Container client) {
      assertThat(client.exec("wget", "-qO-", "http://web:8080/index.html").stdout())
          .isEqualTo("served from a classpath resource\n");
      assertThat(handle.output()).contains("tmpfs /scratch tmpfs rw").contains("size=1024k");
    }
  }

  /** What Berth's internals read of a spec. */
  private static Definition def(ServiceSpec spec) {
    return SpecAccess.definition(spec);
  }
}
