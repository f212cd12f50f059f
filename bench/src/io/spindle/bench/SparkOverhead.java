package io.spindle.bench;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Adam;
import io.spindle.optim.LearningRateSchedule;
import io.spindle.spark.BlockRdds;
import io.spindle.spark.DistributedBlocks;
import io.spindle.spark.SparkSync;
import io.spindle.spark.SyncMode;
import io.spindle.train.GradientSource;
import io.spindle.train.Metrics;
import io.spindle.train.Progress;
import io.spindle.train.Trainer;
import io.spindle.train.TrainingContext;
import io.spindle.train.TrainingListener;
import io.spindle.train.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.storage.StorageLevel;

/**
 * Per-iteration cost of distributed training split into compute (the longest task of the
 * iteration's job, from Spark's task metrics) and Spark overhead (the job's wall time on the
 * driver, broadcast and reduce included, minus that compute), for several global batch sizes
 * and local masters; plus images/s and the speed-up of local[2] over local[1].
 *
 * <p>Each figure is the median over the measured iterations (overhead: median of job minus
 * longest task; compute: median job minus median overhead).
 *
 * <p>Each row first trains for a warm-up time, so the JIT has compiled the Vector-API kernels
 * (40 warm-up iterations left LeNet-5's tasks at twice their steady-state time), then measures.
 *
 * <p>Both synchronization modes are measured the same way: the iteration is the driver's wall
 * time in the gradient source; compute is the slowest worker's time on the iteration (the
 * longest task of the iteration's job, or the slowest barrier task's time from receiving the
 * weights to sending its partials); overhead is the rest.
 *
 * <p>Args: networks (comma list of lenet5, mlp, cnn1m, mlp10m), batches (comma list),
 * masters (comma list), warm-up seconds per row, measured iterations, optionally a file to
 * append one JSON line per row to (or "-"), sync modes (comma list of job, barrier; default
 * job), and partition counts (comma list; 0, the default, = the master's parallelism).
 */
public final class SparkOverhead {

  record Row(String network, long params, String master, String sync, int partitions, int batch,
      int iterations, double iterationMs, double jobMs, double computeMs,
      double imagesPerSecond) {
    double overheadMs() {
      return jobMs - computeMs;
    }
  }

