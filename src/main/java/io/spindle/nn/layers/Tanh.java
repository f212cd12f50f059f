package io.spindle.nn.layers;

/** Hyperbolic tangent; f' = 1 - y^2. */
public final class Tanh extends Activation {

  @Override
  public String kind() {
    return "tanh";
  }

  @Override
  protected void apply(float[] x, float[] y, int len) {
    for (int i = 0; i < len; i++) {
      y[i] = (float) Math.tanh(x[i]);
    }
  }

  @Override
  protected void derivative(float[] x, float[] y, float[] dy, float[] dx, int len) {
    for (int i = 0; i < len; i++) {
      float t = y[i];
      dx[i] = dy[i] * (1f - t * t);
    }
  }
}
