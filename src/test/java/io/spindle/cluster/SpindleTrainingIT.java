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
 * completion, and again with one executor SIGKILLed mid-training, ending within half a point of
 * the undisturbed accuracy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpindleTrainingIT {

  private static StandaloneCluster cluster;
  private static double undisturbedAccuracy = Double.NaN;

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

  /** A small MLP job: 8,000 training images, 2 epochs, 4 partitions over the 2 executors. */
  private static Submission job(Path output) {
    Path project = StandaloneCluster.projectDir();
    List<String> args = new ArrayList<>(List.of("train",
        "--config", project.resolve("conf/mlp-mnist.conf").toString(),
        "--output", output.toString()));
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

    JsonNode s = summary(output);
    assertEquals(cluster.masterUrl(), s.path("master").asText());
    assertEquals(4, s.path("partitions").asInt());
    assertEquals(2, s.path("epochs").asInt());
    assertEquals(2 * 125, s.path("iterations").asInt(), "8000 / 64 = 125 iterations per epoch");
    assertEquals(8000, s.path("config").path("data").path("limit").asInt());
    undisturbedAccuracy = s.path("test_accuracy").asDouble();
    assertTrue(undisturbedAccuracy > 0.85, "test accuracy " + undisturbedAccuracy);
    assertEquals(s.path("parameters").asInt(),
        SpindleModel.load(output.resolve("model")).params().length);
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
    double accuracy = summary(output).path("test_accuracy").asDouble();
    assertEquals(undisturbedAccuracy, accuracy, 0.005,
        "accuracy with a killed executor vs undisturbed");
  }
}
