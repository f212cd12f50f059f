package io.spindle.bench;

import io.spindle.data.MnistIdx;
import io.spindle.ml.SpindleClassificationModel;
import io.spindle.ml.SpindleClassifier;
import io.spindle.spark.SparkConfs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Spindle's Spark ML estimator ({@link SpindleClassifier}) against Spark MLlib's
 * {@link MultilayerPerceptronClassifier} on MNIST, in one JVM and one SparkSession: the same
 * cached DataFrame ({@code features}: pixels scaled to [0, 1], {@code label}: 0.0 .. 9.0), the
 * same layer sizes 784-128-64-10 and the same number of epochs E for both.
 *
 * <ul>
 *   <li>Spindle: dense 128, relu, dense 64, relu, dense 10 with softmax-cross-entropy; Adam,
 *       learning rate 1e-3 (the estimator's defaults), global batch 128, E epochs, seed 42,
 *       partitions = the session's default parallelism (= the DataFrame's partitions, so the
 *       fit does not repartition).
 *   <li>MLlib: {@code setLayers(784, 128, 64, 10).setBlockSize(128).setMaxIter(E)
 *       .setSeed(42)} with its default solver l-bfgs and default tol (1e-6). MLlib's hidden
 *       layers are always sigmoid (not configurable), its output softmax with cross-entropy;
 *       the layer sizes and so the parameter count (109,386) are the same as Spindle's.
 * </ul>
 *
 * <p><b>Why maxIter = E is "E epochs".</b> l-bfgs is a full-batch method: each of its
 * iterations computes the loss and gradient over every training example (one
 * {@code treeAggregate} over the whole RDD, i.e. one pass over the data), then takes one
 * quasi-Newton step. So E l-bfgs iterations see each example E times, as E epochs of Spindle's
 * mini-batch Adam do. Strictly, breeze's l-bfgs also evaluates once at the starting point and its
 * line search may evaluate more than once in an iteration (and it may stop early on tol), so MLlib
 * makes at least E + 1 passes; the program counts the {@code treeAggregate} jobs of each MLlib
 * fit and prints them ("gradient passes") next to the iterations it reports.
 *
 * <p>Each fit's wall time is measured around {@code fit} alone: the data is loaded, cached and
 * counted before, and the test accuracy (MulticlassClassificationEvaluator, accuracy) is
 * computed after, untimed. Fits alternate Spindle, MLlib, Spindle, MLlib, ... so that load from
 * other jobs on a shared machine falls on both; the table gives the median over the runs with
 * the min-max spread.
 *
 * <p>Args: epochs (10), runs (3), training-example limit (60000), master (local[2]), MLlib
 * l-bfgs iterations for the equal-accuracy comparison (100), Spindle's global batch (128) and
 * Adam learning rate (1e-3), and a file to append one JSON line per fit to (none).
 */
public final class MlpVsMllib {

  static final long SEED = 42L;
  /** MLlib's block size (its default), and Spindle's global batch unless the args say. */
  static final int BATCH = 128;
  static final int[] LAYERS = {784, 128, 64, 10};
  static final String SPINDLE_NETWORK = "loss = softmax-cross-entropy\n"
      + "layers = [{type = dense, units = 128}, {type = relu}, {type = dense, units = 64},"
      + " {type = relu}, {type = dense, units = 10}]";
  static final double TARGET_SPEEDUP = 5.0;

  /** Fit wall times, test accuracies and notes of one system over the runs. */
  static final class Result {
    final String system;
    final List<Double> seconds = new ArrayList<>();
    final List<Double> accuracies = new ArrayList<>();
    String notes = "";

    Result(String system) {
      this.system = system;
    }
  }

  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int limit = args.length > 2 ? Integer.parseInt(args[2]) : 60_000;
    String master = args.length > 3 ? args[3] : "local[2]";
    int mllibLongIterations = args.length > 4 ? Integer.parseInt(args[4]) : 100;
    int spindleBatch = args.length > 5 ? Integer.parseInt(args[5]) : BATCH;
    double spindleLr = args.length > 6 ? Double.parseDouble(args[6]) : 1e-3;
    Fits fits = new Fits(args.length > 7 ? java.nio.file.Path.of(args[7]) : null);
    if (epochs < 1 || runs < 1 || limit < 1) {
      throw new IllegalArgumentException("epochs, runs and train-limit must be >= 1");
    }
    BenchSupport.header(String.format(Locale.ROOT, "Spindle SpindleClassifier vs MLlib "
        + "MultilayerPerceptronClassifier: MNIST, layers %s, %d epochs, %d runs, %s",
        Arrays.toString(LAYERS), epochs, runs, master));

