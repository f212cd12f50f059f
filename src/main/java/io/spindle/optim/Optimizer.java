package io.spindle.optim;

import java.io.Serializable;
import java.util.List;

/**
 * Updates the flat parameter vector from the averaged gradient, on the driver. All state
 * (velocities, moments) is flat float arrays in the parameter layout, so checkpoints save
 * them as they are.
 */
public interface Optimizer extends Serializable {

  /** Config name, e.g. {@code sgd}, {@code adam}. */
  String name();

  /**
   * One update. {@code grad} is the mean gradient over the global batch; it may be modified
   * (e.g. by weight decay). {@code iteration} counts from 0 and drives the learning-rate
   * schedule and bias corrections.
   */
  void step(float[] params, float[] grad, long iteration);

  /**
   * The state arrays, in a fixed order, for checkpoints (empty for plain SGD). They are the
   * optimizer's live arrays: copy them if the optimizer keeps stepping while they are written.
   * Scalar state such as Adam's step count is derived from the iteration, so a checkpoint needs
   * only these arrays and the iteration counter.
   */
  List<float[]> state();

  /** Names of the {@link #state()} arrays, in the same order (e.g. {@code m}, {@code v}). */
  default List<String> stateNames() {
    return List.of();
  }

  /**
   * Copies checkpointed state into this optimizer's arrays.
   *
   * @throws IllegalArgumentException when the number or lengths of the arrays do not match this
   *     optimizer and parameter count (e.g. a checkpoint from another optimizer or network)
   */
  default void restoreState(List<float[]> state) {
    OptimizerState.restore(name(), state, stateNames(), state());
  }

  /** The learning rate used at {@code iteration}. */
  double learningRate(long iteration);
}
