package io.spindle.spark;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Optimizer;
import io.spindle.train.GradientSource;
import io.spindle.train.Trainer;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * Data-parallel training on Spark: the {@link Trainer} loop driven by a barrier stage per
 * epoch ({@link BarrierGradientSource}) or a job per iteration ({@link SparkGradientSource}),
 * see {@link #sync}, with distributed validation ({@link SparkEvaluator}). Local mode
 * ({@code local[*]}) is the same code path. For example:
 *
 * <pre>{@code
 * TrainingResult r = new DistributedTrainer(sc, spec, new Sgd(0.05), options)
 *     .partitions(8)
 *     .fit(trainBlock, testBlock, spec.initParams(seed));
 * }</pre>
 */
public final class DistributedTrainer {

  private final JavaSparkContext sc;
  private final NetworkSpec spec;
  private final Optimizer optimizer;
  private final TrainingOptions options;
  private int partitions;
  private StorageLevel storageLevel = BlockRdds.DEFAULT_STORAGE;
  private int treeDepth = 2;
  private SyncMode sync = SyncMode.AUTO;

  public DistributedTrainer(JavaSparkContext sc, NetworkSpec spec, Optimizer optimizer,
      TrainingOptions options) {
    this.sc = sc;
    this.spec = spec;
    this.optimizer = optimizer;
    this.options = options;
  }

  /**
   * Partitions to train on (0, the default, means the cluster's cores:
   * {@code sc.defaultParallelism()}, or an RDD's own partitioning).
   */
  public DistributedTrainer partitions(int partitions) {
    if (partitions < 0) {
      throw new IllegalArgumentException("partitions must be >= 0 (0 = cluster cores), got "
          + partitions);
    }
    this.partitions = partitions;
    return this;
  }

  /**
   * How the training chunks are cached (default MEMORY_AND_DISK: a set larger than memory
   * spills a chunk at a time, and each epoch reads each spilled chunk about once).
   */
  public DistributedTrainer storageLevel(StorageLevel level) {
    this.storageLevel = java.util.Objects.requireNonNull(level, "storage level");
    return this;
  }

  /** Depth of the gradient tree reduction (default 2). */
  public DistributedTrainer treeDepth(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("treeDepth must be >= 1, got " + depth);
    }
    this.treeDepth = depth;
    return this;
  }

  /**
   * How iterations synchronize (default {@link SyncMode#AUTO}: a barrier stage per epoch where
   * Spark can run one, else one job per iteration). The weights are the same either way.
   */
  public DistributedTrainer sync(SyncMode mode) {
    this.sync = java.util.Objects.requireNonNull(mode, "sync mode");
    return this;
  }

  /**
   * Trains on in-memory data, cut into {@link #partitions} shards of chunks (of the options'
   * {@link TrainingOptions#chunkBytes}; {@link io.spindle.data.ChunkLayout#split}, the cut the
   * single-process trainer uses) and cached on the executors for the run (unpersisted at the
   * end).
   *
   * @param test validation data, or null
   */
  public TrainingResult fit(ExampleBlock train, ExampleBlock test, float[] initialParams) {
    int p = partitions > 0 ? partitions : sc.defaultParallelism();
    try (DistributedBlocks trainBlocks = DistributedBlocks.chunked(sc, train, p,
            options.chunkBytes(), options.shuffle(), options.seed(), storageLevel,
            "spindle training chunks");
        DistributedBlocks testBlocks = test == null ? null : DistributedBlocks.of(sc, test,
            Math.min(p, test.count()), storageLevel, "spindle test blocks")) {
      return train(trainBlocks.training(), testBlocks == null ? null : testBlocks.rdd(),
          initialParams);
    }
  }

  /**
   * Trains on chunked data already in Spark ({@code DataFrameBlocks.convert}'s result, or
   * {@link DistributedBlocks#training}), as it is: its shards are the partitions.
   *
   * @param test validation blocks (any number per partition), or null
   */
  public TrainingResult fit(TrainingBlocks train, JavaRDD<ExampleBlock> test,
      float[] initialParams) {
    return train(train, test, initialParams);
  }

  /**
   * Trains on data already in Spark. A training RDD with one block per partition is used as
   * it is (persisted at the storage level if it is not yet); otherwise, or when
   * {@link #partitions} asks for another count, its blocks are repartitioned and packed into one
   * per partition first. RDDs persisted here are unpersisted at the end.
   *
   * @param test validation blocks (any number per partition), or null
   */
  public TrainingResult fit(JavaRDD<ExampleBlock> train, JavaRDD<ExampleBlock> test,
      float[] initialParams) {
    JavaRDD<ExampleBlock> packed = train;
    boolean ownTrain = false;
    if (partitions > 0 && partitions != train.getNumPartitions()) {
      packed = BlockRdds.pack(train.repartition(partitions), storageLevel);
      ownTrain = true;
    } else if (!BlockRdds.isPacked(BlockRdds.partitionSizes(train))) {
      packed = BlockRdds.pack(train, storageLevel);
      ownTrain = true;
    } else if (train.getStorageLevel().equals(StorageLevel.NONE())) {
      packed = train.persist(storageLevel);
      ownTrain = true;
    }
    boolean ownTest = test != null && test.getStorageLevel().equals(StorageLevel.NONE());
    JavaRDD<ExampleBlock> testRdd = ownTest ? test.persist(storageLevel) : test;
    try {
      return train(TrainingBlocks.onePerPartition(packed), testRdd, initialParams);
    } finally {
      if (ownTrain) {
        packed.unpersist(false);
      }
      if (ownTest) {
        testRdd.unpersist(false);
      }
    }
  }

  private TrainingResult train(TrainingBlocks trainBlocks, JavaRDD<ExampleBlock> testRdd,
      float[] initialParams) {
    String previous = sc.getLocalProperty("spark.job.description");
    // The source is declared last so it closes first: a barrier stage still holding the task
    // slots (training stopped mid-epoch, or failed) must end before the evaluator's cleanup job.
    try (SparkEvaluator validation = testRdd == null || options.evalEvery() == 0 ? null
            : new SparkEvaluator(sc, spec, testRdd);
        GradientSource source = SparkSync.open(sc, spec, trainBlocks, options.batchSize(),
            options.shuffleWindow(), options.shuffle(), options.seed(), treeDepth, sync)) {
      return new Trainer(spec, optimizer, options).fit(source, validation, initialParams);
    } finally {
      sc.setJobDescription(previous);
    }
  }
}
