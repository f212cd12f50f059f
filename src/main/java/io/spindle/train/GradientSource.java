package io.spindle.train;

import io.spindle.data.BatchSchedule;

/**
 * Where the {@link Trainer} gets each iteration's gradient: the sum over the global mini-batch
 * defined by {@link #schedule()}. {@link LocalGradientSource} computes it in this process;
 * {@code spark.SparkGradientSource} runs one Spark job per iteration. The trainer does the rest
 * (averaging, listeners, optimizer) the same way for both.
 */
public interface GradientSource extends AutoCloseable {

  /** The partitions, global batch and epoch length this source trains with. */
  BatchSchedule schedule();

  /**
   * Adds the gradient of the <em>summed</em> loss over the global batch of {@code progress}
   * into {@code gradSum} (which the caller zeroes), and returns the batch's loss sum, correct
   * count and example count.
   */
  Metrics accumulate(Progress progress, float[] params, float[] gradSum);

  /**
   * For diagnostics and benchmarks: the slowest worker's compute time in the last iteration
   * (the rest of the iteration is synchronization), or NaN where the source does not measure
   * it.
   */
  default double lastComputeMillis() {
    return Double.NaN;
  }

  /**
   * Where the training data is now (memory, disk), with {@code diskBytesRead} (the epoch's sum
   * of {@link Metrics#diskBytesRead}) filled in; null for sources whose data is simply in this
   * process. Called once per epoch.
   */
  default DataResidency dataResidency(long diskBytesRead) {
    return null;
  }

  /** Releases what the source holds (broadcasts, executor caches); idempotent. */
  @Override
  default void close() {}
}
