package io.spindle.data;

import io.spindle.config.JobConfig;
import io.spindle.config.SpindleConfigException;
import io.spindle.nn.NetworkSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a job's training and test sets into packed blocks and checks them against the network
 * before any Spark job runs: feature count against the input shape, labels against the output,
 * non-finite features, emptiness. Every message names the file and says what to change.
 */
public final class DataSources {

  private DataSources() {}

  /** Training and (optional, may be null) test examples. */
  public record Loaded(ExampleBlock train, Path trainPath, ExampleBlock test, Path testPath) {}

  public static Loaded load(JobConfig.Data data, NetworkSpec spec) {
    Path trainPath = resolve(data.train(), "data.train");
    Read train = read(data.format(), trainPath, data.trainLabels(), "data.train-labels",
        data.limit());
    validate(train.block(), trainPath, train.labels(), spec, "data.train");
    ExampleBlock test = null;
    Path testPath = null;
    if (data.hasTest()) {
      testPath = resolve(data.test(), "data.test");
      Read t = read(data.format(), testPath, data.testLabels(), "data.test-labels", data.testLimit());
      validate(t.block(), testPath, t.labels(), spec, "data.test");
      test = t.block();
    }
    return new Loaded(train.block(), trainPath, test, testPath);
  }

  /** Reads one data set (the test side of a job, for evaluate and predict). */
  public static ExampleBlock loadTest(JobConfig.Data data, NetworkSpec spec) {
    if (!data.hasTest()) {
      throw new SpindleConfigException("data.test", "data.test is empty; set it to the data to "
          + "evaluate, e.g. --set data.test=data/mnist/t10k-images-idx3-ubyte.gz");
    }
    Path path = resolve(data.test(), "data.test");
    Read test = read(data.format(), path, data.testLabels(), "data.test-labels", data.testLimit());
    validate(test.block(), path, test.labels(), spec, "data.test");
    return test.block();
  }

  /** A data set as read, and the file its labels came from (the data file itself for CSV). */
  private record Read(ExampleBlock block, Path labels) {}

  private static Read read(String format, Path path, String labels, String labelsKey, int limit) {
    // The registry of formats is JobConfig.DATA_FORMATS.
    int n = limit == 0 ? MnistIdx.ALL : limit;
    switch (format) {
      case "mnist-idx" -> {
        Path labelPath = labels.isEmpty() ? mnistLabelsFor(path) : resolve(labels, labelsKey);
        return new Read(MnistIdx.load(path, labelPath, n, true).block(), labelPath);
      }
      default -> throw new SpindleConfigException("data.format", "data.format '" + format
          + "' is not supported; use one of " + String.join(", ", JobConfig.DATA_FORMATS));
    }
  }

  /** train-images-idx3-ubyte.gz -> train-labels-idx1-ubyte.gz, as the MNIST files are named. */
  static Path mnistLabelsFor(Path images) {
    String name = images.getFileName().toString();
    if (!name.contains("images-idx3")) {
      throw new SpindleConfigException("data.train-labels", images + " is not named like an MNIST "
          + "images file (…images-idx3…); set data.train-labels / data.test-labels explicitly");
    }
    Path labels = images.resolveSibling(name.replace("images-idx3", "labels-idx1"));
    if (!Files.isRegularFile(labels)) {
      throw new SpindleConfigException("data.train-labels", "no labels file " + labels
          + " beside " + images + "; set data.train-labels / data.test-labels");
    }
    return labels;
  }

  /**
   * A data path as written in the config: relative to the working directory, or else to the
   * Spindle installation ({@code spindle.home}, set by submit/spindle), so the shipped configs
   * work from any directory.
   */
  public static Path resolve(String path, String key) {
    Path p = Path.of(path);
    if (Files.exists(p) || p.isAbsolute()) {
      return requireFile(p, key);
    }
    String home = System.getProperty("spindle.home");
    if (home != null && Files.exists(Path.of(home).resolve(p))) {
      return Path.of(home).resolve(p);
    }
    return requireFile(p, key);
  }

  private static Path requireFile(Path p, String key) {
    if (!Files.isRegularFile(p)) {
      throw new SpindleConfigException(key, key + ": no such file " + p
          + "; check the path (relative paths start at the current directory)");
    }
    return p;
  }

  /**
   * Refuses to split the training set into more partitions than it has examples (a partition
   * without examples would never contribute).
   *
   * @param partitions the partition count (0 = not known yet: nothing to check)
   * @param fromCores whether the count is the cluster's default (spark.partitions = 0)
   */
  public static void checkPartitions(Loaded data, int partitions, boolean fromCores) {
    int n = data.train().count();
    if (partitions > n) {
      throw new SpindleConfigException("spark.partitions", "data.train: " + data.trainPath()
          + " has only " + n + " examples but " + (fromCores
              ? "spark.partitions = 0 (one partition per core) " : "spark.partitions = " + partitions + " ")
          + "would split it into " + partitions + " partitions; set spark.partitions to at most "
          + n + " or use more data");
    }
  }

  /** Shapes, labels and values against the network, before anything is sent to Spark. */
  public static void validate(ExampleBlock block, Path file, NetworkSpec spec, String key) {
    validate(block, file, file, spec, key);
  }

  /**
   * As {@link #validate(ExampleBlock, Path, NetworkSpec, String)}, naming {@code labelFile} in
   * label errors (the idx labels file beside an images file).
   */
  public static void validate(ExampleBlock block, Path file, Path labelFile, NetworkSpec spec,
      String key) {
    if (block.count() == 0) {
      throw new IllegalArgumentException(key + ": " + file + " holds no examples; use a non-empty data set");
    }
    int expected = spec.inputShape().size();
    if (block.featureSize() != expected) {
      throw new SpindleConfigException("data.input-shape", key + ": the examples in " + file
          + " have " + block.featureSize() + " values each, but data.input-shape "
          + spec.inputShape() + " means " + expected + " per example; set data.input-shape to match the data"
          + " (or use the data the network was built for)");
    }
    if (block.targetSize() != spec.targetSize()) {
      throw new IllegalArgumentException(key + ": " + file + " has " + block.targetSize()
          + " target values per example but the loss " + spec.loss().name() + " needs "
          + spec.targetSize() + "; check model.loss");
    }
    long bad = block.firstNonFiniteValue();
    if (bad >= 0) {
      long example = bad / block.featureSize();
      long feature = bad % block.featureSize();
      throw new IllegalArgumentException(key + ": example " + example + " (row " + (example + 1)
          + ") of " + file + " has a NaN or infinite value in feature " + feature + " (column "
          + (feature + 1) + " of the features); clean the data (drop or impute the value) first");
    }
    if (spec.loss().isClassification() && spec.targetSize() == 1) {
      int classes = Math.max(2, spec.outputShape().size());
      for (int i = 0; i < block.count(); i++) {
        float label = block.target(i)[0];
        if (!(label >= 0 && label < classes) || label != Math.floor(label)) {
          throw new IllegalArgumentException(key + ": label " + label + " of example " + i
              + " (row " + (i + 1) + ") in " + labelFile + " is not a class in [0, " + classes
              + "); the last layer has " + spec.outputShape().size()
              + " units: widen it to the number of classes or fix the labels");
        }
      }
    }
  }
}
