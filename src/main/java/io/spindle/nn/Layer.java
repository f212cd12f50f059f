package io.spindle.nn;

import io.spindle.tensor.Shape;

/**
 * A layer instantiated for computation: it knows its input and output shapes and where its
 * parameters sit in the network's flat parameter vector, and it owns reusable buffers.
 *
 * <p>Batches are NCHW: {@code n} examples one after another, each {@code shape.size()} floats.
 * Buffers only grow, so a partition that trains batch after batch allocates nothing per batch.
 * Instances are not thread-safe: each task builds its own {@link Network}.
 */
public abstract class Layer {

  protected final Shape inputShape;
  protected final Shape outputShape;
  /** Offset of this layer's parameters in the flat parameter (and gradient) vector. */
  protected final int paramOffset;

  protected float[] output = new float[0];
  protected float[] gradInput = new float[0];

  protected Layer(Shape inputShape, Shape outputShape, int paramOffset) {
    this.inputShape = inputShape;
    this.outputShape = outputShape;
    this.paramOffset = paramOffset;
  }

  /**
   * Computes the outputs for {@code n} examples.
   *
   * @param params the network's flat parameter vector (read only)
   * @param input n x inputShape floats (the array may be longer)
   * @return this layer's output buffer, valid until the next forward call
   */
  public abstract float[] forward(float[] params, float[] input, int n, boolean training);

  /**
   * Back-propagates {@code gradOutput} (dLoss/dOutput for the last forward batch).
   * Parameter gradients are <em>added</em> into {@code grads} at this layer's offset.
   *
   * @param input the same input given to the last {@link #forward}
   * @param computeGradInput false for the first layer, whose input gradient nobody needs
   * @return dLoss/dInput (this layer's buffer), or null when not computed
   */
  public abstract float[] backward(float[] params, float[] grads, float[] input,
      float[] gradOutput, int n, boolean computeGradInput);

  /** Re-seeds stochastic layers (dropout); deterministic layers ignore it. */
  public void reseed(long seed) {}

  /**
   * Adds the statistics of the last training-mode forward pass that this layer's state update
   * needs (batch normalization: per-channel sums and sums of squares of its input) into
   * {@code stats}, at this layer's state offset minus {@code base} (the state's start in the
   * model vector). Layers without state add nothing.
   */
  public void addBatchStatistics(double[] stats, int base) {}

  /**
   * Asks this layer to apply ReLU to its own output, in the pass that already writes it, and
   * to mask its output gradient by that output in backward; returns whether it will.
   * {@link Network} calls it for a layer followed by a ReLU, which it then {@link #fold}s.
   */
  public boolean fuseRelu() {
    return false;
  }

  /** Whether this is a ReLU that {@link #fold} can turn into a pass-through. */
  public boolean foldable() {
    return false;
  }

  /** A ReLU whose layer before applies it: forward and backward hand their argument on. */
  public void fold() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be folded");
  }

  public Shape inputShape() {
    return inputShape;
  }

  public Shape outputShape() {
    return outputShape;
  }

  /** The output buffer of the last forward call (n x outputShape valid floats). */
  public float[] lastOutput() {
    return output;
  }

  /** The input-gradient buffer of the last backward call. */
  public float[] lastGradInput() {
    return gradInput;
  }

  protected final float[] outputBuffer(int n) {
    output = ensure(output, (long) n * outputShape.size());
    return output;
  }

  protected final float[] gradInputBuffer(int n) {
    gradInput = ensure(gradInput, (long) n * inputShape.size());
    return gradInput;
  }

  /** Returns {@code buf} if it holds {@code size} floats, else a larger array. */
  protected static float[] ensure(float[] buf, long size) {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("batch buffer of " + size + " floats is too large; use a smaller batch");
    }
    return buf.length >= size ? buf : new float[(int) size];
  }
}