    SparkConf conf = SparkConfs.withDefaults(new SparkConf().setMaster(master)
        .setAppName("spindle-mlp-vs-mllib").set("spark.ui.enabled", "false"));
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      int partitions = sc.defaultParallelism();
      spark.conf().set("spark.sql.shuffle.partitions", String.valueOf(partitions));
      Jobs jobs = new Jobs();
      sc.sc().addSparkListener(jobs);

      // Loading, scaling, caching and counting: before any timing.
      long t0 = System.nanoTime();
      Dataset<Row> train = frame(spark, sc,
          MnistIdx.readImages(BenchSupport.MNIST.resolve("train-images-idx3-ubyte.gz"), limit,
              true),
          MnistIdx.readLabels(BenchSupport.MNIST.resolve("train-labels-idx1-ubyte.gz"), limit,
              true), partitions).cache();
      Dataset<Row> test = frame(spark, sc,
          MnistIdx.readImages(BenchSupport.MNIST.resolve("t10k-images-idx3-ubyte.gz")),
          MnistIdx.readLabels(BenchSupport.MNIST.resolve("t10k-labels-idx1-ubyte.gz")),
          partitions).cache();
      long trainRows = train.count();
      long testRows = test.count();
      System.out.printf(Locale.ROOT, "data: %d training rows, %d test rows, %d partitions, "
          + "cached in %.1f s (not timed below)%n", trainRows, testRows, partitions,
          (System.nanoTime() - t0) / 1e9);

      SpindleClassifier spindle = new SpindleClassifier().setNetwork(SPINDLE_NETWORK)
          .setEpochs(epochs).setBatchSize(spindleBatch).setOptimizer("adam")
          .setLearningRate(spindleLr)
          .setSeed(SEED).setPartitions(partitions);
      // One l-bfgs iteration = one full pass over the data (see the class comment).
      MultilayerPerceptronClassifier mllib = new MultilayerPerceptronClassifier()
          .setLayers(LAYERS).setBlockSize(BATCH).setMaxIter(epochs).setSeed(SEED);
      MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator()
          .setMetricName("accuracy");

      Result s = new Result("Spindle (SpindleClassifier)");
      Result m = new Result("MLlib (MultilayerPerceptronClassifier)");
      for (int run = 1; run <= runs; run++) {
        long start = System.nanoTime();
        SpindleClassificationModel sm = spindle.fit(train);
        double sec = (System.nanoTime() - start) / 1e9;
        s.seconds.add(sec);
        s.accuracies.add(accuracy.evaluate(sm.transform(test)));
        s.notes = String.format(Locale.ROOT, "Adam lr %.0e, batch %d, relu; %d iterations, "
            + "trainer %.1f s of the fit", spindleLr, spindleBatch,
            sm.trainingResult().iterations(), sm.trainingResult().trainSeconds());
        fits.add("equal-epochs", "spindle", run, epochs, sec, s.accuracies.get(run - 1));
        System.out.printf(Locale.ROOT, "run %d/%d Spindle: fit %.2f s, test accuracy %.4f%n",
            run, runs, sec, s.accuracies.get(s.accuracies.size() - 1));

        sc.sc().listenerBus().waitUntilEmpty(10_000);
        jobs.reset();
        start = System.nanoTime();
        MultilayerPerceptronClassificationModel mm = mllib.fit(train);
        sec = (System.nanoTime() - start) / 1e9;
        sc.sc().listenerBus().waitUntilEmpty(10_000);
        int passes = jobs.treeAggregates.get();
        int allJobs = jobs.all.get();
        m.seconds.add(sec);
        m.accuracies.add(accuracy.evaluate(mm.transform(test)));
        int iterations = mm.hasSummary() ? mm.summary().totalIterations() : -1;
        m.notes = String.format(Locale.ROOT, "l-bfgs, block %d, sigmoid; %d iterations, %d "
            + "gradient passes, %d jobs", BATCH, iterations, passes, allJobs);
        fits.add("equal-epochs", "mllib", run, epochs, sec, m.accuracies.get(run - 1));
        System.out.printf(Locale.ROOT, "run %d/%d MLlib:   fit %.2f s, test accuracy %.4f "
            + "(%d l-bfgs iterations, %d gradient passes)%n", run, runs, sec,
            m.accuracies.get(m.accuracies.size() - 1), iterations, passes);
      }

