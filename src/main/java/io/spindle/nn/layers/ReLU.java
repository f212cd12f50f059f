package io.spindle.nn.layers;

/** ReLU: max(0, x). */
public final class ReLU extends Activation {

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
    for (int i = 0; i < len; i++) {
      dx[i] = x[i] > 0f ? dy[i] : 0f;
    }
  }
}
