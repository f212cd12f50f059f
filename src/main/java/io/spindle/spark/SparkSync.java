package io.spindle.spark;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.train.GradientSource;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the gradient source for a {@link SyncMode}: decides once, after the training data is
 * cached (so executors have registered), whether a barrier stage can run, and logs the choice
 * in one line.
 */
public final class SparkSync {

  private static final Logger LOG = LoggerFactory.getLogger(SparkSync.class);

  private SparkSync() {}

  /** Over one block per partition, each partition a shard of one chunk. */
  public static GradientSource open(JavaSparkContext sc, NetworkSpec spec, JavaRDD<ExampleBlock> blocks,
      int batchSize, boolean shuffle, long seed, int treeDepth, SyncMode mode) {
    return open(sc, spec, TrainingBlocks.onePerPartition(blocks), batchSize, 1, shuffle, seed,
        treeDepth, mode);
  }

  /**
   * @param window chunks an epoch shuffles together ({@link io.spindle.train.PartitionWorker})
   */
  public static GradientSource open(JavaSparkContext sc, NetworkSpec spec, TrainingBlocks blocks,
      int batchSize, int window, boolean shuffle, long seed, int treeDepth, SyncMode mode) {
    if (treeDepth < 1) {
      throw new IllegalArgumentException("treeDepth must be >= 1, got " + treeDepth);
    }
    TrainingRun run = new TrainingRun(sc, spec, blocks, batchSize, window, shuffle, seed);
    try {
      if (mode == SyncMode.JOB) {
        LOG.info("Synchronization: one Spark job per iteration (spark.sync = job)");
        return new SparkGradientSource(run, treeDepth, true);
      }
      int slots = SparkInternals.taskSlots(sc.sc());
      String impossible = whyNoBarrier(sc, slots);
      if (impossible != null) {
        if (mode == SyncMode.BARRIER) {
          throw new IllegalArgumentException("spark.sync = barrier, but " + impossible
              + "; set spark.sync = auto or job");
        }
        LOG.info("Synchronization: one Spark job per iteration, because {} (spark.sync = auto)",
            impossible);
        return new SparkGradientSource(run, treeDepth, true);
      }
      BarrierGradientSource source = new BarrierGradientSource(run, treeDepth, slots,
          mode == SyncMode.AUTO);
      LOG.info("Synchronization: one barrier stage per epoch, {} task(s) over {} partition(s)"
          + " of {} chunk(s); no Spark job per iteration (spark.sync = {})", source.tasks(),
          run.partitions(), run.layout.chunks(), mode.configValue());
      return source;
    } catch (RuntimeException | Error e) {
      run.close();
      throw e;
    }
  }

  /** Why Spark cannot run a barrier stage here, or null if it can. */
  static String whyNoBarrier(JavaSparkContext sc, int slots) {
    if (SparkInternals.dynamicAllocation(sc.getConf())) {
      return "dynamic allocation is on (spark.dynamicAllocation.enabled), under which Spark"
          + " runs no barrier stage";
    }
    if (slots < 1) {
      return "the cluster has no free task slot yet";
    }
    return null;
  }
}
