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

  /** The state arrays, in a fixed order, for checkpoints (empty for plain SGD). */
  List<float[]> state();

  /** The learning rate used at {@code iteration}. */
  double learningRate(long iteration);
}
