package io.spindle.nn.layers;

import io.spindle.nn.Layer;
import io.spindle.tensor.Shape;

/** ReLU: max(0, x). */
public final class ReLU extends Activation {

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    Layer plain = super.instantiate(input, paramOffset);
    return new Layer(input, input, paramOffset) {
      private boolean folded;

      @Override
      public float[] forward(float[] params, float[] in, int n, boolean training) {
        output = folded ? in : plain.forward(params, in, n, training);
        return output;
      }

      @Override
      public float[] backward(float[] params, float[] grads, float[] in, float[] gradOutput,
          int n, boolean computeGradInput) {
        if (!computeGradInput) {
          return null;
        }
        // Folded: the layer before masks the gradient by its (rectified) output itself.
        gradInput = folded ? gradOutput
            : plain.backward(params, grads, in, gradOutput, n, true);
        return gradInput;
      }

      @Override
      public boolean foldable() {
        return true;
      }

      @Override
      public void fold() {
        folded = true;
      }
    };
  }

  @Override
  public String kind() {
    return "relu";
  }

  @Override
  protected void apply(float[] x, float[] y, int len) {
    for (int i = 0; i < len; i++) {
      y[i] = Math.max(0f, x[i]);
    }
  }

  @Override
  protected void derivative(float[] x, float[] y, float[] dy, float[] dx, int len) {
    // dy where x > 0, else 0, as a bit mask: positive floats are exactly the positive ints.
    // The obvious "x > 0 ? dy : 0" compiles to a branch that mispredicts on half the values of
    // real data and was 7x slower.
    for (int i = 0; i < len; i++) {
      int keep = Float.floatToRawIntBits(x[i]) > 0 ? -1 : 0;
      dx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & keep);
    }
  }
}
