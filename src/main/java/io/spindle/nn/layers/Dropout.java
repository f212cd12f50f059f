package io.spindle.nn.layers;

import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Shape;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Inverted dropout: in training each value is zeroed with probability {@code rate} and the
 * survivors are scaled by 1/(1-rate), so inference is the identity. The mask comes from a seed
 * set per batch ({@link Layer#reseed}), so runs are reproducible.
 */
public record Dropout(double rate) implements LayerSpec {

  public Dropout {
    if (!(rate >= 0.0 && rate < 1.0)) {
      throw new IllegalArgumentException("dropout: rate must be in [0, 1), got " + rate);
    }
  }

  @Override
  public String kind() {
    return "dropout";
  }

  @Override
  public Shape outputShape(Shape input) {
    return input;
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("rate", rate);
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    return new Instance(input, rate);
  }

  static final class Instance extends Layer {
    private final float rate;
    private final float scale;
    private float[] mask = new float[0];
    private SplittableRandom rng = new SplittableRandom(0);
    private boolean masked;

    Instance(Shape shape, double rate) {
      super(shape, shape, 0);
      this.rate = (float) rate;
      this.scale = (float) (1.0 / (1.0 - rate));
    }

    @Override
    public void reseed(long seed) {
      rng = new SplittableRandom(seed);
    }

    @Override
    public float[] forward(float[] params, float[] in, int n, boolean training) {
      int len = n * inputShape.size();
      masked = training && rate > 0f;
      if (!masked) {
        output = in;
        return in;
      }
      float[] y = outputBuffer(n);
      mask = ensure(mask, len);
      for (int i = 0; i < len; i++) {
        float m = rng.nextDouble() < rate ? 0f : scale;
        mask[i] = m;
        y[i] = in[i] * m;
      }
      return y;
    }

    @Override
    public float[] backward(float[] params, float[] grads, float[] in, float[] dy, int n,
        boolean computeGradInput) {
      if (!computeGradInput) {
        return null;
      }
      if (!masked) {
        gradInput = dy;
        return dy;
      }
      float[] dx = gradInputBuffer(n);
      int len = n * inputShape.size();
      for (int i = 0; i < len; i++) {
        dx[i] = dy[i] * mask[i];
      }
      return dx;
    }
  }
}
