package io.spindle.bench.dl4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * LeNet-5 on MNIST with Deeplearning4j, as a reference point for Spindle.
 *
 * <p>{@code --mode single}: one MultiLayerNetwork, {@code net.fit(DataSet)} per minibatch.
 * {@code --mode spark}: dl4j-spark's SparkDl4jMultiLayer with a ParameterAveragingTrainingMaster
 * that averages parameters and Adam state after every iteration. See bench/dl4j/README.md.
 */
public final class Dl4jLeNet {

  private static final int PIXELS = 28 * 28;
  private static final int CLASSES = 10;

  /** A problem the user can fix: printed as one line, no stack trace. */
  static final class BenchException extends RuntimeException {
    BenchException(String message) {
      super(message);
    }
  }

  public static void main(String[] args) {
    try {
      new Dl4jLeNet(Options.parse(args)).run();
    } catch (BenchException e) {
      System.err.println("dl4j-bench: " + e.getMessage());
      System.exit(2);
    } catch (Throwable e) {
      System.err.println("dl4j-bench: unexpected failure: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  // ---------------------------------------------------------------- options

  static final class Options {
    String mode = "single";
    int batch = 64;
    double lr = 0.001;
    int epochs = 3;
    double budgetSeconds = 180;
    double stopAt = 0.99;
    int evalsPerEpoch = 1;
    long seed = 1;
    String master = "local[2]";
    String data = "data/mnist";
    String out;
    int run = 0;
    int limit = 0;
    // Spark-mode tuning; the defaults were the fastest measured (bench/dl4j/README.md).
    String approach = "direct"; // Export writes every chunk to disk first: slower in local[2]
    int prefetch = 0; // prefetching 2 batches gained nothing
    // The chunk RDDs are built balanced (see epochChunks), so DL4J's per-iteration repartition
    // check would only add a Spark job (a count) to every iteration.
    String repartition = "never";
    int chunks = 20; // at least this many sparkNet.fit() calls per epoch (budget check points)

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i += 2) {
        String key = args[i];
        if (i + 1 >= args.length) {
          throw new BenchException("missing value after " + key);
        }
        String v = args[i + 1];
        try {
          switch (key) {
            case "--mode" -> o.mode = v;
            case "--batch" -> o.batch = Integer.parseInt(v);
            case "--lr" -> o.lr = Double.parseDouble(v);
            case "--epochs" -> o.epochs = Integer.parseInt(v);
            case "--budget-seconds" -> o.budgetSeconds = Double.parseDouble(v);
            case "--stop-at" -> o.stopAt = Double.parseDouble(v);
            case "--evals-per-epoch" -> o.evalsPerEpoch = Integer.parseInt(v);
            case "--seed" -> o.seed = Long.parseLong(v);
            case "--master" -> o.master = v;
            case "--data" -> o.data = v;
            case "--out" -> o.out = v;
            case "--run" -> o.run = Integer.parseInt(v);
            case "--limit" -> o.limit = Integer.parseInt(v);
            case "--approach" -> o.approach = v.toLowerCase(Locale.ROOT);
            case "--prefetch" -> o.prefetch = Integer.parseInt(v);
            case "--repartition" -> o.repartition = v.toLowerCase(Locale.ROOT);
            case "--chunks" -> o.chunks = Integer.parseInt(v);
            default -> throw new BenchException("unknown option " + key + " (see bench/dl4j/README.md)");
          }
        } catch (NumberFormatException e) {
          throw new BenchException("bad number for " + key + ": '" + v + "'");
        }
      }
      if (!o.mode.equals("single") && !o.mode.equals("spark")) {
        throw new BenchException("--mode must be single or spark, not '" + o.mode + "'");
      }
      if (o.batch < 1 || o.epochs < 1 || o.evalsPerEpoch < 1 || o.lr <= 0 || o.limit < 0
          || o.chunks < 1) {
        throw new BenchException(
            "--batch, --epochs, --evals-per-epoch, --chunks and --lr must be positive");
      }
      if (!o.approach.equals("export") && !o.approach.equals("direct")) {
        throw new BenchException("--approach must be export or direct");
      }
      if (!o.repartition.equals("always") && !o.repartition.equals("never")) {
        throw new BenchException("--repartition must be always or never");
      }
      return o;
    }
  }

  // ---------------------------------------------------------------- MNIST

  /** MNIST in its raw form: uint8 pixels and labels, row-major 28x28 images. */
  record Mnist(byte[] images, byte[] labels, int count) implements java.io.Serializable {

    static Mnist load(Path dir, String prefix, int limit) {
      byte[] images = readIdx(dir.resolve(prefix + "-images-idx3-ubyte.gz"), 2051, limit);
      byte[] labels = readIdx(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), 2049, limit);
      int n = labels.length;
      if (images.length != (long) n * PIXELS) {
        throw new BenchException(prefix + " images and labels disagree in count or image size");
      }
      return new Mnist(images, labels, n);
    }

    /** Reads an idx file (big-endian magic, dimension sizes, then uint8 data); limit 0 = all. */
    private static byte[] readIdx(Path file, int magic, int limit) {
      try (InputStream raw = Files.newInputStream(file);
           DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
        int m = in.readInt();
        if (m != magic) {
          throw new BenchException(file + ": not an MNIST idx file (magic " + m + ")");
        }
        int count = in.readInt();
        long itemSize = 1;
        for (int d = 0; d < (magic & 0xff) - 1; d++) {
          itemSize *= in.readInt();
        }
        int n = limit > 0 ? Math.min(limit, count) : count;
        byte[] data = new byte[Math.toIntExact(n * itemSize)];
        in.readFully(data);
        return data;
      } catch (NoSuchFileException e) {
        throw new BenchException("MNIST file not found: " + file + " (pass --data DIR)");
      } catch (IOException e) {
        throw new BenchException("cannot read " + file + ": " + e);
      }
    }

    int label(int i) {
      return labels[i];
    }

    /** A DataSet of the given examples: features [n, 784] scaled to [0,1], one-hot labels. */
    DataSet dataSet(int[] order, int from, int to) {
      int n = to - from;
      float[] x = new float[n * PIXELS];
      float[] y = new float[n * CLASSES];
      for (int r = 0; r < n; r++) {
        int e = order == null ? from + r : order[from + r];
        int base = e * PIXELS;
        for (int p = 0; p < PIXELS; p++) {
          x[r * PIXELS + p] = (images[base + p] & 0xff) / 255f;
        }
        y[r * CLASSES + labels[e]] = 1f;
      }
      return new DataSet(Nd4j.create(x, new long[] {n, PIXELS}, 'c'),
          Nd4j.create(y, new long[] {n, CLASSES}, 'c'));
    }
  }