  public static void main(String[] args) throws Exception {
    String[] nets = (args.length > 0 ? args[0] : "lenet5").split(",");
    int[] batches = java.util.Arrays.stream((args.length > 1 ? args[1] : "64,128,256,512")
        .split(",")).mapToInt(Integer::parseInt).toArray();
    String[] masters = (args.length > 2 ? args[2] : "local[1],local[2]").split(",");
    double warmup = args.length > 3 ? Double.parseDouble(args[3]) : 10;
    int measured = args.length > 4 ? Integer.parseInt(args[4]) : 40;
    java.nio.file.Path json = args.length > 5 && !args[5].equals("-")
        ? java.nio.file.Path.of(args[5]) : null;
    String[] modes = (args.length > 6 ? args[6] : "job").split(",");
    int[] partitionCounts = java.util.Arrays.stream((args.length > 7 ? args[7] : "0")
        .split(",")).mapToInt(Integer::parseInt).toArray();
    BenchSupport.header("Spark overhead: " + String.join(", ", nets) + "; " + warmup
        + " s of warm-up + " + measured + " measured iterations per row");
    ExampleBlock train = BenchSupport.train(Integer.MAX_VALUE).block();

    List<Row> rows = new ArrayList<>();
    for (String master : masters) {
      try (JavaSparkContext sc = BenchSupport.spark(master, "spindle-spark-overhead")) {
        TaskTimes tasks = new TaskTimes();
        sc.sc().addSparkListener(tasks);
        awaitExecutors(sc, master, java.util.Arrays.stream(partitionCounts).max().orElse(0));
        for (int partitionCount : partitionCounts) {
          int partitions = partitionCount > 0 ? partitionCount : sc.defaultParallelism();
          DistributedBlocks data = BlockRdds.distribute(sc, train, partitions,
              StorageLevel.MEMORY_AND_DISK());
          JavaRDD<ExampleBlock> blocks = data.rdd();
          for (String net : nets) {
            NetworkSpec spec = BenchSupport.network(net);
            for (int batch : batches) {
              // Modes interleaved within each row's setting: the same machine state for both.
              for (String mode : modes) {
                Row r = measure(sc, net, master, SyncMode.parse(mode), partitions, spec, blocks,
                    batch, warmup, measured, tasks);
                rows.add(r);
                System.out.printf(Locale.ROOT, "  measured %s (%d parameters) %s %s %d"
                    + " partitions batch %d: %.1f ms/iteration, %.1f ms compute%n", net,
                    spec.paramCount(), master, mode, partitions, batch, r.iterationMs(),
                    r.computeMs());
                if (json != null) {
                  java.nio.file.Files.writeString(json, String.format(Locale.ROOT,
                      "{\"network\":\"%s\",\"params\":%d,\"master\":\"%s\",\"sync\":\"%s\","
                          + "\"partitions\":%d,\"batch\":%d,"
                          + "\"iterations\":%d,\"iteration_ms\":%.3f,\"job_ms\":%.3f,"
                          + "\"compute_ms\":%.3f,\"overhead_ms\":%.3f,\"images_per_s\":%.1f}%n",
                      net, r.params(), master, r.sync(), partitions, batch, r.iterations(),
                      r.iterationMs(), r.jobMs(), r.computeMs(), r.overheadMs(),
                      r.imagesPerSecond()),
                      java.nio.file.StandardOpenOption.CREATE,
                      java.nio.file.StandardOpenOption.APPEND);
                }
              }
            }
          }
          data.close();
        }
      }
    }

    System.out.printf(Locale.ROOT,
        "%n%-8s %9s %-9s %-7s %5s %6s %8s %9s %9s %10s %10s %9s %10s%n",
        "network", "params", "master", "sync", "parts",
        "batch", "iters", "iter ms", "job ms", "compute ms", "overhead", "overhd %",
        "images/s");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT,
          "%-8s %9d %-9s %-7s %5d %6d %8d %9.1f %9.1f %10.1f %10.1f %8.1f%% %10.0f%n",
          r.network(), r.params(), r.master(), r.sync(), r.partitions(), r.batch(),
          r.iterations(), r.iterationMs(), r.jobMs(), r.computeMs(),
          r.overheadMs(), 100 * r.overheadMs() / r.jobMs(), r.imagesPerSecond());
    }
    if (masters.length >= 2 && nets.length == 1 && modes.length == 1
        && partitionCounts.length == 1) {
      System.out.printf(Locale.ROOT, "%nspeed-up %s over %s (images/s):%n", masters[1],
          masters[0]);
      for (int batch : batches) {
        Row a = find(rows, masters[0], batch);
        Row b = find(rows, masters[1], batch);
        System.out.printf(Locale.ROOT, "  batch %4d: %.2fx%n", batch,
            b.imagesPerSecond() / a.imagesPerSecond());
      }
    }
  }

  /** On a cluster, waits (up to a minute) until one executor per partition has registered. */
  static void awaitExecutors(JavaSparkContext sc, String master, int executors)
      throws InterruptedException {
    if (!master.startsWith("spark://")) {
      return;
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (sc.sc().getExecutorMemoryStatus().size() - 1 < executors
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    System.out.printf(Locale.ROOT, "  %d executors registered%n",
        sc.sc().getExecutorMemoryStatus().size() - 1);
  }

  static Row find(List<Row> rows, String master, int batch) {
    return rows.stream().filter(r -> r.master().equals(master) && r.batch() == batch)
        .findFirst().orElseThrow();
  }

  static Row measure(JavaSparkContext sc, String net, String master, SyncMode mode,
      int partitions, NetworkSpec spec, JavaRDD<ExampleBlock> blocks, int batch, double warmup,
      int measured, TaskTimes tasks) throws Exception {
    List<long[]> iterations = new ArrayList<>(); // {iteration, job ns, iteration ns}
    List<Double> workerMs = new ArrayList<>(); // barrier mode: the slowest task's compute
    List<String> names = new ArrayList<>();
    long[] lastEnd = {0};
    long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
    try (GradientSource spark = SparkSync.open(sc, spec, blocks, batch, true, 1L, 2, mode)) {
      GradientSource timed = new GradientSource() {
        @Override
        public BatchSchedule schedule() {
          return spark.schedule();
        }

        @Override
        public Metrics accumulate(Progress p, float[] params, float[] gradSum) {
          long t0 = System.nanoTime();
          Metrics m = spark.accumulate(p, params, gradSum);
          long t1 = System.nanoTime();
          if (t0 >= warmupEnd) {
            iterations.add(new long[] {p.iteration(), t1 - t0, t1 - lastEnd[0]});
            names.add(p.describe());
            workerMs.add(spark.lastComputeMillis());
          }
          lastEnd[0] = t1;
          return m;
        }
      };
      TrainingListener enough = new TrainingListener() {
        @Override
        public void onIteration(TrainingContext ctx, Metrics batchMetrics) {
          if (iterations.size() >= measured) {
            ctx.requestStop("measured");
          }
        }
      };
      TrainingOptions options = TrainingOptions.builder().epochs(1_000_000).batchSize(batch)
          .logging(false).listener(enough).build();
      new Trainer(spec, Adam.adam(LearningRateSchedule.constant(1e-3), 0.9, 0.999, 1e-8, 0,
          spec.paramCount()),
          options).fit(timed, null, spec.initParams(1));
    }
    sc.sc().listenerBus().waitUntilEmpty(10_000);
    int n = iterations.size();
    double[] job = new double[n];
    double[] iter = new double[n];
    double[] compute = new double[n];
    double[] overhead = new double[n];
    for (int i = 0; i < n; i++) {
      long[] it = iterations.get(i);
      double longest;
      if (!Double.isNaN(workerMs.get(i))) {
        longest = workerMs.get(i);
      } else {
        Long perJob = tasks.longestTaskMs.get(names.get(i));
        if (perJob == null) {
          throw new IllegalStateException("no task metrics for job '" + names.get(i) + "'");
        }
        longest = perJob;
      }
      job[i] = it[1] / 1e6;
      iter[i] = it[2] / 1e6;
      compute[i] = longest;
      overhead[i] = job[i] - compute[i];
    }
    // Medians: robust to the other jobs on a shared machine.
    double iterMs = median(iter);
    return new Row(net, spec.paramCount(), master, mode.configValue(), partitions, batch, n,
        iterMs, median(job), median(job) - median(overhead), batch / (iterMs / 1000));
  }

  static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  /** Longest task run time (ms) per job description. */
  static final class TaskTimes extends SparkListener {
    final Map<Integer, String> stageToJobName = new ConcurrentHashMap<>();
    final Map<String, Long> longestTaskMs = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart job) {
      String name = job.properties() == null ? null
          : job.properties().getProperty("spark.job.description");
      if (name != null) {
        for (Object stage : scala.collection.JavaConverters.seqAsJavaList(job.stageIds())) {
          stageToJobName.put((Integer) stage, name);
        }
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
      String name = stageToJobName.get(task.stageId());
      if (name != null && task.taskMetrics() != null) {
        longestTaskMs.merge(name, task.taskMetrics().executorRunTime(), Math::max);
      }
    }
  }
}
