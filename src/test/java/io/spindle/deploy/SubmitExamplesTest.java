package io.spindle.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.cluster.JvmFlags;
import io.spindle.cluster.Processes;
import io.spindle.cluster.StandaloneCluster;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.SparkLauncher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example scripts in submit/examples/ run against a bin/spark-submit that parses their
 * arguments with Spark's own launcher library (what a real spark-submit does first) and records
 * the command it would start, instead of starting it. Unknown options or malformed --conf fail
 * there, so the examples are valid spark-submit usage, and they carry the JVM flags.
 */
class SubmitExamplesTest {

  private static final Path PROJECT = StandaloneCluster.projectDir();
  private static final String MAIN = "io.spindle.cli.SpindleCli";

  @TempDir Path tmp;
  private Path sparkHome;
  private Path records;
  private Path jar;

  @BeforeEach
  void fakeSparkHome() throws IOException, URISyntaxException {
    sparkHome = tmp.resolve("spark");
    records = Files.createDirectories(tmp.resolve("records"));
    Path launcherJar = Path.of(SparkLauncher.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    Files.createDirectories(sparkHome.resolve("jars"));
    Files.createSymbolicLink(sparkHome.resolve("jars").resolve(launcherJar.getFileName()), launcherJar);
    Path submit = Files.createDirectories(sparkHome.resolve("bin")).resolve("spark-submit");
    Files.writeString(submit, """
        #!/usr/bin/env bash
        printf '%s\\n' "$@" > "$RECORDS/args"
        SPARK_HOME="$(cd "$(dirname "$0")/.." && pwd)" SPARK_SCALA_VERSION=2.12 \\
          "$JAVA" -cp "$(dirname "$0")/../jars/*" org.apache.spark.launcher.Main \\
          org.apache.spark.deploy.SparkSubmit "$@" > "$RECORDS/command" || exit
        # On bad arguments Spark's launcher prints the error and a `SparkSubmit --usage-error`
        # command, which spark-submit would run to fail with the usage text.
        ! grep -qa -- --usage-error "$RECORDS/command"
        """, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    jar = tmp.resolve("spindle.jar");
    Files.writeString(jar, "stand-in", StandardCharsets.UTF_8);
  }

  @Test
  void standaloneExampleIsClientModeWithTheFlagsInTheDriverJvm() throws IOException {
    List<String> command = runExample("standalone.sh", Map.of("MASTER", "spark://master:7077"),
        "--set", "training.epochs=1");

    List<String> java = command.subList(0, command.indexOf("org.apache.spark.deploy.SparkSubmit"));
    assertTrue(java.containsAll(JvmFlags.list()), "driver JVM flags: " + java);
    assertTrue(java.contains("-Xmx4g"), "driver memory: " + java);
    List<String> submit = submitArgs(command);
    assertTrue(containsInOrder(submit, "--master", "spark://master:7077"), submit.toString());
    assertTrue(containsInOrder(submit, "--deploy-mode", "client"), submit.toString());
    assertExecutorFlagsAndCli(submit, jar.toString(), "train", "--config",
        "conf/lenet5-mnist.conf", "--output", "runs/lenet5-mnist-standalone",
        "--set", "training.epochs=1");
  }

  @Test
  void yarnExampleIsClusterModeWithDataInHdfs() throws IOException {
    List<String> submit = submitArgs(runExample("yarn.sh", Map.of()));

    assertTrue(containsInOrder(submit, "--master", "yarn"), submit.toString());
    assertTrue(containsInOrder(submit, "--deploy-mode", "cluster"), submit.toString());
    assertTrue(containsInOrder(submit, "--conf", "spark.driver.extraJavaOptions="
        + String.join(" ", JvmFlags.list())), submit.toString());
    assertTrue(containsInOrder(submit, "--files", "conf/lenet5-mnist.conf,"
        + "hdfs:///data/mnist/train-images-idx3-ubyte.gz,hdfs:///data/mnist/train-labels-idx1-ubyte.gz,"
        + "hdfs:///data/mnist/t10k-images-idx3-ubyte.gz,hdfs:///data/mnist/t10k-labels-idx1-ubyte.gz"),
        submit.toString());
    assertExecutorFlagsAndCli(submit, jar.toString(), "train", "--config", "lenet5-mnist.conf",
        "--set", "data.train=train-images-idx3-ubyte.gz",
        "--set", "data.test=t10k-images-idx3-ubyte.gz",
        "--output", "/tmp/spindle-runs/lenet5-mnist");
  }

  @Test
  void kubernetesExampleRunsTheImageWithTheJarInside() throws IOException {
    List<String> submit = submitArgs(runExample("kubernetes.sh",
        Map.of("K8S_API", "https://k8s.example:6443", "IMAGE", "registry.example/spindle:1")));

    assertTrue(containsInOrder(submit, "--master", "k8s://https://k8s.example:6443"), submit.toString());
    assertTrue(containsInOrder(submit, "--deploy-mode", "cluster"), submit.toString());
    assertTrue(containsInOrder(submit, "--conf", "spark.kubernetes.container.image=registry.example/spindle:1"),
        submit.toString());
    assertExecutorFlagsAndCli(submit, "local:///opt/spindle/spindle.jar", "train", "--config",
        "/opt/spindle/conf/lenet5-mnist.conf",
        "--set", "data.train=/opt/spindle/data/mnist/train-images-idx3-ubyte.gz",
        "--set", "data.test=/opt/spindle/data/mnist/t10k-images-idx3-ubyte.gz",
        "--output", "/opt/spindle/runs/lenet5-mnist");
  }

  @Test
  void aMalformedOptionIsRejectedByTheSameCheck() throws IOException {
    // The check above must be able to fail: Spark's parser refuses an unknown option.
    Path script = tmp.resolve("bad.sh");
    Files.writeString(script, "#!/usr/bin/env bash\nexec \"$SPARK_HOME/bin/spark-submit\""
        + " --master yarn --executor-memroy 4g --class " + MAIN + " app.jar train\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Processes.Result result = Processes.run(List.of(script.toString()), PROJECT, environment(Map.of()),
        Duration.ofSeconds(60));
    assertTrue(result.exitCode() != 0, result.output());
    assertTrue(result.output().contains("--executor-memroy"), result.output());
  }

  // --- helpers ------------------------------------------------------------------------------

  private List<String> runExample(String name, Map<String, String> extraEnv, String... cliArgs)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(PROJECT.resolve("submit/examples").resolve(name).toString());
    command.addAll(Arrays.asList(cliArgs));
    Processes.Result result = Processes.run(command, tmp, environment(extraEnv),
        Duration.ofSeconds(60));
    assertEquals(0, result.exitCode(), name + " failed:\n" + result.output());
    String output = Files.readString(records.resolve("command"), StandardCharsets.UTF_8);
    // Spark's launcher prints a NUL marker line, then the command NUL-separated.
    List<String> words = new ArrayList<>(Arrays.asList(output.split("\0")));
    words.removeIf(word -> word.isBlank());
    words.replaceAll(String::strip);
    assertTrue(words.contains("org.apache.spark.deploy.SparkSubmit"), "a SparkSubmit command: " + words);
    assertTrue(!words.contains("--usage-error"), "Spark's parser accepted it: " + result.output());
    return words;
  }

  private Map<String, String> environment(Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("RECORDS", records.toString());
    env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.put("SPINDLE_JAR", jar.toString());
    env.put("USER", "tester");
    for (String name : List.of("MASTER", "CORES", "QUEUE", "EXECUTORS", "HDFS_DATA", "OUTPUT",
        "K8S_API", "IMAGE", "NAMESPACE")) {
      env.put(name, null);
    }
    env.putAll(extraEnv);
    return env;
  }

  /** The arguments handed to SparkSubmit, as Spark's launcher passes them on. */
  private static List<String> submitArgs(List<String> command) {
    return command.subList(command.indexOf("org.apache.spark.deploy.SparkSubmit") + 1, command.size());
  }

  private static void assertExecutorFlagsAndCli(List<String> submit, String appResource,
      String... cli) {
    assertTrue(containsInOrder(submit, "--conf", "spark.executor.extraJavaOptions="
        + String.join(" ", JvmFlags.list())), "executor flags: " + submit);
    assertTrue(containsInOrder(submit, "--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=1"),
        submit.toString());
    assertTrue(containsInOrder(submit, "--class", MAIN), submit.toString());
    int resource = submit.indexOf(appResource);
    assertTrue(resource > 0, "application resource " + appResource + " in " + submit);
    assertEquals(Arrays.asList(cli), submit.subList(resource + 1, submit.size()),
        "everything after the jar goes to the CLI");
  }

  private static boolean containsInOrder(List<String> list, String first, String second) {
    for (int i = 0; i + 1 < list.size(); i++) {
      if (list.get(i).equals(first) && list.get(i + 1).equals(second)) {
        return true;
      }
    }
    return false;
  }
}
