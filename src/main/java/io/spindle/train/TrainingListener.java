package io.spindle.train;

/**
 * Hooks into the {@link Trainer}'s loop for cross-cutting concerns: logging, metrics files,
 * divergence checks, checkpoints. Every method has a no-op default. Listeners run on the driver,
 * in the order given, and may throw to stop training (the exception propagates from
 * {@link Trainer#fit}).
 *
 * <p>The {@link TrainingContext} gives the live parameters and optimizer (with its flat state
 * arrays) and the epoch and iteration counters, which is what a checkpoint needs.
 */
public interface TrainingListener {

  default void onTrainingStart(TrainingContext context) {}

  /**
   * After the gradient of the global batch is known and averaged, before the optimizer uses it.
   * The parameters are still those that produced {@code batch}; {@code meanGradient} must not
   * be modified.
   */
  default void beforeUpdate(TrainingContext context, float[] meanGradient, Metrics batch) {}

  /** After the optimizer step of {@link TrainingContext#iteration()}. */
  default void onIteration(TrainingContext context, Metrics batch) {}

  /** After an epoch's last iteration and its validation, if any. */
  default void onEpochEnd(TrainingContext context, EpochSummary summary) {}

  default void onTrainingEnd(TrainingContext context, TrainingResult result) {}

  /**
   * Training stopped with {@code error} (thrown by the source, the optimizer or a listener);
   * release resources here. {@link #onTrainingEnd} is not called then.
   */
  default void onTrainingFailed(TrainingContext context, Throwable error) {}
}
