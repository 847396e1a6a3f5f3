package dev.berth.samples.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.ServiceSpec;
import dev.berth.annotations.ServiceContainer;
import dev.berth.junit.ServiceTest;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Not a sample: a check of the jars this module is tested against (Maven builds them before it). Each is a named
 * module with its own descriptor, no two share a package (which the module system would refuse), and the runtime
 * exports only its API to everyone: its internals only to the extension.
 */
class ModuleNamesTest {

  @Test
  void berthsJarsAreNamedModulesThatShareNoPackage() throws URISyntaxException {
    var expected = new LinkedHashMap<String, Class<?>>();
    expected.put("dev.berth.annotations", ServiceContainer.class);
    expected.put("dev.berth", ServiceSpec.class);
    expected.put("dev.berth.junit", ServiceTest.class);
    var packages = new HashSet<String>();
    var modules = new LinkedHashMap<String, ModuleDescriptor>();
    for (Map.Entry<String, Class<?>> module : expected.entrySet()) {
      Path jar = Path.of(module.getValue().getProtectionDomain().getCodeSource().getLocation().toURI());
      assumeTrue(jar.toString().endsWith(".jar"), "needs the packaged jars, as a Maven build has them: " + jar);
      Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
      assertThat(found).as(jar.toString()).hasSize(1);
      ModuleDescriptor descriptor = found.iterator().next().descriptor();
      assertThat(descriptor.name()).as(jar.toString()).isEqualTo(module.getKey());
      assertThat(descriptor.isAutomatic()).as("%s has a module-info", jar).isFalse();
      for (String p : descriptor.packages()) {
        assertThat(packages.add(p)).as("package %s is in two of Berth's jars", p).isTrue();
      }
      modules.put(descriptor.name(), descriptor);
    }
    assertThat(modules.get("dev.berth").exports()).allSatisfy(export -> assertThat(export.isQualified()
        ? export.targets() : Set.of()).as("%s", export).isSubsetOf("dev.berth.junit"));
    assertThat(modules.get("dev.berth").exports()).filteredOn(export -> !export.isQualified())
        .extracting(ModuleDescriptor.Exports::source).containsExactly("dev.berth");
    // The extension's launcher listener (connecting to the engine ahead) is a service its module provides.
    assertThat(modules.get("dev.berth.junit").provides()).anySatisfy(p ->
        assertThat(p.service()).isEqualTo("org.junit.platform.launcher.LauncherSessionListener"));
  }
}
