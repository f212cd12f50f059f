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

  /** Hyper-parameters as written in configs (without {@code type}), for saving and printing. */
  default Map<String, Object> config() {
    return Map.of();
  }
}
