package io.spindle.nn.layers;

import io.spindle.nn.Layer;
import io.spindle.tensor.Shape;

/**
 * Softmax over each example's features. For training a classifier prefer the fused, stable
 * {@code softmax-cross-entropy} loss on logits; this layer is for networks that need the
 * probabilities inside the graph. Backward is the Jacobian-vector product
 * dx_i = y_i (dy_i - sum_j dy_j y_j).
 */
public final class Softmax extends Activation {

  @Override
  public String kind() {
    return "softmax";
  }

  @Override
  protected void apply(float[] x, float[] y, int len) {
    throw new UnsupportedOperationException("softmax is applied per example");
  }

  @Override
  protected void derivative(float[] x, float[] y, float[] dy, float[] dx, int len) {
    throw new UnsupportedOperationException("softmax is applied per example");
  }

  /** Stable softmax of {@code x[off..off+k)} into {@code y[off..off+k)}. */
  public static void softmax(float[] x, float[] y, int off, int k) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < k; i++) {
      max = Math.max(max, x[off + i]);
    }
    double sum = 0;
    for (int i = 0; i < k; i++) {
      float e = (float) Math.exp(x[off + i] - max);
      y[off + i] = e;
      sum += e;
    }
    float inv = (float) (1.0 / sum);
    for (int i = 0; i < k; i++) {
      y[off + i] *= inv;
    }
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    int k = input.size();
    return new Layer(input, input, paramOffset) {
      @Override
      public float[] forward(float[] params, float[] in, int n, boolean training) {
        float[] y = outputBuffer(n);
        for (int j = 0; j < n; j++) {
          softmax(in, y, j * k, k);
        }
        return y;
      }

      @Override
      public float[] backward(float[] params, float[] grads, float[] in, float[] dy, int n,
          boolean computeGradInput) {
        if (!computeGradInput) {
          return null;
        }
        float[] dx = gradInputBuffer(n);
        for (int j = 0; j < n; j++) {
          int off = j * k;
          double dot = 0;
          for (int i = 0; i < k; i++) {
            dot += dy[off + i] * output[off + i];
          }
          for (int i = 0; i < k; i++) {
            dx[off + i] = output[off + i] * (float) (dy[off + i] - dot);
          }
        }
        return dx;
      }
    };
  }

}
