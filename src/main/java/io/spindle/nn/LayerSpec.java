package io.spindle.nn;

import io.spindle.tensor.Shape;
import java.io.Serializable;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a layer is (its kind and hyper-parameters), separate from its weights, as in Spark
 * MLlib's {@code ml.ann}. Specs are immutable and serializable; weights live in the network's
 * one flat float vector, and {@link #instantiate} binds a spec to its slice of it.
 */
public interface LayerSpec extends Serializable {

  /** The registry name, as written in configs: {@code dense}, {@code conv2d}, {@code relu}... */
  String kind();

  /**
   * The output shape for {@code input}.
   *
   * @throws IllegalArgumentException naming the problem when the input cannot feed this layer
   */
  Shape outputShape(Shape input);

  /** Number of learnable parameters for {@code input}. */
  default int paramCount(Shape input) {
    return 0;
  }

  /** Writes initial values for this layer's parameters into {@code params[offset..]}. */
  default void initParams(Shape input, float[] params, int offset, SplittableRandom rng) {}

  /** Binds this spec to a parameter offset, with fresh buffers. */
  Layer instantiate(Shape input, int paramOffset);

  /**
   * Number of non-trainable state values for {@code input} (batch normalization's running mean
   * and variance). They live in the network's state vector, which follows the parameters in
   * the model vector, and are never seen by the optimizer.
   */
  default int stateCount(Shape input) {
    return 0;
  }

  /** Writes initial values for this layer's state into {@code state[offset..]}. */
  default void initState(Shape input, float[] state, int offset) {}

  /**
   * Binds this spec to its parameters and state. {@code stateOffset} is the index of this
   * layer's state in the model vector (parameters, then state) that inference reads.
   */
  default Layer instantiate(Shape input, int paramOffset, int stateOffset) {
    return instantiate(input, paramOffset);
  }

  /**
   * Updates this layer's state (at {@code offset} of the state vector) on the driver from the
   * global batch's statistics, which the layers added into {@code stats} (same layout as the
   * state) during the iteration's forward passes over {@code examples} examples.
   */
  default void updateState(Shape input, float[] state, int offset, double[] stats,
      long examples) {}

  /** Hyper-parameters as written in configs (without {@code type}), for saving and printing. */
  default Map<String, Object> config() {
    return Map.of();
  }
}
