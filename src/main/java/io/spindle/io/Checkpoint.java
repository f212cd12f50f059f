package io.spindle.io;

import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Optimizer;
import io.spindle.train.EpochSummary;
import io.spindle.train.Metrics;
import io.spindle.train.TrainingOptions;
import java.util.List;
import java.util.Map;

/**
 * Everything a training run needs to continue exactly where it stopped: written by
 * {@link CheckpointListener}, read by {@link CheckpointStore}.
 *
 * <p>There is no random-number-generator state to save: every shuffle is derived from (seed,
 * epoch, partition) and every dropout mask from (seed, global iteration, partition) (see
 * {@code BatchSchedule.epochOrder} and {@code PartitionWorker.accumulate}). So the counters, the
 * seed, the shuffle flag, the global batch and the partition sizes determine every batch and
 * mask that follow; the data fingerprint proves the examples are the same.
 *
 * @param iteration global iterations completed: the 0-based index of the next one to run
 * @param epoch 0-based epoch of the next iteration
 * @param step 0-based step of the next iteration within its epoch
 * @param partitionSizes examples per training partition, in partition order
 * @param epochMetrics loss/correct/count sums of the epoch in progress (empty at a boundary)
 * @param history summaries of the epochs completed so far
 * @param optimizer the optimizer's name ({@link Optimizer#name()})
 * @param stateNames the optimizer's state array names, in order
 * @param state the optimizer's state arrays, one per name, each of the parameter count
 * @param config the resolved job configuration (empty when trained through the Java API)
 * @param dataFingerprint the training data's {@code ExampleBlock.fingerprint()}, or ""
 * @param location where the checkpoint was read from, or null when not read
 */
public record Checkpoint(long iteration, int epoch, int step, long seed, boolean shuffle,
    int batchSize, long[] partitionSizes, Metrics epochMetrics, List<EpochSummary> history,
    NetworkSpec spec, float[] params, String optimizer, List<String> stateNames,
    List<float[]> state, Map<String, Object> config, String dataFingerprint, String location) {

  /** The directory name of the checkpoint after {@code iteration} iterations. */
  public static String name(long iteration) {
    return String.format("ckpt-%012d", iteration);
  }

  public String name() {
    return name(iteration);
  }

  /**
   * Prepares a run to continue from this checkpoint: restores {@code optimizer}'s state and
   * sets the builder's start iteration and the epoch-so-far sums. Train from {@link #params()}
   * with a {@link CheckpointListener} built {@code resumedFrom} this checkpoint, which checks at
   * the start that the schedule (seed, batch, partition sizes) is the same.
   *
   * @throws IllegalArgumentException when the optimizer is another kind or size
   */
  public TrainingOptions.Builder resume(TrainingOptions.Builder options, Optimizer optimizer) {
    if (!optimizer.name().equals(this.optimizer)) {
      throw new IllegalArgumentException("checkpoint " + describe() + " was written by the "
          + this.optimizer + " optimizer but this run uses " + optimizer.name()
          + "; resume with training.optimizer = " + this.optimizer);
    }
    if (!optimizer.stateNames().equals(stateNames)) {
      throw new IllegalArgumentException("checkpoint " + describe() + " holds optimizer state "
          + stateNames + " but " + optimizer.name() + " keeps " + optimizer.stateNames()
          + "; resume with the same optimizer settings");
    }
    optimizer.restoreState(state);
    return options.startIteration(iteration).startEpochMetrics(epochMetrics);
  }

  /** The checkpoint's location if known, else its name. */
  public String describe() {
    return location != null ? location : name();
  }
}
