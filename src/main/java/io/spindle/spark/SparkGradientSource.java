package io.spindle.spark;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.train.GradientSource;
import io.spindle.train.GradientStep;
import io.spindle.train.Metrics;
import io.spindle.train.PartitionWorker;
import io.spindle.train.Progress;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Gradients computed by Spark, one job per iteration: broadcast the flat weights; every
 * partition of the cached block RDD computes forward + backprop on its share of the global
 * batch (with a {@link PartitionWorker} and network buffers kept on the executor across
 * iterations); the partial sums meet in a tree reduction of executor-allocated buffers that
 * always adds in partition order ({@link OrderedTreeSum}, so runs are bit-for-bit repeatable);
 * the previous weight broadcast is destroyed. The {@link io.spindle.train.Trainer} on the
 * driver divides and steps.
 *
 * <p>The block RDD must hold one block per partition ({@link BlockRdds}) and should be
 * persisted; its partition sizes are counted once here (materializing the cache).
 */
public final class SparkGradientSource implements GradientSource {

  private final JavaSparkContext sc;
  private final JavaRDD<ExampleBlock> blocks;
  private final BatchSchedule schedule;
  private final Broadcast<RunSetup> setup;
  private final String runId;
  private final int treeDepth;
  /** The caller's job description, restored on close. */
  private final String callerDescription;
  private Broadcast<float[]> weights;
  private boolean closed;

  /**
   * @param blocks one {@link ExampleBlock} per partition, persisted
   * @param treeDepth depth of the gradient {@code treeReduce} (2 suits up to hundreds of
   *     partitions)
   */
  public SparkGradientSource(JavaSparkContext sc, NetworkSpec spec, JavaRDD<ExampleBlock> blocks,
      int batchSize, boolean shuffle, long seed, int treeDepth) {
    if (treeDepth < 1) {
      throw new IllegalArgumentException("treeDepth must be >= 1, got " + treeDepth);
    }
    this.sc = sc;
    this.blocks = blocks;
    this.treeDepth = treeDepth;
    this.callerDescription = sc.getLocalProperty("spark.job.description");
    long[] sizes;
    try {
      sc.setJobDescription("spindle: cache training data, count examples per partition");
      sizes = BlockRdds.partitionSizes(blocks);
      if (!BlockRdds.isPacked(sizes)) {
        throw new IllegalArgumentException("the training RDD has partitions with several blocks;"
            + " pack them with BlockRdds.pack(rdd, level) first (one block per partition)");
      }
      sc.setJobDescription("spindle: check the training data against the network");
      checkFirstBlock(spec, blocks);
    } finally {
      sc.setJobDescription(callerDescription);
    }
    this.schedule = new BatchSchedule(sizes, batchSize);
    this.runId = "spindle-" + UUID.randomUUID();
    this.setup = sc.broadcast(new RunSetup(runId, spec, schedule, shuffle, seed));
  }

  private static void checkFirstBlock(NetworkSpec spec, JavaRDD<ExampleBlock> blocks) {
    List<ExampleBlock> first = blocks.take(1);
    if (!first.isEmpty()) {
      PartitionWorker.checkCompatible(spec, first.get(0));
    }
  }

  @Override
  public BatchSchedule schedule() {
    return schedule;
  }

  /** Identifies this run's executor-side state. */
  public String runId() {
    return runId;
  }

  /** Id of the weight broadcast of the last iteration (for tests and diagnostics), or -1. */
  public long currentBroadcastId() {
    return weights == null ? -1 : weights.id();
  }

  @Override
  public Metrics accumulate(Progress progress, float[] params, float[] gradSum) {
    if (closed) {
      throw new IllegalStateException("this gradient source is closed");
    }
    Broadcast<float[]> previous = weights;
    weights = sc.broadcast(params);
    if (previous != null) {
      previous.destroy();
    }
    sc.setJobDescription(progress.describe());
    // Not treeReduce: its merge order follows task completion, so float sums would differ
    // between runs in the last bits and an interrupted, resumed run could not match.
    GradientPartial total = OrderedTreeSum.sum(
        blocks.mapPartitionsWithIndex(new ComputeGradient(setup, weights, progress), true),
        treeDepth);
    if (total.grad != null) {
      float[] g = total.grad;
      for (int i = 0; i < g.length; i++) {
        gradSum[i] += g[i];
      }
    }
    return total.metrics;
  }

  /** Destroys the broadcasts and drops the executors' cached state for this run. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (weights != null) {
      weights.destroy();
      weights = null;
    }
    setup.destroy();
    ExecutorCleanup.run(sc, runId);
    sc.setJobDescription(callerDescription);
  }

  /** The per-partition task body (small: two broadcast handles and three counters). */
  private static final class ComputeGradient
      implements Function2<Integer, Iterator<ExampleBlock>, Iterator<GradientPartial>> {

    private static final long serialVersionUID = 1L;

    private final Broadcast<RunSetup> setup;
    private final Broadcast<float[]> weights;
    private final int epoch;
    private final int step;
    private final long iteration;

    ComputeGradient(Broadcast<RunSetup> setup, Broadcast<float[]> weights, Progress progress) {
      this.setup = setup;
      this.weights = weights;
      this.epoch = progress.epoch();
      this.step = progress.step();
      this.iteration = progress.iteration();
    }

    @Override
    public Iterator<GradientPartial> call(Integer partition, Iterator<ExampleBlock> it) {
      RunSetup run = setup.value();
      ExampleBlock block = it.hasNext() ? it.next() : null;
      if (it.hasNext()) {
        throw new IllegalStateException("partition " + partition + " holds several blocks;"
            + " pack the training RDD with BlockRdds.pack");
      }
      ExecutorCache.RunState state = ExecutorCache.state(run.runId(), run.spec());
      PartitionWorker worker = state.worker(partition, run.schedule(), run.shuffle(), run.seed());
      Metrics metrics = new Metrics();
      if (block == null && run.schedule().partitionSize(partition) > 0) {
        throw new IllegalStateException("partition " + partition + " lost its examples; the"
            + " training data must be deterministic");
      }
      if (block == null || worker.shareSize(step) == 0) {
        return List.of(new GradientPartial(null, metrics)).iterator();
      }
      float[] grad = new float[run.spec().paramCount()];
      GradientStep compute = state.borrow();
      try {
        synchronized (worker) { // a speculative copy of this task could share the worker
          worker.accumulate(block, compute, weights.value(), epoch, step, iteration, grad,
              metrics);
        }
      } finally {
        state.giveBack(compute);
      }
      return List.of(new GradientPartial(grad, metrics)).iterator();
    }
  }
}
