package io.spindle.train;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;

/**
 * Everything one partition needs to take part in training: its examples, its epoch order, batch
 * buffers and a {@link GradientStep}. The single-process trainer holds one per block; on Spark
 * each executor keeps one per cached partition across iterations, so buffers are allocated once.
 */
public final class PartitionWorker {

  private final int partition;
  private final ExampleBlock block;
  private final BatchSchedule schedule;
  private final boolean shuffle;
  private final long seed;
  private final GradientStep step;
  private final float[] x;
  private final float[] y;
  private int[] order;
  private int orderEpoch = -1;

  public PartitionWorker(NetworkSpec spec, ExampleBlock block, int partition,
      BatchSchedule schedule, boolean shuffle, long seed) {
    if (block.featureSize() != spec.inputShape().size()) {
      throw new IllegalArgumentException("examples have " + block.featureSize()
          + " features but the network input " + spec.inputShape() + " needs "
          + spec.inputShape().size() + "; fix data.input-shape or the data");
    }
    if (block.targetSize() != spec.targetSize()) {
      throw new IllegalArgumentException("examples have " + block.targetSize()
          + " target values but the loss " + spec.loss().name() + " needs " + spec.targetSize());
    }
    this.partition = partition;
    this.block = block;
    this.schedule = schedule;
    this.shuffle = shuffle;
    this.seed = seed;
    this.step = new GradientStep(spec);
    int rows = Math.max(1, schedule.maxShare(partition));
    this.x = new float[rows * block.featureSize()];
    this.y = new float[rows * block.targetSize()];
  }

  public int partition() {
    return partition;
  }

  public ExampleBlock block() {
    return block;
  }

  /**
   * Adds the summed gradient of this partition's share of iteration {@code iterationInEpoch} of
   * {@code epoch} into {@code grads}, and its loss/accuracy sums into {@code metrics}.
   *
   * @param globalIteration iteration counted over the whole run (seeds dropout)
   */
  public void accumulate(float[] params, int epoch, int iterationInEpoch, long globalIteration,
      float[] grads, Metrics metrics) {
    if (orderEpoch != epoch) {
      order = BatchSchedule.epochOrder(order, block.count(), shuffle, seed, epoch, partition);
      orderEpoch = epoch;
    }
    int from = schedule.shareStart(partition, iterationInEpoch);
    int n = schedule.shareEnd(partition, iterationInEpoch) - from;
    if (n == 0) {
      return;
    }
    block.gather(order, from, n, x, y);
    step.accumulate(params, x, y, n, grads, BatchSchedule.mix(seed, globalIteration, partition),
        metrics);
  }

  /** Loss and accuracy sums over the whole block in inference mode. */
  public void evaluate(float[] params, Metrics metrics) {
    int rows = x.length / block.featureSize();
    for (int from = 0; from < block.count(); from += rows) {
      int n = Math.min(rows, block.count() - from);
      block.gatherRange(from, n, x, y);
      step.evaluate(params, x, y, n, metrics);
    }
  }

  public GradientStep step() {
    return step;
  }
}