      double ratio = median(m.seconds) / median(s.seconds);
      System.out.printf(Locale.ROOT, "%n| system | epochs | fit time s, median [min-max] of %d "
          + "| test accuracy | notes |%n|---|---:|---:|---:|---|%n", runs);
      for (Result r : List.of(s, m)) {
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f [%.2f-%.2f] | %s | %s |%n", r.system,
            epochs, median(r.seconds), min(r.seconds), max(r.seconds), accuracyText(r),
            r.notes);
      }
      System.out.printf(Locale.ROOT, "%nratio MLlib fit time / Spindle fit time (medians, this "
          + "run): %.2fx%n", ratio);
      boolean faster = ratio >= TARGET_SPEEDUP;
      boolean asGood = median(s.accuracies) >= median(m.accuracies);
      System.out.printf(Locale.ROOT, "target: Spindle >= %.0fx faster at equal or better "
          + "accuracy: %s (speed-up %.2fx %s %.0fx; accuracy %.4f %s %.4f)%n", TARGET_SPEEDUP,
          faster && asGood ? "MET" : "NOT MET", ratio, faster ? ">=" : "<", TARGET_SPEEDUP,
          median(s.accuracies), asGood ? ">=" : "<", median(m.accuracies));
      System.out.printf(Locale.ROOT, "(%d training examples, %d test examples, %s; %s)%n",
          trainRows, testRows, master, "times are fit() wall time, data loading excluded");

      equalAccuracy(spindle, mllib, train, test, accuracy, epochs, mllibLongIterations, runs,
          fits);
    } finally {
      spark.stop();
    }
  }

  /**
   * Equal epochs favour Spindle's accuracy (l-bfgs with sigmoid units gains little in 10 passes),
   * so the speed target is also judged at equal accuracy: MLlib gets {@code mllibIterations}
   * l-bfgs iterations; in the first run Spindle is fitted with 1, 2, ... epochs (up to
   * {@code maxEpochs}, one fit each) until its test accuracy reaches MLlib's; later runs repeat
   * both fits (MLlib's long one, Spindle's at that epoch count), so each time is a median of
   * {@code runs} fits. The ratio is MLlib's median fit time over Spindle's.
   */
  static void equalAccuracy(SpindleClassifier spindle, MultilayerPerceptronClassifier mllib,
      Dataset<Row> train, Dataset<Row> test, MulticlassClassificationEvaluator accuracy,
      int maxEpochs, int mllibIterations, int runs, Fits fits) {
    System.out.printf(Locale.ROOT, "%nAt equal accuracy: MLlib with %d l-bfgs iterations, then "
        + "Spindle with the fewest epochs (one fit each) that reach its accuracy; %d runs%n",
        mllibIterations, runs);
    mllib.setMaxIter(mllibIterations);
    Result m = new Result("MLlib");
    Result s = new Result("Spindle");
    int epochs = -1;
    for (int run = 1; run <= runs; run++) {
      long start = System.nanoTime();
      MultilayerPerceptronClassificationModel mm = mllib.fit(train);
      double sec = (System.nanoTime() - start) / 1e9;
      double acc = accuracy.evaluate(mm.transform(test));
      m.seconds.add(sec);
      m.accuracies.add(acc);
      fits.add("equal-accuracy", "mllib", run, mllibIterations, sec, acc);
      System.out.printf(Locale.ROOT, "run %d/%d MLlib: %d l-bfgs iterations, fit %.2f s, test "
          + "accuracy %.4f%n", run, runs, mm.hasSummary() ? mm.summary().totalIterations() : -1,
          sec, acc);
      int from = epochs > 0 ? epochs : 1;
      int to = epochs > 0 ? epochs : maxEpochs;
      for (int e = from; e <= to; e++) {
        start = System.nanoTime();
        SpindleClassificationModel sm = spindle.setEpochs(e).fit(train);
        double ssec = (System.nanoTime() - start) / 1e9;
        double sacc = accuracy.evaluate(sm.transform(test));
        System.out.printf(Locale.ROOT, "run %d/%d Spindle: %d epoch(s), fit %.2f s, test accuracy"
            + " %.4f%n", run, runs, e, ssec, sacc);
        if (sacc >= acc || epochs > 0) {
          epochs = e;
          s.seconds.add(ssec);
          s.accuracies.add(sacc);
          fits.add("equal-accuracy", "spindle", run, e, ssec, sacc);
          break;
        }
      }
      if (epochs < 0) {
        System.out.printf(Locale.ROOT, "Spindle did not reach MLlib's %.4f within %d epochs: NOT"
            + " MET%n", acc, maxEpochs);
        return;
      }
    }
    System.out.printf(Locale.ROOT, "%n| system | passes over the data | fit time s, median "
        + "[min-max] of %d | test accuracy |%n|---|---:|---:|---:|%n| Spindle | %d epoch(s) |"
        + " %.2f [%.2f-%.2f] | %s |%n| MLlib | %d l-bfgs iterations | %.2f [%.2f-%.2f] | %s |%n",
        runs, epochs, median(s.seconds), min(s.seconds), max(s.seconds), accuracyText(s),
        mllibIterations, median(m.seconds), min(m.seconds), max(m.seconds), accuracyText(m));
    double ratio = median(m.seconds) / median(s.seconds);
    System.out.printf(Locale.ROOT, "ratio at equal or better accuracy: %.2fx; target >= %.0fx: "
        + "%s%n", ratio, TARGET_SPEEDUP, ratio >= TARGET_SPEEDUP ? "MET" : "NOT MET");
  }

  /** One JSON line per fit, for bench/suite.sh's report. */
  static final class Fits {
    private final java.nio.file.Path out;

    Fits(java.nio.file.Path out) {
      this.out = out;
    }

    void add(String section, String system, int run, int passes, double seconds,
        double accuracy) {
      if (out == null) {
        return;
      }
      String line = String.format(Locale.ROOT, "{\"section\":\"%s\",\"system\":\"%s\","
          + "\"run\":%d,\"passes\":%d,\"fit_s\":%.3f,\"test_accuracy\":%.5f}%n", section,
          system, run, passes, seconds, accuracy);
      try {
        if (out.getParent() != null) {
          java.nio.file.Files.createDirectories(out.getParent());
        }
        java.nio.file.Files.writeString(out, line, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /**
   * features (dense Vector, pixels / 255) and label (double), in {@code partitions} partitions.
   *
   * <p>The pixels travel as one broadcast and the partitions hold only index ranges. Built with
   * {@code sc.parallelize(examples)} instead, every partition of the lineage would carry its
   * slice of the data, and every task of every job on the cached DataFrame (each Spindle
   * iteration, each MLlib pass) would ship it again: megabytes per task at full size.
   */
  static Dataset<Row> frame(SparkSession spark, JavaSparkContext sc, MnistIdx.Images images,
      MnistIdx.Labels labels, int partitions) {
    int size = LAYERS[0];
    if (images.count() != labels.count() || images.rows() * images.cols() != size) {
      throw new IllegalStateException("expected paired 28x28 MNIST files, got " + images.count()
          + " images of " + images.rows() + "x" + images.cols() + " and " + labels.count()
          + " labels");
    }
    int n = images.count();
    Broadcast<byte[]> pixels = sc.broadcast(images.pixels());
    byte[] labelBytes = new byte[n];
    for (int i = 0; i < n; i++) {
      labelBytes[i] = (byte) labels.label(i);
    }
    Broadcast<byte[]> classes = sc.broadcast(labelBytes);
    List<int[]> ranges = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ranges.add(new int[] {(int) ((long) n * p / partitions),
          (int) ((long) n * (p + 1) / partitions)});
    }
    JavaRDD<Row> rows = sc.parallelize(ranges, partitions).flatMap(r -> {
      byte[] px = pixels.value();
      byte[] lab = classes.value();
      List<Row> out = new ArrayList<>(r[1] - r[0]);
      for (int e = r[0]; e < r[1]; e++) {
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
          v[i] = (px[e * size + i] & 0xFF) / 255.0;
        }
        out.add(RowFactory.create(Vectors.dense(v), (double) (lab[e] & 0xFF)));
      }
      return out.iterator();
    });
    StructType schema = new StructType()
        .add("features", SQLDataTypes.VectorType(), false)
        .add("label", DataTypes.DoubleType, false);
    return spark.createDataFrame(rows, schema);
  }

  static String accuracyText(Result r) {
    double lo = min(r.accuracies);
    double hi = max(r.accuracies);
    return lo == hi ? String.format(Locale.ROOT, "%.4f", lo)
        : String.format(Locale.ROOT, "%.4f [%.4f-%.4f]", median(r.accuracies), lo, hi);
  }

  static double median(List<Double> v) {
    double[] c = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  static double min(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** Counts jobs, and the jobs that run a treeAggregate (MLlib's l-bfgs loss/gradient passes). */
  static final class Jobs extends SparkListener {
    final AtomicInteger all = new AtomicInteger();
    final AtomicInteger treeAggregates = new AtomicInteger();

    void reset() {
      all.set(0);
      treeAggregates.set(0);
    }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
      all.incrementAndGet();
      for (StageInfo stage : scala.collection.JavaConverters.seqAsJavaList(job.stageInfos())) {
        if (stage.name().contains("treeAggregate")) {
          treeAggregates.incrementAndGet();
          return;
        }
      }
    }
  }
}
