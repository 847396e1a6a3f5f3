package dev.berth.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.Service;
import dev.berth.ServiceSpec;
import dev.berth.internal.config.BerthConfig;
import dev.berth.internal.run.ServiceRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written into a container keep the mode they were given, or, copied, their execute bit. */
public class FileModeTest {

  /** With mode 0644 the engine refuses the start: exec: "/bin/app": permission denied. */
  @Test
  void aScriptWrittenWithMode0755RunsAsTheEntrypoint() {
    ServiceSpec app = ServiceSpec.from("busybox:1.35")
        .withNewFile("/bin/app", "#!/bin/sh\necho app runs as $0\nexec sleep 3600\n", 0755)
        .withEntrypoint("/bin/app");
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults()); var scope = runtime.newScope()) {
      Service service = scope.service("app", app);

      await().atMost(Duration.ofSeconds(20)).until(() -> service.output().contains("app runs as /bin/app"));
      assertThat(service.exec("stat", "-c", "%a", "/bin/app").stdout().strip()).isEqualTo("755");
    }
  }

  @Test
  void aCopiedExecutableKeepsItsExecuteBit(@TempDir Path dir) throws Exception {
    writeFile(dir.resolve("tool.sh"), "#!/bin/sh\necho tool ran\n", "rwxr-xr-x");
    writeFile(dir.resolve("notes.txt"), "plain\n", "rw-r--r--");
    ServiceSpec user = ServiceSpec.from("busybox:1.35").withCopyOf("/opt/tools", dir)
        .withCommand("sh", "-c", "/opt/tools/tool.sh; exec sleep 3600");
    try (var runtime = ServiceRuntime.start(BerthConfig.defaults()); var scope = runtime.newScope()) {
      Service service = scope.service("user", user);

      await().atMost(Duration.ofSeconds(20)).until(() -> service.output().contains("tool ran"));
      assertThat(service.exec("stat", "-c", "%a %n", "/opt/tools/tool.sh", "/opt/tools/notes.txt").stdout())
          .isEqualTo("755 /opt/tools/tool.sh\n644 /opt/tools/notes.txt\n");
    }
  }

  /** Writes a file of the test machine with permissions such as {@code "rwxr-xr-x"}. */
  public static void writeFile(Path file, String contents, String permissions) throws java.io.IOException {
    Files.writeString(file, contents);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
  }
}
