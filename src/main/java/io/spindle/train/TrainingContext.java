package io.spindle.train;

import io.spindle.data.BatchSchedule;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Optimizer;

/**
 * The trainer's live state as listeners see it. Counters are 0-based: during
 * {@link TrainingListener#beforeUpdate} and {@link TrainingListener#onIteration},
 * {@link #iteration()} is the index of the iteration in progress; at epoch end it is the
 * number of iterations completed. The parameter array is the trainer's own: read it (or copy
 * it for a checkpoint), never write it ({@link DivergenceCheck}, which restores the last
 * finite values, is the one exception).
 */
public final class TrainingContext {

  private final NetworkSpec spec;
  private final Optimizer optimizer;
  private final TrainingOptions options;
  private final BatchSchedule schedule;
  private final float[] params;
  private final float[] state;
  private final long startNanos;
  int epoch;
  int step;
  long iteration;
  long examples;
  long trainNanos;
  long totalIterations;
  Metrics epochMetrics = new Metrics();
  /** Where the training data was at the last epoch's end (null for in-process data). */
  DataResidency dataResidency;
  private String stopReason;

  TrainingContext(NetworkSpec spec, Optimizer optimizer, TrainingOptions options,
      BatchSchedule schedule, float[] params, float[] state, long totalIterations) {
    this.spec = spec;
    this.optimizer = optimizer;
    this.options = options;
    this.schedule = schedule;
    this.params = params;
    this.state = state;
    this.totalIterations = totalIterations;
    this.startNanos = System.nanoTime();
  }

  public NetworkSpec spec() {
    return spec;
  }

  /** The optimizer, whose {@link Optimizer#state()} arrays a checkpoint saves. */
  public Optimizer optimizer() {
    return optimizer;
  }

  public TrainingOptions options() {
    return options;
  }

  public BatchSchedule schedule() {
    return schedule;
  }

  /** The live parameter vector (read only). */
  public float[] params() {
    return params;
  }

  /** The live non-trainable state (batch-norm running statistics; read only, may be empty). */
  public float[] state() {
    return state;
  }

  /**
   * The model vector now: the parameters, then the state (a copy when the network has state,
   * else the live parameter array). What checkpoints and validation use.
   */
  public float[] modelVector() {
    return spec.modelVector(params, state);
  }

  /** 0-based epoch in progress (or just finished, at epoch end). */
  public int epoch() {
    return epoch;
  }

  public int epochs() {
    return options.epochs();
  }

  /** 0-based step within the epoch. */
  public int step() {
    return step;
  }

  public int stepsPerEpoch() {
    return schedule.iterationsPerEpoch();
  }

  /** 0-based global iteration (see the class comment). */
  public long iteration() {
    return iteration;
  }

  /** The global iteration at which training will stop. */
  public long totalIterations() {
    return totalIterations;
  }

  /**
   * Loss, correct and example sums of the epoch in progress so far (a copy), including the
   * batches before a resume; what a checkpoint needs to continue the epoch's figures exactly.
   */
  /**
   * Where the training data was at the end of the last completed epoch, and how much that epoch
   * read from disk; null when the source's data is simply in this process.
   */
  public DataResidency dataResidency() {
    return dataResidency;
  }

  public Metrics epochMetrics() {
    return new Metrics().merge(epochMetrics);
  }

  /**
   * Asks the trainer to stop after the current iteration (or, from
   * {@link TrainingListener#onEpochEnd}, before the next epoch), e.g. once a target accuracy
   * is reached. Training then ends normally: {@link TrainingListener#onTrainingEnd} runs and
   * the result holds the parameters of the last completed iteration.
   */
  public void requestStop(String reason) {
    if (stopReason == null) {
      stopReason = reason;
    }
  }

  /** Why a listener asked to stop, or null while none has. */
  public String stopReason() {
    return stopReason;
  }

  /** Training examples processed in this run so far. */
  public long examples() {
    return examples;
  }

  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Seconds spent in training iterations so far (validation excluded). */
  public double trainSeconds() {
    return trainNanos / 1e9;
  }

  /** Training throughput so far. */
  public double imagesPerSecond() {
    return trainNanos > 0 ? examples / (trainNanos / 1e9) : Double.NaN;
  }

  /**
   * Estimated seconds to the end, from the average wall time per iteration so far (so
   * validation time is spread over iterations).
   */
  public double etaSeconds(long iterationsDone) {
    long doneHere = iterationsDone - options.startIteration();
    if (doneHere <= 0) {
      return Double.NaN;
    }
    return elapsedSeconds() / doneHere * Math.max(0, totalIterations - iterationsDone);
  }
}
