package io.spindle.nn.layers;

/** Logistic sigmoid 1 / (1 + e^-x); f' = y (1 - y). */
public final class Sigmoid extends Activation {

  @Override
  public String kind() {
    return "sigmoid";
  }

  /** Numerically stable for large |x| (never evaluates e^x for large positive x). */
  public static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  @Override
  protected void apply(float[] x, float[] y, int len) {
    for (int i = 0; i < len; i++) {
      y[i] = (float) sigmoid(x[i]);
    }
  }

  @Override
  protected void derivative(float[] x, float[] y, float[] dy, float[] dx, int len) {
    for (int i = 0; i < len; i++) {
      float s = y[i];
      dx[i] = dy[i] * s * (1f - s);
    }
  }
}
