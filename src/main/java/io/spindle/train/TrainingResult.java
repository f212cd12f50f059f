package io.spindle.train;

import java.util.List;

/**
 * What {@link Trainer#fit} returns.
 *
 * @param params the final model vector: the flat parameters, then the non-trainable state
 *     (batch-norm running statistics; none for most networks), see NetworkSpec#modelVector
 * @param history one summary per completed epoch
 * @param iterations global iterations completed (including any before a resume)
 * @param examples training examples processed in this run
 * @param trainSeconds time spent in training iterations (validation excluded)
 * @param elapsedSeconds wall time of the whole run
 */
public record TrainingResult(float[] params, List<EpochSummary> history, long iterations,
    long examples, double trainSeconds, double elapsedSeconds) {

  /** Training throughput over the run: examples per second of training time. */
  public double imagesPerSecond() {
    return trainSeconds > 0 ? examples / trainSeconds : Double.NaN;
  }

  /** The last epoch's summary, or null when no epoch completed. */
  public EpochSummary lastEpoch() {
    return history.isEmpty() ? null : history.get(history.size() - 1);
  }
}
