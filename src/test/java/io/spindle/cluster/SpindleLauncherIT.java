package io.spindle.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spindle.cluster.jobs.ClusterProbeJob;
import io.spindle.cluster.jobs.ProbeJobJar;
import io.spindle.cluster.jobs.ProbeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code submit/spindle --master spark://...} against a real standalone cluster, through a
 * {@code bin/spark-submit} that builds the driver command with Spark's own launcher library: the
 * JVM flags must reach the driver JVM (spark.driver.extraJavaOptions) and the executors
 * (spark.executor.extraJavaOptions), and OPENBLAS_NUM_THREADS=1 both, with nothing set by the
 * caller. The probe job stands in for the CLI via SPINDLE_JAR / SPINDLE_MAIN_CLASS.
 */
class SpindleLauncherIT {

  /**
   * Local mode needs no Spark install: the launcher's embedded JVM (its flags, the application
   * jar and target/classpath.txt) runs a Spark job. SparkSubmit stands in for the CLI as main
   * class (arguments after "--" reach it unchanged) and runs the probe job in local[2].
   */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void localModeRunsSparkEmbeddedWithTheFlags() throws Exception {
    Path dir = Files.createDirectories(StandaloneCluster.projectDir().resolve("target/cluster-it"));
    Path work = Files.createTempDirectory(dir, "local-");
    Path probeJar = ProbeJobJar.build(work.resolve("probe-job.jar"));
    Path resultFile = work.resolve("local.result");
    List<String> command = List.of(
        StandaloneCluster.projectDir().resolve("submit/spindle").toString(), "--",
        "--master", "local[2]", "--conf", "spark.ui.enabled=false",
        "--jars", StandaloneCluster.appJar().toString(),
        "--class", ClusterProbeJob.class.getName(), probeJar.toString(),
        resultFile.toString(), "200", "4", "10", "0");
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPINDLE_MAIN_CLASS", "org.apache.spark.deploy.SparkSubmit");
    env.put("SPINDLE_JAR", StandaloneCluster.appJar().toString()); // as built; no rebuild here
    env.put("SPINDLE_DRIVER_MEMORY", "1g");
    env.put("SPARK_HOME", null);
    env.put("SPARK_LOCAL_IP", null); // the launcher must set these two
    env.put("OPENBLAS_NUM_THREADS", null);

    Processes.Result run = Processes.run(command, work, env, Duration.ofSeconds(90));

    assertEquals(0, run.exitCode(), run.output());
    ProbeResult result = ProbeResult.read(resultFile);
    assertEquals("local[2]", result.master());
    assertEquals("true", result.driver().get("vector"), "Vector API module: " + result);
    assertEquals("1", result.driver().get("openblas"), "OPENBLAS_NUM_THREADS: " + result);
    assertEquals(StandaloneCluster.projectDir().toRealPath().toString(), result.driver().get("home"));
    assertEquals(4, result.tasks().size());
    assertEquals(StandaloneClusterIT.sumOfSquares(200), result.totalSumOfSquares());
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void masterModeCarriesTheJvmFlagsToDriverAndExecutors() throws Exception {
    try (StandaloneCluster cluster = StandaloneCluster.builder().workers(2).start()) {
      Path probeJar = ProbeJobJar.build(cluster.baseDir().resolve("probe-job.jar"));
      Path resultFile = cluster.baseDir().resolve("launcher.result");
      List<String> command = List.of(
          StandaloneCluster.projectDir().resolve("submit/spindle").toString(),
          "--master", cluster.masterUrl(),
          "--jars", StandaloneCluster.appJar().toString(),
          "--conf", "spark.ui.enabled=false",
          "--executor-memory", "1g",
          resultFile.toString(), "200", "4", "200", "2");
      Map<String, String> env = new LinkedHashMap<>(cluster.environment());
      env.put("SPINDLE_JAR", probeJar.toString());
      env.put("SPINDLE_MAIN_CLASS", ClusterProbeJob.class.getName());
      env.put("SPINDLE_DRIVER_MEMORY", "1g");
      env.put("OPENBLAS_NUM_THREADS", null); // the launcher must set it

      Driver driver = cluster.startDriver(command, env, cluster.logDir().resolve("launcher.log"),
          Duration.ofMinutes(3));

      assertEquals(0, driver.awaitExit(), driver.describe());
      ProbeResult result = ProbeResult.read(resultFile);
      assertEquals(cluster.masterUrl(), result.master());
      assertEquals("true", result.driver().get("vector"), "Vector API module in the driver JVM");
      assertEquals("1", result.driver().get("openblas"), "OPENBLAS_NUM_THREADS in the driver");
      assertEquals(StandaloneCluster.projectDir().toRealPath().toString(),
          result.driver().get("home"), "spindle.home of the client-mode driver");
      assertEquals(4, result.tasks().size());
      assertEquals(StandaloneClusterIT.sumOfSquares(200), result.totalSumOfSquares());
      for (ProbeResult.Task task : result.tasks()) {
        assertEquals("true", task.setup().get("vector"), "Vector API module on executors: " + task);
        assertEquals("1", task.setup().get("openblas"), "OPENBLAS_NUM_THREADS on executors: " + task);
      }
    }
  }
}
