package io.spindle.nn.layers;

import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Shape;

/**
 * Base for element-wise activations y = f(x): shape preserving, no parameters. Subclasses give
 * f and f' (expressed through the input x and the output y, whichever is cheaper).
 */
public abstract class Activation implements LayerSpec {

  @Override
  public Shape outputShape(Shape input) {
    return input;
  }

  /** Writes f(x[i]) into y[i] for i in [0, len). */
  protected abstract void apply(float[] x, float[] y, int len);

  /** Writes dy[i] * f'(x[i]) into dx[i] for i in [0, len); y holds f(x). */
  protected abstract void derivative(float[] x, float[] y, float[] dy, float[] dx, int len);

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    return new Layer(input, input, paramOffset) {
      @Override
      public float[] forward(float[] params, float[] in, int n, boolean training) {
        float[] y = outputBuffer(n);
        apply(in, y, n * inputShape.size());
        return y;
      }

      @Override
      public float[] backward(float[] params, float[] grads, float[] in, float[] gradOutput,
          int n, boolean computeGradInput) {
        if (!computeGradInput) {
          return null;
        }
        float[] dx = gradInputBuffer(n);
        derivative(in, output, gradOutput, dx, n * inputShape.size());
        return dx;
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && config().equals(((LayerSpec) o).config());
  }

  @Override
  public int hashCode() {
    return kind().hashCode() * 31 + config().hashCode();
  }

  @Override
  public String toString() {
    return kind() + (config().isEmpty() ? "" : config().toString());
  }
}
