package io.spindle.cli;

import com.typesafe.config.ConfigFactory;
import io.spindle.config.ConfigLoader;
import io.spindle.config.JobConfig;
import io.spindle.config.NetworkConfig;
import io.spindle.data.ExampleBlock;
import io.spindle.io.Checkpoint;
import io.spindle.io.CheckpointStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;

/**
 * What {@code spindle train --resume DIR} continues from: the newest valid checkpoint in DIR and
 * the job it belongs to. Without {@code --config} the job is the checkpoint's own resolved
 * config (plus any {@code --set}); with one, the settings that decide the batches and updates
 * must equal the checkpoint's, or the resume would not be exact and is refused.
 */
final class Resume {

  final CheckpointStore store;
  final Checkpoint checkpoint;
  final JobConfig job;

  private Resume(CheckpointStore store, Checkpoint checkpoint, JobConfig job) {
    this.store = store;
    this.checkpoint = checkpoint;
    this.job = job;
  }

  static Resume open(CliArgs args, Configuration hadoop, Consumer<String> warnings)
      throws IOException {
    CheckpointStore store;
    try {
      store = CheckpointStore.open(args.resume, hadoop);
    } catch (IOException e) {
      throw new IllegalArgumentException("--resume " + args.resume + ": " + e.getMessage());
    }
    Checkpoint cp = store.latestValid(warnings);
    JobConfig stored = cp.config().isEmpty() ? null
        : JobConfig.from(ConfigLoader.load(ConfigFactory.parseMap(cp.config()), List.of()));
    JobConfig job;
    if (args.config != null) {
      job = JobSupport.loadJob(args);
    } else if (stored != null) {
      job = JobConfig.from(ConfigLoader.load(ConfigFactory.parseMap(cp.config()), args.overrides));
    } else {
      throw new CliArgs.UsageException("checkpoint " + cp.describe() + " holds no job "
          + "configuration (it was written through the Java API); pass the job's --config");
    }
    if (stored != null) {
      List<String> diff = differences(stored, job);
      if (!diff.isEmpty()) {
        throw new IllegalArgumentException("cannot resume exactly from " + cp.describe() + ": "
            + String.join("; ", diff) + "; resume with the checkpoint's settings (omit --config "
            + "to use them)");
      }
    }
    return new Resume(store, cp, job);
  }

  /** The settings that decide every batch and update, compared with the checkpoint's. */
  static List<String> differences(JobConfig checkpoint, JobConfig here) {
    List<String> d = new ArrayList<>();
    if (!NetworkConfig.toMap(checkpoint.network()).equals(NetworkConfig.toMap(here.network()))) {
      d.add("the network (model.layers, model.loss or data.input-shape) differs");
    }
    JobConfig.Training a = checkpoint.training();
    JobConfig.Training b = here.training();
    same(d, "training.epochs", a.epochs(), b.epochs());
    same(d, "training.batch-size", a.batchSize(), b.batchSize());
    same(d, "training.seed", a.seed(), b.seed());
    same(d, "training.shuffle", a.shuffle(), b.shuffle());
    if (!checkpoint.optimizer().equals(here.optimizer())) {
      d.add("the optimizer settings differ (" + checkpoint.optimizer() + " in the checkpoint, "
          + here.optimizer() + " here)");
    }
    same(d, "data.format", checkpoint.data().format(), here.data().format());
    same(d, "data.limit", checkpoint.data().limit(), here.data().limit());
    if (checkpoint.spark().partitions() > 0 && here.spark().partitions() > 0) {
      same(d, "spark.partitions", checkpoint.spark().partitions(), here.spark().partitions());
    }
    return d;
  }

  private static void same(List<String> d, String key, Object checkpoint, Object here) {
    if (!checkpoint.equals(here)) {
      d.add(key + " is " + here + " here but " + checkpoint + " in the checkpoint");
    }
  }

  /** Partitions to train on: the checkpoint's unless spark.partitions says (the same). */
  int partitions() {
    int configured = job.spark().partitions();
    int trained = checkpoint.partitionSizes().length;
    if (configured > 0 && configured != trained) {
      throw new IllegalArgumentException("checkpoint " + checkpoint.describe() + " was trained on "
          + trained + " partitions but spark.partitions is " + configured + "; an exact resume "
          + "needs the same partitions: set spark.partitions=" + trained);
    }
    return trained;
  }

  /** The training data must be the examples the checkpoint was trained on. */
  void checkData(ExampleBlock train, Path trainPath) {
    String expected = checkpoint.dataFingerprint();
    if (!expected.isEmpty() && !expected.equals(train.fingerprint())) {
      throw new IllegalArgumentException("data.train " + trainPath + " is not the data checkpoint "
          + checkpoint.describe() + " was trained on (fingerprint " + train.fingerprint()
          + ", expected " + expected + "); resume with the same training data and data.limit");
    }
  }
}
