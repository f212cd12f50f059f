package io.spindle.cluster.jobs;

import io.spindle.tensor.Blas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A small Spark job for the cluster tests, submitted in a jar of its own with the Spindle
 * application jar in {@code --jars}. It reports, per task, where it ran and how that JVM was set
 * up, and computes the sum of squares of 1..n with Spindle's {@link Blas} on the executors (so the
 * application jar must have reached them).
 *
 * <p>Arguments: {@code RESULT_FILE N PARTITIONS TASK_MILLIS EXPECTED_EXECUTORS}. It waits for
 * {@code EXPECTED_EXECUTORS} executors to register, writes {@code RESULT_FILE.running}, runs the
 * job (each task sleeps {@code TASK_MILLIS} so tests can act mid-job), then writes the result
 * file atomically. See {@link ProbeResult} for its format.
 */
public final class ClusterProbeJob {

  private ClusterProbeJob() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: ClusterProbeJob RESULT_FILE N PARTITIONS TASK_MILLIS EXPECTED_EXECUTORS");
      System.exit(2);
    }
    Path resultFile = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    int partitions = Integer.parseInt(args[2]);
    long taskMillis = Long.parseLong(args[3]);
    int expectedExecutors = Integer.parseInt(args[4]);

    try (JavaSparkContext sc = new JavaSparkContext(new SparkConf())) {
      awaitExecutors(sc, expectedExecutors, 90_000);
      Files.writeString(ProbeResult.runningMarker(resultFile), "running\n", StandardCharsets.UTF_8);

      List<Integer> values = IntStream.rangeClosed(1, n).boxed().toList();
      List<String> tasks = sc.parallelize(values, partitions)
          .mapPartitionsWithIndex((index, it) -> List.of(probe(index, it, taskMillis)).iterator(), false)
          .collect();

      List<String> lines = new ArrayList<>();
      lines.add("master " + sc.master());
      lines.add("driver " + jvmSetup());
      lines.addAll(tasks);
      Path temporary = resultFile.resolveSibling(resultFile.getFileName() + ".tmp");
      Files.write(temporary, lines, StandardCharsets.UTF_8);
      Files.move(temporary, resultFile, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static void awaitExecutors(JavaSparkContext sc, int expected, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    // getExecutorInfos() includes the driver.
    while (sc.sc().statusTracker().getExecutorInfos().length - 1 < expected) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("only " + (sc.sc().statusTracker().getExecutorInfos().length - 1)
            + " of " + expected + " executors registered within " + timeoutMillis + " ms");
      }
      Thread.sleep(100);
    }
  }

  /** One task: "task INDEX EXECUTOR_ID SUM_OF_SQUARES vector=.. openblas=.. blas=..". */
  private static String probe(int index, Iterator<Integer> values, long taskMillis)
      throws InterruptedException {
    Thread.sleep(taskMillis);
    List<Integer> list = new ArrayList<>();
    values.forEachRemaining(list::add);
    float[] x = new float[Math.max(1, list.size())];
    for (int i = 0; i < list.size(); i++) {
      x[i] = list.get(i);
    }
    float[] dot = new float[1];
    // (1 x k) times (k x 1): the sum of squares, exact in float while it stays below 2^24.
    Blas.sgemm(false, false, 1, 1, list.size(), 1f, x, 0, 1, x, 0, Math.max(1, list.size()),
        0f, dot, 0, 1);
    return "task " + index + " " + SparkEnv.get().executorId() + " " + (long) dot[0] + " "
        + jvmSetup();
  }

  /**
   * How this JVM was started: the Vector API module, the BLAS thread count, the BLAS in use, the
   * spindle.home property (URL-encoded).
   */
  private static String jvmSetup() {
    boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    String openblas = System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "unset");
    String home = java.net.URLEncoder.encode(System.getProperty("spindle.home", "unset"),
        java.nio.charset.StandardCharsets.UTF_8);
    return "vector=" + vector + " openblas=" + openblas + " blas=" + Blas.backendName()
        + " home=" + home;
  }
}
