package io.spindle.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.cluster.JvmFlags;
import io.spindle.cluster.Processes;
import io.spindle.cluster.StandaloneCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit/spindle, run for real by bash in a copy of the repository layout, with stand-ins for
 * {@code java}, {@code mvn} and {@code spark-submit} that record their arguments and environment.
 * Checks the exact commands it builds; the run against a real cluster is SpindleLauncherIT.
 */
class LauncherTest {

  private static final String MAIN = "io.spindle.cli.SpindleCli";
  private static final String CLASSPATH = "/deps/spark-core.jar:/deps/config.jar";

  @TempDir Path tmp;
  private Path repo;
  private Path records;
  private Path fakeJdk;
  private Path fakeBin;
  private Path sparkHome;
  private Path jar;
  private List<String> flags;

  @BeforeEach
  void layOutRepository() throws IOException {
    Path project = StandaloneCluster.projectDir();
    repo = Files.createDirectories(tmp.resolve("repo with space"));
    records = Files.createDirectories(tmp.resolve("records"));
    copy(project.resolve("submit/spindle"), repo.resolve("submit/spindle"));
    copy(project.resolve("conf/jvm-flags.txt"), repo.resolve("conf/jvm-flags.txt"));
    copy(project.resolve("conf/log4j2.properties"), repo.resolve("conf/log4j2.properties"));
    copy(project.resolve("pom.xml"), repo.resolve("pom.xml"));
    write(repo.resolve("src/main/java/io/spindle/Example.java"), "class Example {}\n");
    flags = JvmFlags.parse(repo.resolve("conf/jvm-flags.txt"));
    String version = projectVersion(project.resolve("pom.xml"));
    jar = repo.resolve("target/spindle-" + version + ".jar");

    String recordArgs = "printf '%s\\n' \"$@\" > \"$RECORDS/$(basename \"$0\").args\"\n";
    String recordEnv = "for v in SPARK_LOCAL_IP OPENBLAS_NUM_THREADS; do"
        + " echo \"$v=${!v-unset}\"; done > \"$RECORDS/$(basename \"$0\").env\"\n";
    fakeJdk = tmp.resolve("jdk");
    executable(fakeJdk.resolve("bin/java"), "#!/usr/bin/env bash\n" + recordArgs + recordEnv
        + "echo fake-java-ran\n");
    fakeBin = tmp.resolve("bin");
    // Stands in for `mvn package`: makes the jar and classpath.txt in the current directory,
    // and prints the colour resets Maven 3.8 prints even with -B -q.
    executable(fakeBin.resolve("mvn"), "#!/usr/bin/env bash\n" + recordArgs
        + "pwd > \"$RECORDS/mvn.cwd\"\n"
        + "printf '\\033[0m\\033[0m'\n"
        + "mkdir -p target && echo jar > target/" + jar.getFileName()
        + " && printf '%s' '" + CLASSPATH + "' > target/classpath.txt\n");
    sparkHome = tmp.resolve("spark");
    executable(sparkHome.resolve("bin/spark-submit"), "#!/usr/bin/env bash\n" + recordArgs
        + recordEnv);
  }

  // --- local mode -----------------------------------------------------------------------------

