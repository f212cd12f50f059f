package io.spindle.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.OptimizerSpec;
import java.util.List;
import java.util.Map;

/**
 * A whole job, typed and validated: what {@code spindle train} runs. Built from a config that
 * {@link ConfigLoader#load} resolved (defaults, file, --set overrides), so every key exists and
 * none is unknown; this class checks types and ranges, naming the key at fault.
 */
public record JobConfig(Config resolved, NetworkSpec network, OptimizerSpec optimizer,
    Data data, Training training, Spark spark, Checkpoint checkpoint) {

  /** mnist-idx is read by the driver; the others through Spark SQL (data.FrameSources). */
  public static final List<String> DATA_FORMATS = List.of("mnist-idx", "parquet", "csv",
      "libsvm", "image");
  public static final List<String> STORAGE_LEVELS = List.of("MEMORY_ONLY", "MEMORY_ONLY_SER",
      "MEMORY_AND_DISK", "MEMORY_AND_DISK_SER", "DISK_ONLY");

  /** Values of {@code spark.sync} (see {@code io.spindle.spark.SyncMode}). */
  public static final List<String> SYNC_MODES = List.of("auto", "barrier", "job");

  /**
   * Where the examples come from. Empty test = no validation set. The column keys apply to the
   * DataFrame formats (parquet, csv, libsvm, image); the labels files to mnist-idx.
   *
   * @param featuresCols numeric feature columns in order; empty = the vector column
   *     {@code featuresCol} when the data has it, else every column but the label
   */
  public record Data(String format, String train, String trainLabels, String test,
      String testLabels, int limit, int testLimit, String labelCol, String featuresCol,
      List<String> featuresCols, boolean csvHeader, String csvSeparator) {

    public Data {
      featuresCols = List.copyOf(featuresCols);
    }

    public boolean hasTest() {
      return !test.isEmpty();
    }

    /** Whether the format is read through Spark SQL (everything but mnist-idx). */
    public boolean isFrameFormat() {
      return !format.equals("mnist-idx");
    }
  }

  /** The trainer's schedule and cadence (the optimizer is separate). */
  public record Training(int epochs, int batchSize, long seed, boolean shuffle,
      int shuffleWindow, int evalEveryEpochs, int logEveryIterations) {}

  /** Spark settings; master applies only when spark-submit has not set one. */
  public record Spark(String master, String appName, int partitions, String storageLevel,
      int chunkMib, String sync) {

    /** Target bytes per cached training chunk. */
    public long chunkBytes() {
      return (long) chunkMib << 20;
    }
  }

  /**
   * Where and how often to checkpoint; an empty dir = no checkpoints.
   *
   * @param dir a local path or Hadoop file system URI (file://, hdfs://, ...)
   */
  public record Checkpoint(String dir, int everyIterations, int everyEpochs, int keep) {

    public boolean enabled() {
      return !dir.isEmpty();
    }
  }

  public static JobConfig from(Config resolved) {
    ConfigSection root = ConfigSection.root(resolved);
    ConfigSection d = root.section("data");
    Data data = new Data(
        d.choice("format", DATA_FORMATS, "data format"),
        d.string("train"), d.string("train-labels"), d.string("test"), d.string("test-labels"),
        d.intAtLeast("limit", 0), d.intAtLeast("test-limit", 0),
        d.string("label-col"), d.string("features-col"), d.stringList("features-cols"),
        d.bool("csv-header"), d.string("csv-separator"));
    if (data.labelCol().isEmpty()) {
      throw new SpindleConfigException("data.label-col", "data.label-col is empty; name the "
          + "label column (e.g. label)");
    }
    for (String key : List.of("train-labels", "test-labels")) {
      if (!data.format().equals("mnist-idx") && !d.string(key).isEmpty()) {
        throw new SpindleConfigException("data." + key, "data." + key + " is for mnist-idx; "
            + data.format() + " data holds its labels in a column: leave data." + key + " empty");
      }
    }
    if (data.train().isEmpty()) {
      throw new SpindleConfigException("data.train", "data.train is empty; set it to the training data");
    }
    ConfigSection t = root.section("training");
    Training training = new Training(
        t.intAtLeast("epochs", 1), t.intAtLeast("batch-size", 1), t.longAtLeast("seed", Long.MIN_VALUE),
        t.bool("shuffle"), t.intAtLeast("shuffle-window", 1), t.intAtLeast("eval-every-epochs", 0),
        t.intAtLeast("log-every-iterations", 0));
    ConfigSection s = root.section("spark");
    Spark spark = new Spark(s.string("master"), s.string("app-name"), s.intAtLeast("partitions", 0),
        s.choice("storage-level", STORAGE_LEVELS, "storage level"), s.intAtLeast("chunk-mib", 1),
        s.choice("sync", SYNC_MODES, "synchronization mode"));
    ConfigSection c = root.section("checkpoint");
    Checkpoint checkpoint = new Checkpoint(c.string("dir").strip(),
        c.intAtLeast("every-iterations", 0), c.intAtLeast("every-epochs", 0),
        c.intAtLeast("keep", 1));
    NetworkSpec network = NetworkConfig.parse(resolved).withAugmentation(augmentation(d));
    OptimizerSpec optimizer = TrainingConfig.parse(resolved).optimizer();
    return new JobConfig(resolved, network, optimizer, data, training, spark, checkpoint);
  }

  /** {@code data.augment}: training-time crops and flips, carried by the network spec. */
  static io.spindle.data.Augmentation augmentation(ConfigSection data) {
    ConfigSection a = data.section("augment");
    io.spindle.data.Augmentation aug = new io.spindle.data.Augmentation(
        a.intAtLeast("crop-padding", 0), a.bool("horizontal-flip"));
    try {
      aug.check(NetworkConfig.inputShape(data));
    } catch (IllegalArgumentException e) {
      throw new SpindleConfigException("data.augment", e.getMessage());
    }
    return aug;
  }

  /** The resolved configuration as a plain map (for summary.json and the model metadata). */
  public Map<String, Object> asMap() {
    return resolved.root().unwrapped();
  }

  /** The resolved configuration as commented-free HOCON/JSON text. */
  public String render() {
    return resolved.root().render(ConfigRenderOptions.concise().setFormatted(true));
  }
}
