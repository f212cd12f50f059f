package io.spindle.cli;

import io.spindle.config.JobConfig;
import io.spindle.data.DataSources;
import io.spindle.nn.NetworkSpec;
import io.spindle.spark.DataFrameBlocks;
import io.spindle.spark.DistributedTrainer;
import io.spindle.spark.FrameSources;
import io.spindle.train.TrainingResult;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * A job's training and test data as the trainer takes it: examples the driver read (mnist-idx,
 * checked before Spark started) or DataFrame formats packed into validated blocks on the
 * executors ({@link FrameSources}). Close to release cached blocks.
 */
final class TrainingInputs implements AutoCloseable {

  private final DataSources.Loaded local;
  private final DataFrameBlocks.Converted train;
  private final DataFrameBlocks.Converted test;
  private final List<String> classes;

  private TrainingInputs(DataSources.Loaded local, DataFrameBlocks.Converted train,
      DataFrameBlocks.Converted test, List<String> classes) {
    this.local = local;
    this.train = train;
    this.test = test;
    this.classes = classes;
  }

  static TrainingInputs local(DataSources.Loaded data, int partitions) {
    if (partitions > data.train().count()) {
      throw new IllegalArgumentException("spark.partitions is " + partitions + " but "
          + data.trainPath() + " has only " + data.train().count()
          + " examples; use fewer partitions");
    }
    return new TrainingInputs(data, null, null, null);
  }

  /** Reads, packs and checks data.train (and data.test) with Spark. */
  static TrainingInputs frames(SparkSession spark, JobConfig job, int partitions,
      StorageLevel level) {
    JobConfig.Data d = job.data();
    NetworkSpec spec = job.network();
    FrameSources.Frame trainFrame = FrameSources.read(spark, d,
        FrameSources.resolve(d.train(), "data.train"), "data.train", spec, null);
    DataFrameBlocks.Converted train = FrameSources.blocks(trainFrame, spec, d.limit(), partitions,
        level, new DataFrameBlocks.Chunking(job.spark().chunkBytes(), job.training().shuffle(),
            job.training().seed()));
    DataFrameBlocks.Converted test = null;
    try {
      if (partitions > train.count()) {
        throw new IllegalArgumentException("data.train: " + d.train() + " has only " + train.count()
            + " examples but spark.partitions = " + partitions + " would split it into "
            + partitions + " partitions; use fewer partitions (spark.partitions) or more data");
      }
      if (d.hasTest()) {
        FrameSources.Frame testFrame = FrameSources.read(spark, d,
            FrameSources.resolve(d.test(), "data.test"), "data.test", spec, trainFrame.classes());
        test = FrameSources.blocks(testFrame, spec, d.testLimit(), 0, level, null);
      }
    } catch (RuntimeException e) {
      train.blocks().unpersist(false);
      throw e;
    }
    return new TrainingInputs(null, train, test, trainFrame.classes());
  }

  long trainCount() {
    return local != null ? local.train().count() : train.count();
  }

  boolean hasTest() {
    return local != null ? local.test() != null : test != null;
  }

  /** Image class names (folder names, index order), or null. */
  List<String> classes() {
    return classes;
  }

  TrainingResult fit(DistributedTrainer trainer, float[] init) {
    if (local != null) {
      return trainer.fit(local.train(), local.test(), init);
    }
    return trainer.fit(train.training(), test == null ? null : test.blocks(), init);
  }

  @Override
  public void close() {
    if (train != null) {
      train.blocks().unpersist(false);
    }
    if (test != null) {
      test.blocks().unpersist(false);
    }
  }
}