  // ---------------------------------------------------------------- network

  /** Spindle's LeNet-5 (conf/lenet5-mnist.conf), NCHW 1x28x28, fed as flat rows of 784. */
  static MultiLayerConfiguration lenet5(double lr, long seed) {
    return new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .weightInit(WeightInit.RELU) // He normal: N(0, 2/fanIn), suits ReLU layers
        .updater(new Adam(lr, 0.9, 0.999, 1e-8))
        .convolutionMode(ConvolutionMode.Truncate) // explicit padding 2 keeps conv1 at 28x28
        .list()
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(6).stride(1, 1).padding(2, 2)
            .activation(Activation.RELU).build())                              // 6 x 28 x 28
        .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
            .build())                                                         // 6 x 14 x 14
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(16).stride(1, 1).padding(0, 0)
            .activation(Activation.RELU).build())                             // 16 x 10 x 10
        .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
            .build())                                                         // 16 x 5 x 5
        .layer(new DenseLayer.Builder().nOut(120).activation(Activation.RELU).build())
        .layer(new DenseLayer.Builder().nOut(84).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
            .activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutionalFlat(28, 28, 1))
        .build();
  }

  // ---------------------------------------------------------------- the run

  private final Options o;
  private final long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
  private Mnist train;
  private Mnist test;
  private List<DataSet> testBatches;
  private MultiLayerNetwork net;
  private final List<String> evals = new ArrayList<>();
  private long iterations;
  private long images;
  private double trainSeconds;
  /** CPU seconds of this process (all threads) while training: steadier than time on a shared box. */
  private double trainCpuSeconds;
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private double lastAccuracy = Double.NaN;
  private long lastEvalIterations = -1;
  private String threads = "";

  Dl4jLeNet(Options o) {
    this.o = o;
  }

  void run() throws IOException {
    Path dir = Path.of(o.data);
    train = Mnist.load(dir, "train", o.limit);
    test = Mnist.load(dir, "t10k", 0);
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    net = new MultiLayerNetwork(lenet5(o.lr, o.seed));
    net.init();
    checkShapes();
    // Test batches are built once; evaluation time is excluded from train_s anyway.
    testBatches = new ArrayList<>();
    for (int from = 0; from < test.count(); from += 1000) {
      testBatches.add(test.dataSet(null, from, Math.min(test.count(), from + 1000)));
    }
    threads = threadReport();
    System.out.printf(Locale.ROOT, "DL4J %s LeNet-5 (%d parameters), mode %s%s, %d training"
            + " images, batch %d, Adam %s, seed %d%nthreads: %s%nload average: %s%n", version(),
        net.numParams(), o.mode, o.mode.equals("spark") ? " " + o.master : "", train.count(),
        o.batch, o.lr, o.seed, threads, loadAverage());
    if (o.mode.equals("single")) {
      runSingle();
    } else {
      runSpark();
    }
    writeResult();
  }

  /** Fails fast if DL4J's shapes differ from Spindle's LeNet-5 (61,706 parameters). */
  private void checkShapes() {
    long expected = (6 * 25 + 6) + (16 * 6 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84)
        + (84 * 10 + 10);
    if (net.numParams() != expected) {
      throw new IllegalStateException("LeNet-5 has " + net.numParams() + " parameters, expected "
          + expected + ": conv/pool output sizes differ from 28/14/10/5");
    }
  }

  private int itersPerEpoch() {
    return (train.count() + o.batch - 1) / o.batch; // the last batch may be short, as in Spindle
  }

  /** True when evaluation number k (1-based) of the epoch falls after the given iteration. */
  private boolean evalDue(int iterInEpoch) {
    int per = itersPerEpoch();
    for (int k = 1; k <= o.evalsPerEpoch; k++) {
      if (iterInEpoch == Math.max(1, (int) Math.round((double) k * per / o.evalsPerEpoch))) {
        return true;
      }
    }
    return false;
  }

  private int[] shuffled(Random rnd) {
    int[] order = new int[train.count()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) { // Fisher-Yates
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private void runSingle() {
    Random rnd = new Random(o.seed);
    int per = itersPerEpoch();
    boolean stop = false;
    for (int epoch = 0; epoch < o.epochs && !stop; epoch++) {
      int[] order = shuffled(rnd);
      for (int it = 0; it < per && !stop; it++) {
        long t0 = System.nanoTime();
        long c0 = os.getProcessCpuTime();
        int from = it * o.batch;
        int to = Math.min(train.count(), from + o.batch);
        net.fit(train.dataSet(order, from, to));
        trainSeconds += (System.nanoTime() - t0) / 1e9;
        trainCpuSeconds += (os.getProcessCpuTime() - c0) / 1e9;
        iterations++;
        images += to - from;
        if (evalDue(it + 1)) {
          stop = evaluate() >= o.stopAt && o.stopAt > 0;
        }
        if (trainSeconds >= o.budgetSeconds) {
          stop = true;
        }
      }
    }
    if (lastEvalIterations != iterations) {
      evaluate();
    }
  }

  private void runSpark() {
    SparkConf conf = new SparkConf().setMaster(o.master).setAppName("dl4j-lenet")
        .set("spark.ui.enabled", "false");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      int workers = sc.defaultParallelism(); // local[2]: two Spark tasks train in parallel
      if (o.batch % workers != 0) {
        throw new BenchException("--batch " + o.batch + " must divide evenly over " + workers
            + " Spark workers");
      }
      int perWorker = o.batch / workers;
      int lastBatch = train.count() % o.batch;
      if (lastBatch > 0 && lastBatch < workers) {
        throw new BenchException("the epoch's last batch (" + lastBatch + " images) is smaller"
            + " than the " + workers + " workers: pick another --limit");
      }
      // Raw bytes go to the executors once; each epoch's minibatches are built there.
      Broadcast<Mnist> data = sc.broadcast(train);
      ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(perWorker)
          .batchSizePerWorker(perWorker)
          .averagingFrequency(1)
          .saveUpdater(true) // Adam's moments are averaged too
          .workerPrefetchNumBatches(o.prefetch)
          .rddTrainingApproach(o.approach.equals("direct") ? RDDTrainingApproach.Direct
              : RDDTrainingApproach.Export)
          // The chunk RDDs below are cached deserialized; Direct persists with this level.
          .storageLevel(StorageLevel.MEMORY_ONLY())
          .repartionData(o.repartition.equals("never") ? Repartition.Never : Repartition.Always)
          .rngSeed(o.seed)
          .build();
      SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, tm);

      Random rnd = new Random(o.seed);
      int per = itersPerEpoch();
      // Chunks: a whole number per evaluation, so evaluations fall on chunk boundaries.
      int evalEvery = Math.max(1, (o.chunks + o.evalsPerEpoch - 1) / o.evalsPerEpoch);
      if (o.evalsPerEpoch * evalEvery > per) { // tiny --limit: no empty chunks
        evalEvery = Math.max(1, per / o.evalsPerEpoch);
      }
      int chunks = Math.min(per, o.evalsPerEpoch * evalEvery);
      boolean stop = false;
      for (int epoch = 0; epoch < o.epochs && !stop; epoch++) {
        long p0 = System.nanoTime();
        List<JavaRDD<DataSet>> rdds = epochChunks(sc, data, shuffled(rnd), workers, chunks);
        System.out.printf(Locale.ROOT, "epoch %d: %d chunks of cached minibatches built in %.1f s"
            + " (not counted as training)%n", epoch + 1, chunks, (System.nanoTime() - p0) / 1e9);
        for (int c = 0; c < chunks && !stop; c++) {
          int itFrom = (int) ((long) c * per / chunks);
          int itTo = (int) ((long) (c + 1) * per / chunks);
          long t0 = System.nanoTime();
          long c0 = os.getProcessCpuTime();
          sparkNet.fit(rdds.get(c));
          trainSeconds += (System.nanoTime() - t0) / 1e9;
          trainCpuSeconds += (os.getProcessCpuTime() - c0) / 1e9;
          iterations += itTo - itFrom;
          images += Math.min(train.count(), (long) itTo * o.batch) - (long) itFrom * o.batch;
          rdds.get(c).unpersist(false);
          net = sparkNet.getNetwork();
          if ((c + 1) % evalEvery == 0) {
            stop = evaluate() >= o.stopAt && o.stopAt > 0;
          }
          if (trainSeconds >= o.budgetSeconds) {
            stop = true;
          }
        }
        rdds.forEach(r -> r.unpersist(false));
      }
      if (lastEvalIterations != iterations) {
        evaluate();
      }
      tm.deleteTempFiles(sc);
    }
  }

  /**
   * One epoch as {@code chunks} cached RDDs, in shuffled order. Each global batch becomes one
   * DataSet of batch/workers examples per worker, slice w in partition w of its chunk, so DL4J's
   * balanced split hands every worker exactly one minibatch per averaging round.
   */
  private List<JavaRDD<DataSet>> epochChunks(JavaSparkContext sc, Broadcast<Mnist> data,
      int[] order, int workers, int chunks) {
    int per = itersPerEpoch();
    int n = train.count();
    List<JavaRDD<DataSet>> rdds = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      List<List<int[]>> slices = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        slices.add(new ArrayList<>());
      }
      for (int it = (int) ((long) c * per / chunks); it < (long) (c + 1) * per / chunks; it++) {
        int from = it * o.batch;
        int size = Math.min(n, from + o.batch) - from; // the epoch's last batch may be short
        for (int w = 0; w < workers; w++) {
          slices.get(w).add(Arrays.copyOfRange(order, from + w * size / workers,
              from + (w + 1) * size / workers));
        }
      }
      List<int[]> all = new ArrayList<>();
      slices.forEach(all::addAll); // parallelize() cuts a list in order: slice w -> partition w
      JavaRDD<DataSet> rdd = sc.parallelize(all, workers)
          .map(idx -> data.value().dataSet(idx, 0, idx.length))
          .persist(StorageLevel.MEMORY_ONLY());
      rdd.count();
      rdds.add(rdd);
    }
    return rdds;
  }

  // ---------------------------------------------------------------- evaluation and output

  private double evaluate() {
    long e0 = System.nanoTime();
    long correct = 0;
    for (DataSet b : testBatches) {
      INDArray predicted = net.output(b.getFeatures(), false).argMax(1);
      INDArray actual = b.getLabels().argMax(1);
      correct += predicted.eq(actual).castTo(DataType.INT).sumNumber().longValue();
    }
    double acc = (double) correct / test.count();
    double wall = (System.currentTimeMillis() - jvmStart) / 1000.0;
    double epochs = (double) images / train.count();
    System.out.printf(Locale.ROOT, "epoch %.3f  iter %d  train %.1f s  wall %.1f s  test accuracy"
            + " %.4f  %.0f images/s  (training CPU %.1f s, evaluation %.1f s)%n", epochs, iterations,
        trainSeconds, wall, acc, images / trainSeconds, trainCpuSeconds,
        (System.nanoTime() - e0) / 1e9);
    evals.add(String.format(Locale.ROOT, "{\"epoch\":%.4f,\"iterations\":%d,\"train_s\":%.3f,"
        + "\"wall_s\":%.3f,\"test_accuracy\":%.4f}", epochs, iterations, trainSeconds, wall, acc));
    lastAccuracy = acc;
    lastEvalIterations = iterations;
    return acc;
  }

  private void writeResult() throws IOException {
    String json = String.format(Locale.ROOT, "{\"system\":\"dl4j\",\"mode\":\"%s\","
            + "\"version\":\"%s\",\"master\":\"%s\",\"run\":%d,\"batch\":%d,\"lr\":%s,\"seed\":%d,"
            + "\"epochs_planned\":%d,\"budget_s\":%s,\"iterations\":%d,\"images\":%d,"
            + "\"train_s\":%.3f,\"images_per_s\":%.1f,\"evals\":[%s],\"final_test_accuracy\":%.4f,"
            + "\"threads\":\"%s\"}",
        o.mode, version(), o.mode.equals("spark") ? o.master : "", o.run, o.batch, num(o.lr),
        o.seed, o.epochs, num(o.budgetSeconds), iterations, images, trainSeconds,
        images / trainSeconds, String.join(",", evals), lastAccuracy, threads.replace("\"", "'"));
    System.out.println("RESULT " + json);
    if (o.out != null) {
      Path out = Path.of(o.out);
      if (out.toAbsolutePath().getParent() != null) {
        Files.createDirectories(out.toAbsolutePath().getParent());
      }
      Files.writeString(out, json + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }

  /** A number as JSON: integral values without a fraction (180, not 180.0). */
  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
        : Double.toString(v);
  }

  private static String version() {
    Properties p = new Properties();
    try (InputStream in = Dl4jLeNet.class.getResourceAsStream(
        "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }

  /** The machine may be shared: the 1/5/15-minute load averages put a run's speed in context. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** What ND4J uses: its OpenMP pool size and the BLAS thread count, plus the env setting. */
  private String threadReport() {
    var env = Nd4j.getEnvironment();
    String s = String.format(Locale.ROOT, "nd4j maxThreads=%d maxMasterThreads=%d", env.maxThreads(),
        env.maxMasterThreads());
    try {
      s += " blasThreads=" + ((org.nd4j.linalg.api.blas.Blas) Nd4j.factory().blas()).getMaxThreads();
    } catch (RuntimeException | LinkageError e) {
      // not every backend reports it
    }
    s += " OMP_NUM_THREADS=" + System.getenv().getOrDefault("OMP_NUM_THREADS", "unset");
    s += " cores=" + Runtime.getRuntime().availableProcessors();
    if (o.mode.equals("spark")) {
      s += "; " + o.master + " runs one task per core at once, each using ND4J's pool; approach="
          + o.approach + " prefetch=" + o.prefetch + " repartition=" + o.repartition;
    }
    return s;
  }
}
