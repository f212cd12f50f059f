package io.spindle.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.cluster.jobs.ClusterProbeJob;
import io.spindle.cluster.jobs.ProbeJobJar;
import io.spindle.cluster.jobs.ProbeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The standalone-cluster harness against a real Master and two Workers (separate JVMs on
 * 127.0.0.1): a job submitted through SparkSubmit in client mode runs on both executors with the
 * shipped Spindle jar and the JDK flags, survives a SIGKILLed executor, and closing the cluster
 * leaves no process behind.
 */
class StandaloneClusterIT {

  private static final String PROBE = ClusterProbeJob.class.getName();
  private static StandaloneCluster cluster;
  private static Path probeJar;

  @BeforeAll
  static void startCluster() {
    cluster = StandaloneCluster.builder().workers(2).start();
    probeJar = ProbeJobJar.build(cluster.baseDir().resolve("probe-job.jar"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Submission probe(Path probeJar, Path resultFile, int n, int partitions, long taskMillis,
      int expectedExecutors) {
    return Submission.of(probeJar, PROBE)
        .withJars(StandaloneCluster.appJar())
        .withArgs(resultFile.toString(), Integer.toString(n), Integer.toString(partitions),
            Long.toString(taskMillis), Integer.toString(expectedExecutors))
        .withName("probe");
  }

  static long sumOfSquares(int n) {
    long sum = 0;
    for (long i = 1; i <= n; i++) {
      sum += i * i;
    }
    return sum;
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void jobRunsOnBothWorkersWithTheSpindleJarAndTheJdkFlags() {
    assertEquals(2, cluster.workerCount());
    assertEquals(2, cluster.aliveWorkerCount());
    Path resultFile = cluster.baseDir().resolve("smoke.result");

    Driver driver = cluster.run(probe(probeJar, resultFile, 200, 8, 300, 2));

    assertEquals(0, driver.awaitExit(Duration.ofSeconds(1)), driver.describe());
    ProbeResult result = ProbeResult.read(resultFile);
    assertEquals(cluster.masterUrl(), result.master());
    assertEquals(8, result.tasks().size(), "one report per partition");
    assertEquals(sumOfSquares(200), result.totalSumOfSquares(), "sum of squares via Spindle's Blas");
    assertEquals(2, result.executorIds().size(), "tasks ran on both workers' executors: " + result);
    for (ProbeResult.Task task : result.tasks()) {
      // Only spark.executor.extraJavaOptions / spark.executorEnv can have set these: the workers
      // run without OPENBLAS_NUM_THREADS and executors do not inherit the workers' JVM flags.
      assertEquals("true", task.setup().get("vector"), "Vector API module on executors: " + task);
      assertEquals("1", task.setup().get("openblas"), "OPENBLAS_NUM_THREADS on executors: " + task);
      assertNotEquals("Java11BLAS", task.setup().get("blas"), "not the slow pure-Java BLAS: " + task);
    }
    assertTrue(cluster.executors().isEmpty() || awaitNoExecutors(), "executors end with the app");
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void jobCompletesWithTheSameResultAfterAnExecutorIsKilled() throws Exception {
    Path resultFile = cluster.baseDir().resolve("kill.result");
    // 16 tasks of 1.5 s on 2 cores: about 12 s of work, so the kill lands mid-job.
    Driver driver = cluster.submit(probe(probeJar, resultFile, 200, 16, 1500, 2)
        .withConf("spark.locality.wait", "0s"));
    awaitFile(ProbeResult.runningMarker(resultFile), driver, Duration.ofSeconds(120));
    cluster.awaitExecutors(2, Duration.ofSeconds(30));
    driver.awaitOutput("Starting task ", Duration.ofSeconds(60)); // Spark's log: tasks are running

    StandaloneCluster.KilledExecutor killed = cluster.killOneExecutor();

    assertTrue(driver.isAlive(), "the kill must land while the job runs\n" + driver.describe());
    assertFalse(Files.exists(resultFile), "the job must not have finished before the kill");
    assertEquals(0, driver.awaitExit(), driver.describe());
    ProbeResult result = ProbeResult.read(resultFile);
    assertEquals(16, result.tasks().size());
    assertEquals(sumOfSquares(200), result.totalSumOfSquares());
    assertTrue(driver.outputText().contains("Lost executor " + killed.executorId()),
        "the driver saw executor " + killed.executorId() + " die\n" + driver.describe());
    assertFalse(ProcessHandle.of(killed.pid()).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void closeKillsEveryProcessEvenMidJob() throws Exception {
    List<ProcessHandle> started = new ArrayList<>();
    Driver driver;
    try (StandaloneCluster small = StandaloneCluster.builder().workers(1).start()) {
      Path resultFile = small.baseDir().resolve("abandoned.result");
      driver = small.submit(probe(probeJar, resultFile, 200, 40, 2000, 1));
      awaitFile(ProbeResult.runningMarker(resultFile), driver, Duration.ofSeconds(120));
      started.addAll(small.awaitExecutors(1, Duration.ofSeconds(30)));
      started.add(ProcessHandle.of(driver.pid()).orElseThrow());
      ProcessHandle.allProcesses()
          .filter(handle -> Processes.commandLine(handle).contains(small.sparkHome().toString()))
          .forEach(started::add);
      assertTrue(started.size() >= 4, "driver, executor, worker and master: " + started);
    }
    assertFalse(driver.isAlive());
    for (ProcessHandle handle : started) {
      assertFalse(handle.isAlive(), "still alive after close(): pid " + handle.pid());
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aFailedStartKillsWhatItStarted() {
    // 1 ms cannot be enough for a master JVM to answer: start() must fail and clean up.
    AssertionError error = assertThrows(AssertionError.class,
        () -> StandaloneCluster.builder().workers(1).startTimeout(Duration.ofMillis(1)).start());
    Matcher folder = Pattern.compile("cluster folder: (\\S+)").matcher(error.getMessage());
    assertTrue(folder.find(), error.getMessage());
    assertTrue(error.getMessage().contains("timed out waiting for the master"), error.getMessage());
    String sparkHome = Path.of(folder.group(1)).resolve("spark-home").toString();
    List<Long> left = ProcessHandle.allProcesses()
        .filter(handle -> Processes.commandLine(handle).contains(sparkHome))
        .map(ProcessHandle::pid).toList();
    assertEquals(List.of(), left, "processes of the failed cluster still running");
  }

  private static boolean awaitNoExecutors() {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (cluster.executors().isEmpty()) {
        return true;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  static void awaitFile(Path file, Driver driver, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file)) {
      if (!driver.isAlive()) {
        throw new AssertionError("the driver exited before writing " + file + "\n" + driver.describe());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + file + " within " + timeout + "\n" + driver.describe());
      }
      Thread.sleep(100);
    }
  }
}
