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

  public static final List<String> DATA_FORMATS = List.of("mnist-idx", "csv");
  public static final List<String> STORAGE_LEVELS = List.of("MEMORY_ONLY", "MEMORY_ONLY_SER",
      "MEMORY_AND_DISK", "MEMORY_AND_DISK_SER", "DISK_ONLY");

  /** Where the examples come from. Empty test = no validation set. */
  public record Data(String format, String train, String trainLabels, String test,
      String testLabels, int limit, int testLimit) {

    public boolean hasTest() {
      return !test.isEmpty();
    }
  }

  /** The trainer's schedule and cadence (the optimizer is separate). */
  public record Training(int epochs, int batchSize, long seed, boolean shuffle,
      int evalEveryEpochs, int logEveryIterations) {}

  /** Spark settings; master applies only when spark-submit has not set one. */
  public record Spark(String master, String appName, int partitions, String storageLevel) {}

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
        d.intAtLeast("limit", 0), d.intAtLeast("test-limit", 0));
    if (data.train().isEmpty()) {
      throw new SpindleConfigException("data.train", "data.train is empty; set it to the training data");
    }
    ConfigSection t = root.section("training");
    Training training = new Training(
        t.intAtLeast("epochs", 1), t.intAtLeast("batch-size", 1), t.longAtLeast("seed", Long.MIN_VALUE),
        t.bool("shuffle"), t.intAtLeast("eval-every-epochs", 0), t.intAtLeast("log-every-iterations", 0));
    ConfigSection s = root.section("spark");
    Spark spark = new Spark(s.string("master"), s.string("app-name"), s.intAtLeast("partitions", 0),
        s.choice("storage-level", STORAGE_LEVELS, "storage level"));
    ConfigSection c = root.section("checkpoint");
    Checkpoint checkpoint = new Checkpoint(c.string("dir").strip(),
        c.intAtLeast("every-iterations", 0), c.intAtLeast("every-epochs", 0),
        c.intAtLeast("keep", 1));
    NetworkSpec network = NetworkConfig.parse(resolved);
    OptimizerSpec optimizer = TrainingConfig.parse(resolved).optimizer();
    return new JobConfig(resolved, network, optimizer, data, training, spark, checkpoint);
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
