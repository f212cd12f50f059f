package io.spindle.nn.layers;

import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Loops;
import io.spindle.tensor.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Batch normalization (Ioffe and Szegedy), per channel of a conv input (statistics over the
 * examples and pixels) or per feature of a vector input, with a learnable scale and shift:
 * y = gamma (x - mean) / sqrt(var + epsilon) + beta.
 *
 * <p>Training uses the statistics of the batch the layer sees (biased variance). In data-parallel
 * training that is each partition's share of the global batch ("ghost" batch normalization,
 * docs/config-reference.md); the single-process reference computes the same shares. Inference
 * uses the running mean and variance, which the driver updates once per iteration from the
 * whole global batch's sums ({@link #updateState}), as PyTorch does:
 * running = (1 - momentum) running + momentum batch, with the unbiased batch variance.
 *
 * <p>Parameters: gamma [C] (1 at start), beta [C] (0). State: running mean [C] (0), running
 * variance [C] (1). Batch statistics for the update: sums [C] and sums of squares [C] of the
 * input, in the state's layout.
 */
public record BatchNorm(double momentum, double epsilon) implements LayerSpec {

  public static final double DEFAULT_MOMENTUM = 0.1;
  public static final double DEFAULT_EPSILON = 1e-5;

  public BatchNorm {
    if (!(momentum > 0.0 && momentum <= 1.0)) {
      throw new IllegalArgumentException("batch-norm: momentum must be in (0, 1] (the weight of"
          + " the new batch in the running statistics, as in PyTorch), got " + momentum);
    }
    if (!(epsilon > 0.0 && Double.isFinite(epsilon))) {
      throw new IllegalArgumentException("batch-norm: epsilon must be positive, got " + epsilon);
    }
  }

  public BatchNorm() {
    this(DEFAULT_MOMENTUM, DEFAULT_EPSILON);
  }

  @Override
  public String kind() {
    return "batch-norm";
  }

  @Override
  public Shape outputShape(Shape input) {
    return input;
  }

  @Override
  public int paramCount(Shape input) {
    return 2 * input.channels();
  }

  @Override
  public void initParams(Shape input, float[] params, int offset, SplittableRandom rng) {
    int c = input.channels();
    Arrays.fill(params, offset, offset + c, 1f);
    Arrays.fill(params, offset + c, offset + 2 * c, 0f);
  }

  @Override
  public int stateCount(Shape input) {
    return 2 * input.channels();
  }

  @Override
  public void initState(Shape input, float[] state, int offset) {
    int c = input.channels();
    Arrays.fill(state, offset, offset + c, 0f);
    Arrays.fill(state, offset + c, offset + 2 * c, 1f);
  }

  @Override
  public void updateState(Shape input, float[] state, int offset, double[] stats,
      long examples) {
    int channels = input.channels();
    double count = (double) examples * input.height() * input.width();
    if (count <= 0) {
      return;
    }
    for (int c = 0; c < channels; c++) {
      double mean = stats[offset + c] / count;
      double var = Math.max(0.0, stats[offset + channels + c] / count - mean * mean);
      double unbiased = count > 1 ? var * count / (count - 1) : var;
      state[offset + c] = (float) ((1 - momentum) * state[offset + c] + momentum * mean);
      state[offset + channels + c] = (float) ((1 - momentum) * state[offset + channels + c]
          + momentum * unbiased);
    }
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    throw new IllegalStateException("batch-norm needs its state offset; instantiate it through"
        + " NetworkSpec.instantiate()");
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset, int stateOffset) {
    return new Instance(this, input, paramOffset, stateOffset);
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("momentum", momentum);
    c.put("epsilon", epsilon);
    return c;
  }

  static final class Instance extends Layer {
    private final int channels;
    private final int spatial;
    private final int stateOffset;
    private final float epsilon;
    /** The normalized input of the last forward pass, kept for backward. */
    private float[] xhat = new float[0];
    /** Per channel: 1 / sqrt(var + eps) of the last forward pass (batch or running). */
    private final float[] invStd;
    private final double[] sum;
    private final double[] sumSq;
    /** Two running sums for the loops of {@link Loops} (no allocation per call). */
    private final double[] sums = new double[2];
    private int lastN;
    private boolean lastTraining;
    /** ReLU applied in the normalize pass (a following ReLU layer is folded in). */
    private boolean relu;
    /** The masked output gradient when there is no input-gradient buffer to hold it. */
    private float[] masked = new float[0];

