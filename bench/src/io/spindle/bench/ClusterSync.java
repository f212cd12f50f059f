package io.spindle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.cluster.Driver;
import io.spindle.cluster.StandaloneCluster;
import io.spindle.cluster.Submission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Synchronization on a real standalone cluster on this machine (a master and single-core
 * workers, separate JVMs on 127.0.0.1), both {@code spark.sync} modes in one run.
 *
 * <ul>
 *   <li>{@code lenet}: LeNet-5 through the CLI, full MNIST training set, 2 epochs at global
 *       batch 64 on 2 executors, once per mode: images/s and test loss from summary.json.
 *   <li>{@code executors}: {@link SparkOverhead} on a tiny network (a 784x10 dense layer, where
 *       compute is negligible) submitted to clusters of 1, 2, 4 and 8 single-core executors,
 *       one partition per executor: the per-iteration cost of each mode as executors are added.
 * </ul>
 *
 * <p>Args: {@code lenet|executors|both}, a file to append JSON lines to, and for
 * {@code executors} the executor counts (default 1,2,4,8). Needs the application jar and
 * the bench jar (bench/cluster-sync.sh builds both).
 */
public final class ClusterSync {

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "both";
    Path json = Path.of(args.length > 1 ? args[1] : "target/cluster-sync.jsonl");
    String counts = args.length > 2 ? args[2] : "1,2,4,8";
    Path benchJar = Path.of(System.getProperty("spindle.bench.jar", "target/spindle-bench.jar"));
    BenchSupport.header("Synchronization on a loopback standalone cluster: " + what);
    if (what.equals("lenet") || what.equals("both")) {
      lenet(json);
    }
    if (what.equals("executors") || what.equals("both")) {
      for (String n : counts.split(",")) {
        executors(Integer.parseInt(n), json, benchJar);
      }
    }
  }

  static void lenet(Path json) throws Exception {
    try (StandaloneCluster cluster = StandaloneCluster.builder().workers(2).coresPerWorker(1)
        .workerMemory("2g").start()) {
      Path project = StandaloneCluster.projectDir();
      for (String mode : List.of("job", "barrier")) {
        Path out = cluster.baseDir().resolve("lenet-" + mode);
        List<String> cli = new ArrayList<>(List.of("train", "--config",
            project.resolve("conf/lenet5-mnist.conf").toString(), "--output", out.toString()));
        for (String set : List.of("training.epochs=2", "training.batch-size=64",
            "spark.partitions=2", "spark.sync=" + mode,
            "data.train=" + project.resolve("data/mnist/train-images-idx3-ubyte.gz"),
            "data.train-labels=" + project.resolve("data/mnist/train-labels-idx1-ubyte.gz"),
            "data.test=" + project.resolve("data/mnist/t10k-images-idx3-ubyte.gz"),
            "data.test-labels=" + project.resolve("data/mnist/t10k-labels-idx1-ubyte.gz"))) {
          cli.add("--set");
          cli.add(set);
        }
        Driver driver = cluster.run(Submission.spindleCli(cli.toArray(String[]::new))
            .withConf("spark.locality.wait", "0s").withDriverMemory("2g")
            .withTimeout(Duration.ofMinutes(15)).withName("lenet-" + mode));
        if (driver.awaitExit(Duration.ofSeconds(1)) != 0) {
          throw new IllegalStateException("the " + mode + " run failed:\n" + driver.describe());
        }
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        double imagesPerSecond = s.path("images_per_second").asDouble();
        System.out.printf(Locale.ROOT, "RESULT cluster lenet5 sync=%s: %.0f images/s, test loss"
            + " %.4f, test accuracy %.4f (%.0f images/s)%n", mode, imagesPerSecond,
            s.path("test_loss").asDouble(), s.path("test_accuracy").asDouble(),
            imagesPerSecond);
        Files.writeString(json, String.format(Locale.ROOT, "{\"bench\":\"cluster-lenet\","
            + "\"sync\":\"%s\",\"executors\":2,\"batch\":64,\"epochs\":2,\"images_per_s\":%.1f,"
            + "\"test_loss\":%.6f,\"test_accuracy\":%.5f,\"train_seconds\":%.2f}%n", mode,
            imagesPerSecond, s.path("test_loss").asDouble(), s.path("test_accuracy").asDouble(),
            s.path("train_seconds").asDouble()), StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    }
  }

  static void executors(int n, Path json, Path benchJar) throws Exception {
    try (StandaloneCluster cluster = StandaloneCluster.builder().workers(n).coresPerWorker(1)
        .workerMemory("1g").start()) {
      Path rows = cluster.baseDir().resolve("overhead.jsonl");
      Submission s = Submission.of(benchJar, "io.spindle.bench.SparkOverhead")
          .withJars(StandaloneCluster.appJar())
          .withArgs("tiny", "64", cluster.masterUrl(), "5", "200", rows.toString(),
              "job,barrier", String.valueOf(n))
          .withConf("spark.executor.memory", "512m")
          .withConf("spark.cores.max", String.valueOf(n))
          .withConf("spark.locality.wait", "0s")
          .withConf("spark.driver.extraJavaOptions", "-Dspindle.mnist="
              + StandaloneCluster.projectDir().resolve("data/mnist"))
          .withDriverMemory("2g").withTimeout(Duration.ofMinutes(10))
          .withName("overhead-" + n);
      Driver driver = cluster.run(s);
      if (driver.awaitExit(Duration.ofSeconds(1)) != 0) {
        throw new IllegalStateException(n + " executors: the run failed:\n" + driver.describe());
      }
      for (String line : Files.readAllLines(rows)) {
        JsonNode r = new ObjectMapper().readTree(line);
        System.out.printf(Locale.ROOT, "RESULT cluster tiny executors=%d sync=%s: %.2f ms per"
            + " iteration, %.2f ms compute (%.0f images/s)%n", n, r.path("sync").asText(),
            r.path("iteration_ms").asDouble(), r.path("compute_ms").asDouble(),
            r.path("images_per_s").asDouble());
        Files.writeString(json, line.replaceFirst("\\{", "{\"bench\":\"cluster-executors\","
            + "\"executors\":" + n + ",") + System.lineSeparator(), StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    }
  }
}
