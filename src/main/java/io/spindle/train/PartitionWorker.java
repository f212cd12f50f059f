package io.spindle.train;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;

/**
 * One partition's part in training: which of its examples each iteration uses (the schedule's
 * share, in the partition's seeded epoch order) and the accumulation of their summed gradient.
 *
 * <p>The worker holds only per-partition state (the epoch order, 4 bytes per example). The
 * examples come in with each call, and the compute buffers are a {@link GradientStep} lent by
 * the caller. So the single-process source keeps one worker per block and one step for all of
 * them, and a Spark executor keeps workers across iterations without pinning cached blocks
 * (Spark may spill those to disk) and with network buffers per task thread, not per partition.
 */
public final class PartitionWorker {

  private final int partition;
  private final BatchSchedule schedule;
  private final boolean shuffle;
  private final long seed;
  private int[] order;
  private int orderEpoch = -1;

  public PartitionWorker(int partition, BatchSchedule schedule, boolean shuffle, long seed) {
    if (partition < 0 || partition >= schedule.partitions()) {
      throw new IllegalArgumentException("partition " + partition + " outside the schedule's "
          + schedule.partitions() + " partitions");
    }
    this.partition = partition;
    this.schedule = schedule;
    this.shuffle = shuffle;
    this.seed = seed;
  }

  /** Rejects a block that cannot feed {@code spec}, naming the mismatch and the fix. */
  public static void checkCompatible(NetworkSpec spec, ExampleBlock block) {
    if (block.featureSize() != spec.inputShape().size()) {
      throw new IllegalArgumentException("examples have " + block.featureSize()
          + " features but the network input " + spec.inputShape() + " needs "
          + spec.inputShape().size() + "; fix data.input-shape or the data");
    }
    if (block.targetSize() != spec.targetSize()) {
      throw new IllegalArgumentException("examples have " + block.targetSize()
          + " target values but the loss " + spec.loss().name() + " needs " + spec.targetSize());
    }
  }

  public int partition() {
    return partition;
  }

  /** Examples this partition contributes to iteration {@code iterationInEpoch}. */
  public int shareSize(int iterationInEpoch) {
    return schedule.shareEnd(partition, iterationInEpoch)
        - schedule.shareStart(partition, iterationInEpoch);
  }

  /**
   * Adds the summed gradient of this partition's share of iteration {@code iterationInEpoch} of
   * {@code epoch} into {@code grads}, and its loss/accuracy sums into {@code metrics}.
   *
   * @param block this partition's examples; must be the same block every call
   * @param step compute buffers (any step built from the same network spec)
   * @param globalIteration iteration counted over the whole run (seeds dropout)
   */
  public void accumulate(ExampleBlock block, GradientStep step, float[] params, int epoch,
      int iterationInEpoch, long globalIteration, float[] grads, Metrics metrics) {
    long expected = schedule.partitionSize(partition);
    if (block.count() != expected) {
      throw new IllegalStateException("partition " + partition + " holds " + block.count()
          + " examples but had " + expected + " when training started; the training data must"
          + " be deterministic (persist it, or avoid random sampling when building it)");
    }
    if (orderEpoch != epoch) {
      order = BatchSchedule.epochOrder(order, block.count(), shuffle, seed, epoch, partition);
      orderEpoch = epoch;
    }
    int from = schedule.shareStart(partition, iterationInEpoch);
    int n = schedule.shareEnd(partition, iterationInEpoch) - from;
    step.accumulate(params, block, order, from, n, grads,
        BatchSchedule.mix(seed, globalIteration, partition), metrics);
  }
}
