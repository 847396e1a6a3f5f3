package dev.berth.internal.spec;

import dev.berth.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The canonical, versioned encoding of a {@link Definition} and its SHA-256.
 *
 * <p>Every value is written tagged and length-prefixed, so no two different specs can encode alike (no separator
 * can be forged by a value). Maps are written in key order and ports as a sorted set. Bindings contribute their
 * alias and their own digest, which makes the digest recursive. Changing this encoding changes every hostname:
 * bump {@link #VERSION} when it changes.
 */
public final class SpecEncoding {

  public static final String VERSION = "berth.spec/v1";

  private SpecEncoding() {
  }

  public static String digest(Definition spec) {
    return HexFormat.of().formatHex(sha256(encode(spec)));
  }

  /**
   * What makes two builds versions of one image, whatever their files: the context's place on this machine, the
   * Dockerfile, the arguments and the target stage. The first 16 hex digits of their SHA-256.
   */
  static String source(ImageBuild build) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      string(out, "version", "berth.build-source/v1");
      string(out, "context", build.context().toString());
      string(out, "dockerfile", build.dockerfile());
      stringMap(out, "args", build.args());
      string(out, "target", build.target() == null ? "" : build.target());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(sha256(bytes.toByteArray())).substring(0, 16);
  }

  /** The digest of an image build: its Dockerfile, arguments, target stage and every file of its context. */
  public static String digest(ImageBuild build) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      string(out, "version", "berth.build/v1");
      string(out, "dockerfile", build.dockerfile());
      stringMap(out, "args", build.args());
      string(out, "target", build.target() == null ? "" : build.target());
      tag(out, "files");
      out.writeInt(build.files().size());
      for (Map.Entry<String, byte[]> file : build.files().entrySet()) {
        value(out, file.getKey().getBytes(StandardCharsets.UTF_8));
        out.writeBoolean(build.executables().contains(file.getKey()));
        value(out, file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(sha256(bytes.toByteArray()));
  }

  static byte[] encode(Definition spec) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      string(out, "version", VERSION);
      if (spec.hostTarget().isPresent()) {
        string(out, "host", spec.hostTarget().get().toString());
      } else if (spec.build().isPresent()) {
        string(out, "build", spec.build().get().digest());
      } else {
        string(out, "image", spec.imageReference().canonical());
      }
      optionalList(out, "entrypoint", spec.entrypoint());
      optionalList(out, "command", spec.command());
      stringMap(out, "env", spec.env());
      string(out, "workdir", spec.workdir().orElse(""));
      var ports = new TreeSet<>(spec.exposedPorts());
      tag(out, "ports");
      out.writeInt(ports.size());
      for (int port : ports) {
        out.writeInt(port);
      }
      tag(out, "files");
      out.writeInt(spec.files().size());
      for (Map.Entry<String, byte[]> file : spec.files().entrySet()) {
        value(out, file.getKey().getBytes(StandardCharsets.UTF_8));
        value(out, file.getValue());
      }
      tag(out, "bindings");
      out.writeInt(spec.serviceBindings().size());
      for (Map.Entry<String, Definition> binding : spec.serviceBindings().entrySet()) {
        value(out, binding.getKey().getBytes(StandardCharsets.UTF_8));
        value(out, binding.getValue().digest().getBytes(StandardCharsets.US_ASCII));
      }
      string(out, "instance", spec.instanceId());
      // Sections added after v1 are written only when used, so the digests (and hostnames) of specs that do not
      // use them stay what they were; the tag keeps them apart from everything before.
      if (!spec.hostPorts().isEmpty()) {
        portMap(out, "hostPorts", spec.hostPorts());
      }
      if (!spec.globalHostnames().isEmpty()) {
        tag(out, "hostnames");
        strings(out, spec.globalHostnames());
      }
      if (!spec.cacheVolumes().isEmpty()) {
        stringMap(out, "cacheVolumes", spec.cacheVolumes());
      }
      var sharing = new TreeMap<String, String>();
      spec.cacheVolumes().keySet().stream().filter(path -> spec.cacheSharing(path) != Definition.CacheSharing.SHARED)
          .forEach(path -> sharing.put(path, spec.cacheSharing(path).name()));
      if (!sharing.isEmpty()) {
        // Absent for shared caches, so that the digests of specs from before sharing modes stay as they were.
        stringMap(out, "cacheSharing", sharing);
      }
      if (spec.replicas() != 1) {
        tag(out, "replicas");
        out.writeInt(spec.replicas());
      }
      if (spec.vipName().isPresent()) {
        string(out, "vip", spec.vipName().get());
        out.writeInt(spec.vipPort());
        if (spec.vipTargetPort() != spec.vipPort()) {
          // Only where it differs, so that the digests of VIPs from before keep what they were.
          tag(out, "vipTarget");
          out.writeInt(spec.vipTargetPort());
        }
      }
      if (spec.readyCommand().isPresent()) {
        tag(out, "ready");
        strings(out, spec.readyCommand().get());
      }
      if (spec.readyLogLine().isPresent()) {
        string(out, "readyLogLine", spec.readyLogLine().get().regex());
        out.writeInt(spec.readyLogLine().get().times());
      }
      if (!spec.tmpfs().isEmpty()) {
        stringMap(out, "tmpfs", spec.tmpfs());
      }
      if (spec.readyHttp().isPresent()) {
        string(out, "readyHttp", spec.readyHttp().get().path());
        out.writeInt(spec.readyHttp().get().port());
      }
      if (spec.user().isPresent()) {
        string(out, "user", spec.user().get());
      }
      if (spec.shmSize().isPresent()) {
        tag(out, "shmSize");
        out.writeLong(spec.shmSize().get());
      }
      if (!spec.labels().isEmpty()) {
        stringMap(out, "labels", spec.labels());
      }
      if (spec.readyHealthcheck()) {
        tag(out, "readyHealthcheck");
      }
      if (!spec.declaredProtocols().isEmpty()) {
        tag(out, "protocols");
        out.writeInt(spec.declaredProtocols().size());
        for (Map.Entry<Integer, Protocol> port : spec.declaredProtocols().entrySet()) {
          out.writeInt(port.getKey());
          value(out, port.getValue().name().getBytes(StandardCharsets.US_ASCII));
        }
      }
      if (!spec.portNames().isEmpty()) {
        tag(out, "portNames");
        out.writeInt(spec.portNames().size());
        for (Map.Entry<Integer, String> port : spec.portNames().entrySet()) {
          out.writeInt(port.getKey());
          value(out, port.getValue().getBytes(StandardCharsets.US_ASCII));
        }
      }
      if (!spec.uncheckedPorts().isEmpty()) {
        tag(out, "uncheckedPorts");
        out.writeInt(spec.uncheckedPorts().size());
        for (int port : spec.uncheckedPorts()) {
          out.writeInt(port);
        }
      }
      if (spec.ignoresHealthcheck()) {
        tag(out, "ignoreHealthcheck");
      }
      if (!spec.reusable()) {
        // A service that must not be reused has a container of its own, apart from a reused one of its kind.
        tag(out, "noReuse");
      }
      if (!spec.relayedPorts().isEmpty()) {
        portMap(out, "relayedPorts", spec.relayedPorts());
      }
      if (!spec.fileModes().isEmpty()) {
        tag(out, "fileModes");
        out.writeInt(spec.fileModes().size());
        for (Map.Entry<String, Integer> file : spec.fileModes().entrySet()) {
          value(out, file.getKey().getBytes(StandardCharsets.UTF_8));
          out.writeInt(file.getValue());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void optionalList(DataOutputStream out, String tag, java.util.Optional<List<String>> values)
      throws IOException {
    tag(out, tag);
    out.writeBoolean(values.isPresent());
    if (values.isPresent()) {
      strings(out, values.get());
    }
  }

  private static void portMap(DataOutputStream out, String tag, Map<Integer, Integer> ports) throws IOException {
    tag(out, tag);
    out.writeInt(ports.size());
    for (Map.Entry<Integer, Integer> port : ports.entrySet()) {
      out.writeInt(port.getKey());
      out.writeInt(port.getValue());
    }
  }

  private static void stringMap(DataOutputStream out, String tag, Map<String, String> map) throws IOException {
    tag(out, tag);
    out.writeInt(map.size());
    for (Map.Entry<String, String> e : map.entrySet()) {
      value(out, e.getKey().getBytes(StandardCharsets.UTF_8));
      value(out, e.getValue().getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void strings(DataOutputStream out, Collection<String> values) throws IOException {
    out.writeInt(values.size());
    for (String v : values) {
      value(out, v.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void string(DataOutputStream out, String tag, String value) throws IOException {
    tag(out, tag);
    value(out, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void tag(DataOutputStream out, String tag) throws IOException {
    value(out, tag.getBytes(StandardCharsets.US_ASCII));
  }

  private static void value(DataOutputStream out, byte[] value) throws IOException {
    out.writeInt(value.length);
    out.write(value);
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
