package io.spindle.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.io.SpindleModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The application jar on a real standalone cluster (a Master and two Workers as separate JVMs,
 * submitted through SparkSubmit in client mode): `spindle train` runs a small config to
 * completion; again with one executor SIGKILLed mid-training, ending within half a point of
 * the undisturbed accuracy; and with the driver SIGKILLed mid-training and resumed from its
 * checkpoints, ending with weights bit-for-bit equal to the undisturbed run's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpindleTrainingIT {

  private static StandaloneCluster cluster;
  private static double undisturbedAccuracy = Double.NaN;
  private static float[] undisturbedWeights;

  @BeforeAll
  static void startCluster() {
    cluster = StandaloneCluster.builder().workers(2).start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** What the driver logs when it trains with a barrier stage per epoch. */
  static final String BARRIER_LINE = "Synchronization: one barrier stage per epoch, 2 task(s)"
      + " over 4 partition(s)";

  /**
   * A small MLP job: 8,000 training images, 2 epochs, 4 partitions over the 2 executors, in
   * barrier mode ({@code spark.sync = barrier}: one barrier stage per epoch, two tasks of two
   * partitions each). {@code extra} are more CLI arguments (checkpoints, --resume, another
   * --set spark.sync).
   */
  private static Submission job(Path output, String... extra) {
    Path project = StandaloneCluster.projectDir();
    List<String> args = new ArrayList<>(List.of("train",
        "--config", project.resolve("conf/mlp-mnist.conf").toString(),
        "--output", output.toString()));
    args.addAll(List.of("--set", "spark.sync=barrier"));
    args.addAll(List.of(extra)); // later --set values win
    for (String set : List.of("data.limit=8000", "data.test-limit=2000", "training.epochs=2",
        "training.batch-size=64", "spark.partitions=4", "training.log-every-iterations=10",
        "data.train=" + project.resolve("data/mnist/train-images-idx3-ubyte.gz"),
        "data.test=" + project.resolve("data/mnist/t10k-images-idx3-ubyte.gz"))) {
      args.add("--set");
      args.add(set);
    }
    return Submission.spindleCli(args.toArray(String[]::new))
        .withConf("spark.locality.wait", "0s")
        .withTimeout(Duration.ofMinutes(4))
        .withName("spindle-train");
  }

  private static JsonNode summary(Path output) throws Exception {
    return new ObjectMapper().readTree(output.resolve("summary.json").toFile());
  }

  @Test
  @Order(1)
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void trainsASmallConfigToCompletion() throws Exception {
    Path output = cluster.baseDir().resolve("train-undisturbed");
    Driver driver = cluster.run(job(output));
    assertEquals(0, driver.awaitExit(Duration.ofSeconds(1)), driver.describe());
    assertTrue(driver.outputText().contains(BARRIER_LINE), driver.describe());

    JsonNode s = summary(output);
    assertEquals(cluster.masterUrl(), s.path("master").asText());
    assertEquals(4, s.path("partitions").asInt());
    assertEquals(2, s.path("epochs").asInt());
    assertEquals(2 * 125, s.path("iterations").asInt(), "8000 / 64 = 125 iterations per epoch");
    assertEquals(8000, s.path("config").path("data").path("limit").asInt());
    undisturbedAccuracy = s.path("test_accuracy").asDouble();
    assertTrue(undisturbedAccuracy > 0.85, "test accuracy " + undisturbedAccuracy);
    undisturbedWeights = SpindleModel.load(output.resolve("model")).params();
    assertEquals(s.path("parameters").asInt(), undisturbedWeights.length);
    assertTrue(Files.readAllLines(output.resolve("metrics.csv")).size() == 3, "header + 2 epochs");
  }

  @Test
  @Order(2)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void completesWithTheSameAccuracyWhenAnExecutorIsKilled() throws Exception {
    assertTrue(!Double.isNaN(undisturbedAccuracy), "needs the undisturbed run first");
    Path output = cluster.baseDir().resolve("train-killed-executor");
    Driver driver = cluster.submit(job(output));
    cluster.awaitExecutors(2, Duration.ofSeconds(60));
    driver.awaitOutput("epoch 1/2 step 30/", Duration.ofSeconds(180));

    StandaloneCluster.KilledExecutor killed = cluster.killOneExecutor();

    assertTrue(driver.isAlive(), "the kill must land mid-training\n" + driver.describe());
    assertEquals(0, driver.awaitExit(), driver.describe());
    assertTrue(driver.outputText().contains("Lost executor " + killed.executorId()),
        "the driver saw the executor die\n" + driver.describe());
    assertTrue(driver.outputText().contains(BARRIER_LINE), driver.describe());
    double accuracy = summary(output).path("test_accuracy").asDouble();
    assertEquals(undisturbedAccuracy, accuracy, 0.005,
        "accuracy with a killed executor vs undisturbed");
    // Spark reran the barrier stage; the iteration in flight was recomputed from the driver's
    // unchanged weights, and every partial is deterministic: the same weights, bit for bit.
    assertSameBits(SpindleModel.load(output.resolve("model")).params(), "killed executor");
  }

  @Test
  @Order(4)
  @Timeout(value = 9, unit = TimeUnit.MINUTES)
  void oneJobPerIterationEndsWithTheBarrierRunsWeightsOnTheCluster() throws Exception {
    assertTrue(undisturbedWeights != null, "needs the undisturbed run first");
    Path output = cluster.baseDir().resolve("train-per-job");
    // 250 Spark jobs, each paying the cluster's job latency: slow on a busy 2-core machine.
    Driver driver = cluster.run(job(output, "--set", "spark.sync=job")
        .withTimeout(Duration.ofMinutes(8)));
    assertEquals(0, driver.awaitExit(Duration.ofSeconds(1)), driver.describe());
    assertTrue(driver.outputText().contains("one Spark job per iteration (spark.sync = job)"),
        driver.describe());
    assertSameBits(SpindleModel.load(output.resolve("model")).params(), "spark.sync = job");
  }

  private static void assertSameBits(float[] weights, String what) {
    assertEquals(undisturbedWeights.length, weights.length, what);
    for (int i = 0; i < weights.length; i++) {
      if (Float.floatToIntBits(weights[i]) != Float.floatToIntBits(undisturbedWeights[i])) {
        throw new AssertionError(what + ": weight " + i + " is " + weights[i]
            + ", the undisturbed barrier run has " + undisturbedWeights[i]);
      }
    }
  }

  @Test
  @Order(3)
  @Timeout(value = 9, unit = TimeUnit.MINUTES)
  void aKilledDriverResumesFromItsCheckpointsToTheSameWeights() throws Exception {
    assertTrue(undisturbedWeights != null, "needs the undisturbed run first");
    Path checkpoints = cluster.baseDir().resolve("killed-driver-checkpoints");
    Driver killed = cluster.submit(job(cluster.baseDir().resolve("train-killed-driver"),
        "--set", "checkpoint.dir=" + checkpoints, "--set", "checkpoint.every-iterations=20"));
    // Progress lines come every 10 global iterations, so epoch 2 (125 iterations per epoch)
    // logs steps 5, 15, 25...: step 25 is iteration 150, after several checkpoints and with
    // epoch 2's shuffle state in the newest; the kill lands before the run ends (iteration 250).
    killed.awaitOutput("epoch 2/2 step 25/", Duration.ofSeconds(200));
    killed.kill();
    assertTrue(!killed.isAlive(), killed.describe());
    assertTrue(!Files.exists(cluster.baseDir().resolve("train-killed-driver/model/model.json")),
        "the driver died before saving a model");

    // The newest intact checkpoint, found here by its name's iteration (not by the store's
    // ordering, which the resume itself uses): the resume must start from it.
    io.spindle.io.CheckpointStore store =
        io.spindle.io.CheckpointStore.open(checkpoints.toString(), null);
    long newest = -1;
    try (var dirs = Files.list(checkpoints)) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().matches("ckpt-\\d+"))
          .sorted(java.util.Comparator.comparingLong(
              (Path d) -> Long.parseLong(d.getFileName().toString().substring(5))).reversed())
          .toList()) {
        try {
          newest = store.read(new org.apache.hadoop.fs.Path(dir.toUri())).iteration();
          break;
        } catch (java.io.IOException | RuntimeException e) {
          // half-written by the killed driver: the resume skips it too
        }
      }
    }
    assertTrue(newest > 0, "the killed run left an intact checkpoint after iteration 0");

    Path output = cluster.baseDir().resolve("train-resumed");
    Driver resumed = cluster.run(job(output, "--resume", checkpoints.toString()));
    assertEquals(0, resumed.awaitExit(Duration.ofSeconds(1)), resumed.describe());
    // Only a resume prints this line; a run that retrained from scratch would end on the same
    // bits too.
    String from = io.spindle.io.Checkpoint.name(newest) + ": iteration " + newest + " of 250";
    assertTrue(resumed.outputText().contains("spindle: resuming from ")
        && resumed.outputText().contains(from), "the run resumed from " + from + "\n"
        + resumed.describe());
    float[] weights = SpindleModel.load(output.resolve("model")).params();
    assertEquals(undisturbedWeights.length, weights.length);
    for (int i = 0; i < weights.length; i++) {
      if (Float.floatToIntBits(weights[i]) != Float.floatToIntBits(undisturbedWeights[i])) {
        throw new AssertionError("weight " + i + " after the resume is " + weights[i]
            + ", the undisturbed run has " + undisturbedWeights[i]);
      }
    }
  }
}
