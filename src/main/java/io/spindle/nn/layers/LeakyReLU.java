package io.spindle.nn.layers;

import java.util.Map;

/** Leaky ReLU: x for x > 0, alpha * x otherwise. */
public final class LeakyReLU extends Activation {

  private final float alpha;

  public LeakyReLU(float alpha) {
    if (!(alpha >= 0f && alpha < 1f)) {
      throw new IllegalArgumentException("leaky-relu: alpha must be in [0, 1), got " + alpha);
    }
    this.alpha = alpha;
  }

  public LeakyReLU() {
    this(0.01f);
  }

  public float alpha() {
    return alpha;
  }

  @Override
  public String kind() {
    return "leaky-relu";
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("alpha", (double) alpha);
  }

  @Override
  protected void apply(float[] x, float[] y, int len) {
    for (int i = 0; i < len; i++) {
      float v = x[i];
      y[i] = v > 0f ? v : alpha * v;
    }
  }

  @Override
  protected void derivative(float[] x, float[] y, float[] dy, float[] dx, int len) {
    for (int i = 0; i < len; i++) {
      dx[i] = x[i] > 0f ? dy[i] : alpha * dy[i];
    }
  }
}