    Instance(BatchNorm spec, Shape input, int paramOffset, int stateOffset) {
      super(input, input, paramOffset);
      this.channels = input.channels();
      this.spatial = input.height() * input.width();
      this.stateOffset = stateOffset;
      this.epsilon = (float) spec.epsilon;
      this.invStd = new float[channels];
      this.sum = new double[channels];
      this.sumSq = new double[channels];
    }

    @Override
    public boolean fuseRelu() {
      relu = true;
      return true;
    }

    @Override
    public float[] forward(float[] params, float[] in, int n, boolean training) {
      float[] y = outputBuffer(n);
      xhat = ensure(xhat, (long) n * channels * spatial);
      lastN = n;
      lastTraining = training;
      int plane = channels * spatial;
      for (int c = 0; c < channels; c++) {
        float mean;
        if (training) {
          // Per plane in vector lanes, across planes in double (Loops).
          sums[0] = 0;
          sums[1] = 0;
          for (int j = 0; j < n; j++) {
            Loops.sumAndDot(in, in, j * plane + c * spatial, spatial, sums);
          }
          sum[c] = sums[0];
          sumSq[c] = sums[1];
          double m = (double) n * spatial;
          mean = (float) (sums[0] / m);
          // Two passes: the variance about the mean, not sumSq / m - mean^2, which cancels.
          double dev = 0;
          for (int j = 0; j < n; j++) {
            dev += Loops.squaredDeviations(in, j * plane + c * spatial, spatial, mean);
          }
          invStd[c] = (float) (1.0 / Math.sqrt(dev / m + epsilon));
        } else {
          if (params.length < stateOffset + 2 * channels) {
            throw new IllegalArgumentException("batch-norm in inference mode reads its running"
                + " statistics after the parameters; pass the model vector (" + (stateOffset
                + 2 * channels) + "+ floats: parameters, then state), not the " + params.length
                + " parameters alone");
          }
          mean = params[stateOffset + c];
          invStd[c] = (float) (1.0 / Math.sqrt(params[stateOffset + channels + c] + epsilon));
        }
        float inv = invStd[c];
        float gamma = params[paramOffset + c];
        float beta = params[paramOffset + channels + c];
        for (int j = 0; j < n; j++) {
          Loops.normalize(in, j * plane + c * spatial, spatial, mean, inv, gamma, beta, relu,
              xhat, y);
        }
      }
      return y;
    }

    @Override
    public float[] backward(float[] params, float[] grads, float[] in, float[] dy, int n,
        boolean computeGradInput) {
      float[] dx = computeGradInput ? gradInputBuffer(n) : null;
      int plane = channels * spatial;
      double m = (double) n * spatial;
      // With a folded ReLU the gradient is first masked by the rectified output, into the
      // input-gradient buffer (which the normalization's gradient then overwrites in place).
      float[] g = dy;
      if (relu) {
        g = dx != null ? dx : (masked = ensure(masked, (long) n * plane));
      }
      for (int c = 0; c < channels; c++) {
        sums[0] = 0;
        sums[1] = 0;
        for (int j = 0; j < n; j++) {
          int from = j * plane + c * spatial;
          if (relu) {
            Loops.reluGradientSumAndDot(output, dy, xhat, from, spatial, g, sums);
          } else {
            Loops.sumAndDot(dy, xhat, from, spatial, sums);
          }
        }
        double dBeta = sums[0];
        double dGamma = sums[1];
        grads[paramOffset + c] += (float) dGamma;
        grads[paramOffset + channels + c] += (float) dBeta;
        if (dx == null) {
          continue;
        }
        float scale = params[paramOffset + c] * invStd[c];
        if (lastTraining) {
          // The mean and variance depend on every input of the batch:
          // dx = gamma / sigma (dy - mean(dy) - xhat mean(dy xhat)).
          float meanDy = (float) (dBeta / m);
          float meanDyXhat = (float) (dGamma / m);
          for (int j = 0; j < n; j++) {
            Loops.normGradient(g, xhat, j * plane + c * spatial, spatial, scale, meanDy,
                meanDyXhat, dx);
          }
        } else {
          for (int j = 0; j < n; j++) {
            Loops.normGradient(g, xhat, j * plane + c * spatial, spatial, scale, 0f, 0f, dx);
          }
        }
      }
      return dx;
    }

    @Override
    public void addBatchStatistics(double[] stats, int base) {
      if (!lastTraining || lastN == 0) {
        return;
      }
      int at = stateOffset - base;
      for (int c = 0; c < channels; c++) {
        stats[at + c] += sum[c];
        stats[at + channels + c] += sumSq[c];
      }
    }
  }
}
