package io.spindle.nn.layers;

import java.util.Map;

/** Leaky ReLU: x for x > 0, alpha * x otherwise. */
public final class LeakyReLU extends Activation {

  private static final int ONE_BITS = Float.floatToRawIntBits(1f);

  private final float alpha;
  private final int alphaBits;

  public LeakyReLU(float alpha) {
    if (!(alpha >= 0f && alpha < 1f)) {
      throw new IllegalArgumentException("leaky-relu: alpha must be in [0, 1), got " + alpha);
    }
    this.alpha = alpha;
    this.alphaBits = Float.floatToRawIntBits(alpha);
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
    // The slope picked by an integer select (positive floats are exactly the positive ints):
    // a float "v > 0 ? v : alpha * v" compiles to a branch that mispredicts on real data.
    for (int i = 0; i < len; i++) {
      float v = x[i];
      int slope = Float.floatToRawIntBits(v) > 0 ? ONE_BITS : alphaBits;
      y[i] = v * Float.intBitsToFloat(slope);
    }
  }

  @Override
  protected void derivative(float[] x, float[] y, float[] dy, float[] dx, int len) {
    for (int i = 0; i < len; i++) {
      int slope = Float.floatToRawIntBits(x[i]) > 0 ? ONE_BITS : alphaBits;
      dx[i] = dy[i] * Float.intBitsToFloat(slope);
    }
  }
}