  @Test
  void localModeRunsTheCliWithTheJvmFlagsFromAnyDirectory() throws IOException {
    prebuild();
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));

    Processes.Result result = launch(elsewhere, Map.of(),
        "train", "--config", "my jobs/a b.conf", "--set", "training.epochs=1", "--verbose");

    assertEquals(0, result.exitCode(), result.output());
    List<String> expected = new ArrayList<>(flags);
    expected.addAll(List.of("-Xmx4g", home(), log4j(), "-cp", jar + ":" + CLASSPATH, MAIN,
        "train", "--config", "my jobs/a b.conf", "--set", "training.epochs=1", "--verbose"));
    assertEquals(expected, recorded("java.args"));
    assertEquals(List.of("SPARK_LOCAL_IP=127.0.0.1", "OPENBLAS_NUM_THREADS=1"), recorded("java.env"));
    assertFalse(Files.exists(records.resolve("mvn.args")), "a fresh jar is not rebuilt");
  }

  @Test
  void localModeKeepsTheCallersSettings() throws IOException {
    prebuild();
    Map<String, String> env = Map.of("SPINDLE_DRIVER_MEMORY", "7g", "SPARK_LOCAL_IP", "10.1.2.3",
        "OPENBLAS_NUM_THREADS", "3", "SPINDLE_JAVA_OPTS", "-Dextra.one=1 -Dextra.two=2");

    Processes.Result result = launch(repo, env, "evaluate", "--conf", "spark.ui.enabled=false",
        "--model", "runs/m");

    assertEquals(0, result.exitCode(), result.output());
    List<String> expected = new ArrayList<>(flags);
    expected.addAll(List.of("-Xmx7g", home(), log4j(), "-Dspark.ui.enabled=false", "-Dextra.one=1",
        "-Dextra.two=2", "-cp", jar + ":" + CLASSPATH, MAIN, "evaluate", "--model", "runs/m"));
    assertEquals(expected, recorded("java.args"));
    assertEquals(List.of("SPARK_LOCAL_IP=10.1.2.3", "OPENBLAS_NUM_THREADS=3"), recorded("java.env"));
  }

  @Test
  void buildsTheJarOnFirstUseAndAgainOnlyWhenSourcesChange() throws IOException {
    Processes.Result first = launch(repo, Map.of(), "summary", "--config", "c.conf");
    assertEquals(0, first.exitCode(), first.output());
    assertEquals(List.of("-B", "-q", "-DskipTests", "package"), recorded("mvn.args"));
    assertEquals(List.of(repo.toRealPath().toString()), recorded("mvn.cwd"));
    assertTrue(recorded("java.args").contains("-cp"), "the CLI ran after the build");
    assertTrue(first.output().contains("spindle: building the application jar"), first.output());
    assertFalse(first.output().contains("\u001b"), "no colour codes: " + first.output());

    Files.delete(records.resolve("mvn.args"));
    Processes.Result second = launch(repo, Map.of(), "summary", "--config", "c.conf");
    assertEquals(0, second.exitCode(), second.output());
    assertFalse(Files.exists(records.resolve("mvn.args")), "an up-to-date jar is reused");

    Files.setLastModifiedTime(repo.resolve("src/main/java/io/spindle/Example.java"),
        FileTime.from(Instant.now().plusSeconds(60)));
    Processes.Result third = launch(repo, Map.of(), "summary", "--config", "c.conf");
    assertEquals(0, third.exitCode(), third.output());
    assertTrue(Files.exists(records.resolve("mvn.args")), "a changed source triggers a rebuild");
  }

  @Test
  void aGivenJarIsUsedWithoutBuildingWhenTheClasspathFileExists() throws IOException {
    write(repo.resolve("target/classpath.txt"), CLASSPATH); // no application jar at all
    Path given = tmp.resolve("other.jar");

    Processes.Result result = launch(repo, Map.of("SPINDLE_JAR", given.toString(),
        "SPINDLE_MAIN_CLASS", "org.example.Tool"), "arg");

    assertEquals(0, result.exitCode(), result.output());
    List<String> args = recorded("java.args");
    assertEquals(List.of("-cp", given + ":" + CLASSPATH, "org.example.Tool", "arg"),
        args.subList(args.size() - 4, args.size()));
    assertFalse(Files.exists(records.resolve("mvn.args")), "nothing to build");
  }

  @Test
  void sparkSubmitOptionsWithoutMasterAreRefused() throws IOException {
    prebuild();
    Processes.Result result = launch(repo, Map.of(), "train", "--deploy-mode", "cluster");
    assertEquals(2, result.exitCode(), result.output());
    assertTrue(result.output().contains("--deploy-mode is a spark-submit option and needs --master"),
        result.output());
    assertFalse(Files.exists(records.resolve("java.args")));
  }

  // --- --master: spark-submit -------------------------------------------------------------------

  @Test
  void masterHandsOverToSparkSubmitWithFlagsPassThroughAndCliArgs() throws IOException {
    prebuild();
    Processes.Result result = launch(repo, Map.of("SPARK_HOME", sparkHome.toString()),
        "train", "--config", "conf/lenet5-mnist.conf", "--master", "spark://host:7077",
        "--deploy-mode", "client", "--conf", "spark.locality.wait=0s", "--executor-memory=2g",
        "--conf", "spark.executor.extraJavaOptions=-Dmine=1", "--output", "runs/x", "--supervise");

    assertEquals(0, result.exitCode(), result.output());
    String joined = String.join(" ", flags);
    assertEquals(List.of(
        "--master", "spark://host:7077", "--class", MAIN,
        "--conf", "spark.driver.extraJavaOptions=" + joined + " \"" + home() + "\"",
        "--conf", "spark.executor.extraJavaOptions=" + joined + " -Dmine=1",
        "--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=1",
        "--conf", "spark.locality.wait=0s",
        "--deploy-mode", "client", "--executor-memory", "2g", "--supervise",
        jar.toString(),
        "train", "--config", "conf/lenet5-mnist.conf", "--output", "runs/x"),
        recorded("spark-submit.args"));
    assertFalse(Files.exists(records.resolve("java.args")), "no embedded run");
    // The driver's address is the cluster's business: SPARK_LOCAL_IP is not forced here.
    assertEquals(List.of("SPARK_LOCAL_IP=unset", "OPENBLAS_NUM_THREADS=1"),
        recorded("spark-submit.env"));
  }

  @Test
  void yarnAndKubernetesDriversGetOneBlasThreadToo() throws IOException {
    Map<String, String> env = Map.of("SPARK_HOME", sparkHome.toString(),
        "SPINDLE_JAR", "local:///opt/spindle/spindle.jar", "SPINDLE_DRIVER_MEMORY", "3g");

    Processes.Result yarn = launch(repo, env, "--master=yarn", "train");
    assertEquals(0, yarn.exitCode(), yarn.output());
    List<String> yarnArgs = recorded("spark-submit.args");
    assertTrue(yarnArgs.contains("spark.yarn.appMasterEnv.OPENBLAS_NUM_THREADS=1"), yarnArgs.toString());
    assertEquals(List.of("--driver-memory", "3g", "local:///opt/spindle/spindle.jar", "train"),
        yarnArgs.subList(yarnArgs.size() - 4, yarnArgs.size()));

    Processes.Result k8s = launch(repo, env, "--master", "k8s://https://api:6443", "train");
    assertEquals(0, k8s.exitCode(), k8s.output());
    assertTrue(recorded("spark-submit.args").contains(
        "spark.kubernetes.driverEnv.OPENBLAS_NUM_THREADS=1"));
    assertFalse(Files.exists(records.resolve("mvn.args")), "SPINDLE_JAR needs no build");
  }

  @Test
  void masterWithoutSparkHomeFailsClearly() throws IOException {
    prebuild();
    Map<String, String> unset = new HashMap<>();
    unset.put("SPARK_HOME", null);
    Processes.Result missing = launch(repo, unset, "--master", "spark://h:7077", "train");
    assertEquals(2, missing.exitCode(), missing.output());
    assertTrue(missing.output().startsWith("spindle: --master needs SPARK_HOME"), missing.output());
    assertEquals(1, missing.output().strip().lines().count(), "one line: " + missing.output());

    Processes.Result invalid = launch(repo, Map.of("SPARK_HOME", tmp.resolve("nowhere").toString()),
        "--master", "spark://h:7077", "train");
    assertEquals(2, invalid.exitCode(), invalid.output());
    assertTrue(invalid.output().contains("has no executable bin/spark-submit"), invalid.output());

    Processes.Result noUrl = launch(repo, Map.of("SPARK_HOME", sparkHome.toString()), "train",
        "--master");
    assertEquals(2, noUrl.exitCode(), noUrl.output());
    assertTrue(noUrl.output().contains("--master needs a URL"), noUrl.output());
    assertFalse(Files.exists(records.resolve("spark-submit.args")));
  }

  // --- help ---------------------------------------------------------------------------------

  @Test
  void helpPrintsTheLauncherUsageThenDefersToTheCli() throws IOException {
    prebuild();
    Processes.Result result = launch(repo, Map.of(), "--help");

    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().startsWith("Usage: submit/spindle"), result.output());
    assertTrue(result.output().contains("fake-java-ran"), "the CLI's help follows");
    List<String> args = recorded("java.args");
    assertEquals(List.of(MAIN, "--help"), args.subList(args.size() - 2, args.size()));
  }

  @Test
  void clusterDeployModeDoesNotPointTheRemoteDriverAtThisCheckout() throws IOException {
    prebuild();
    Processes.Result result = launch(repo, Map.of("SPARK_HOME", sparkHome.toString()),
        "--master", "yarn", "--deploy-mode=cluster", "train");
    assertEquals(0, result.exitCode(), result.output());
    List<String> args = recorded("spark-submit.args");
    assertTrue(args.contains("spark.driver.extraJavaOptions=" + String.join(" ", flags)), args.toString());
    assertTrue(containsInOrder(args, "--deploy-mode", "cluster"), args.toString());
  }

  // --- helpers ------------------------------------------------------------------------------

  /** The launcher passes its repository (symlinks resolved) as spindle.home. */
  private String home() throws IOException {
    return "-Dspindle.home=" + repo.toRealPath();
  }

  private String log4j() throws IOException {
    return "-Dlog4j.configurationFile=" + repo.toRealPath().resolve("conf/log4j2.properties");
  }

  private static boolean containsInOrder(List<String> list, String first, String second) {
    for (int i = 0; i + 1 < list.size(); i++) {
      if (list.get(i).equals(first) && list.get(i + 1).equals(second)) {
        return true;
      }
    }
    return false;
  }

  /** A jar and classpath.txt newer than every source, as after `mvn package`. */
  private void prebuild() throws IOException {
    write(jar, "jar\n");
    write(repo.resolve("target/classpath.txt"), CLASSPATH);
    FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
    Files.setLastModifiedTime(repo.resolve("src/main/java/io/spindle/Example.java"), old);
    Files.setLastModifiedTime(repo.resolve("pom.xml"), old);
  }

  private Processes.Result launch(Path workDir, Map<String, String> extraEnv, String... args) {
    List<String> command = new ArrayList<>();
    command.add(repo.resolve("submit/spindle").toString());
    command.addAll(List.of(args));
    Map<String, String> env = new HashMap<>();
    env.put("RECORDS", records.toString());
    env.put("JAVA_HOME", fakeJdk.toString());
    env.put("PATH", fakeBin + ":/usr/local/bin:/usr/bin:/bin");
    for (String name : List.of("SPARK_HOME", "SPARK_LOCAL_IP", "OPENBLAS_NUM_THREADS",
        "SPINDLE_DRIVER_MEMORY", "SPINDLE_JAVA_OPTS", "SPINDLE_JAR", "SPINDLE_MAIN_CLASS")) {
      env.put(name, null);
    }
    env.putAll(extraEnv);
    return Processes.run(command, workDir, env, Duration.ofSeconds(60));
  }

  private List<String> recorded(String name) throws IOException {
    return Files.readAllLines(records.resolve(name), StandardCharsets.UTF_8);
  }

  private static String projectVersion(Path pom) throws IOException {
    String text = Files.readString(pom, StandardCharsets.UTF_8);
    int start = text.indexOf("<version>") + "<version>".length();
    String version = text.substring(start, text.indexOf("</version>", start));
    assertNotEquals("", version);
    return version;
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static void executable(Path file, String script) throws IOException {
    write(file, script);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
