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
    ExampleBlock train = read(data.format(), trainPath, data.trainLabels(), "data.train-labels",
        data.limit());
    validate(train, trainPath, spec, "data.train");
    ExampleBlock test = null;
    Path testPath = null;
    if (data.hasTest()) {
      testPath = resolve(data.test(), "data.test");
      test = read(data.format(), testPath, data.testLabels(), "data.test-labels", data.testLimit());
      validate(test, testPath, spec, "data.test");
    }
    return new Loaded(train, trainPath, test, testPath);
  }

  /** Reads one data set (the test side of a job, for evaluate and predict). */
  public static ExampleBlock loadTest(JobConfig.Data data, NetworkSpec spec) {
    if (!data.hasTest()) {
      throw new SpindleConfigException("data.test", "data.test is empty; set it to the data to "
          + "evaluate, e.g. --set data.test=data/mnist/t10k-images-idx3-ubyte.gz");
    }
    Path path = resolve(data.test(), "data.test");
    ExampleBlock test = read(data.format(), path, data.testLabels(), "data.test-labels", data.testLimit());
    validate(test, path, spec, "data.test");
    return test;
  }

  private static ExampleBlock read(String format, Path path, String labels, String labelsKey, int limit) {
    // The registry of formats is JobConfig.DATA_FORMATS; mnist-idx is the only one so far.
    if (!format.equals("mnist-idx")) {
      throw new SpindleConfigException("data.format", "data.format '" + format + "' is not supported");
    }
    Path labelPath = labels.isEmpty() ? mnistLabelsFor(path) : resolve(labels, labelsKey);
    return MnistIdx.load(path, labelPath, limit == 0 ? MnistIdx.ALL : limit, true).block();
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

  /** Shapes, labels and values against the network, before anything is sent to Spark. */
  public static void validate(ExampleBlock block, Path file, NetworkSpec spec, String key) {
    if (block.count() == 0) {
      throw new IllegalArgumentException(key + ": " + file + " holds no examples; use a non-empty data set");
    }
    int expected = spec.inputShape().size();
    if (block.featureSize() != expected) {
      throw new SpindleConfigException("data.input-shape", "data.input-shape " + spec.inputShape()
          + " needs " + expected + " values per example, but the examples in " + file + " have "
          + block.featureSize() + "; set data.input-shape to match the data");
    }
    if (block.targetSize() != spec.targetSize()) {
      throw new IllegalArgumentException(key + ": " + file + " has " + block.targetSize()
          + " target values per example but the loss " + spec.loss().name() + " needs "
          + spec.targetSize() + "; check model.loss");
    }
    int bad = block.firstNonFinite();
    if (bad >= 0) {
      throw new IllegalArgumentException(key + ": example " + bad + " of " + file
          + " has a NaN or infinite feature; clean the data first");
    }
    if (spec.loss().isClassification() && spec.targetSize() == 1) {
      int classes = Math.max(2, spec.outputShape().size());
      for (int i = 0; i < block.count(); i++) {
        float label = block.target(i)[0];
        if (!(label >= 0 && label < classes) || label != Math.floor(label)) {
          throw new IllegalArgumentException(key + ": label " + label + " of example " + i
              + " in " + file + " is not a class in [0, " + classes + "); the last layer has "
              + spec.outputShape().size() + " units: widen it or fix the labels");
        }
      }
    }
  }
}
