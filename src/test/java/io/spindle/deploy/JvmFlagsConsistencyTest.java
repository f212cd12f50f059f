package io.spindle.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.cluster.JvmFlags;
import io.spindle.cluster.StandaloneCluster;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One JVM flag list, four places: conf/jvm-flags.txt (read by submit/spindle and the examples),
 * the pom property {@code spindle.jvm.flags} (surefire/failsafe argLine), and
 * spark.driver/executor.extraJavaOptions in conf/spark-defaults.conf. They must not drift.
 */
class JvmFlagsConsistencyTest {

  private static final Path PROJECT = StandaloneCluster.projectDir();

  static List<String> pomFlags() throws IOException {
    String pom = Files.readString(PROJECT.resolve("pom.xml"), StandardCharsets.UTF_8);
    Matcher matcher = Pattern.compile("<spindle\\.jvm\\.flags>([^<]*)</spindle\\.jvm\\.flags>",
        Pattern.DOTALL).matcher(pom);
    assertTrue(matcher.find(), "pom.xml defines the property spindle.jvm.flags");
    return Arrays.asList(matcher.group(1).strip().split("\\s+"));
  }

  /** spark-defaults.conf as key -> value (Java-properties style: key, whitespace, value). */
  static Map<String, String> sparkDefaults() throws IOException {
    java.util.Properties properties = new java.util.Properties();
    try (var reader = Files.newBufferedReader(PROJECT.resolve("conf/spark-defaults.conf"))) {
      properties.load(reader);
    }
    java.util.Map<String, String> map = new java.util.TreeMap<>();
    properties.forEach((key, value) -> map.put(key.toString(), value.toString().strip()));
    return map;
  }

  @Test
  void theFlagFileListsTheVectorModuleAndSparksAddOpens() {
    List<String> flags = JvmFlags.list();
    assertTrue(flags.contains("--add-modules=jdk.incubator.vector"), flags.toString());
    assertTrue(flags.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), flags.toString());
    assertEquals(flags.size(), flags.stream().distinct().count(), "no duplicates: " + flags);
    flags.forEach(flag -> assertFalse(flag.contains(" "), "one flag per line: " + flag));
  }

  @Test
  void pomPropertyEqualsTheFlagFile() throws IOException {
    assertEquals(JvmFlags.list(), pomFlags(),
        "pom.xml <spindle.jvm.flags> and conf/jvm-flags.txt must list the same flags in order");
  }

  @Test
  void sparkDefaultsCarryTheSameFlagsForDriverAndExecutors() throws IOException {
    String expected = String.join(" ", JvmFlags.list());
    Map<String, String> defaults = sparkDefaults();
    assertEquals(expected, defaults.get("spark.driver.extraJavaOptions"));
    assertEquals(expected, defaults.get("spark.executor.extraJavaOptions"));
    assertEquals("1", defaults.get("spark.executorEnv.OPENBLAS_NUM_THREADS"));
  }

  @Test
  void thisTestJvmRunsWithTheFlags() {
    // Surefire's argLine is ${spindle.jvm.flags}: the list must actually reach the test JVMs.
    List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (String flag : JvmFlags.list()) {
      assertTrue(jvmArgs.contains(flag), flag + " missing from this JVM's arguments " + jvmArgs);
    }
    assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
  }
}
