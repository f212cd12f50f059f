package io.spindle.nn.layers;

import io.spindle.nn.Init;
import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Blas;
import io.spindle.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fully connected layer, Z = W A + b, on a whole batch with one sgemm.
 *
 * <p>Parameters: W as a column-major (units x inputs) matrix, then b (units). A batch of n
 * examples is a column-major (inputs x n) matrix, one example per column, so
 * forward is sgemm(W, A), dW = dZ A^T, db = row sums of dZ, dA = W^T dZ.
 * Any input shape is accepted and read as a flat vector.
 */
public record Dense(int units, Init init) implements LayerSpec {

  public Dense {
    if (units <= 0) {
      throw new IllegalArgumentException("dense: units must be positive, got " + units);
    }
  }

  public Dense(int units) {
    this(units, Init.HE_UNIFORM);
  }

  @Override
  public String kind() {
    return "dense";
  }

  @Override
  public Shape outputShape(Shape input) {
    return Shape.vector(units);
  }

  @Override
  public int paramCount(Shape input) {
    return Math.addExact(Math.multiplyExact(units, input.size()), units);
  }

  @Override
  public void initParams(Shape input, float[] params, int offset, SplittableRandom rng) {
    int fanIn = input.size();
    init.fill(params, offset, units * fanIn, fanIn, units, rng);
    java.util.Arrays.fill(params, offset + units * fanIn, offset + units * fanIn + units, 0f);
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    return new Instance(input, outputShape(input), paramOffset);
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("units", units);
    c.put("init", init.configName());
    return c;
  }

  static final class Instance extends Layer {
    private final int in;
    private final int out;
    private final int biasOffset;
    /** ReLU applied after the product (a following ReLU layer is folded in, see Network). */
    private boolean relu;
    /** dZ masked by the folded ReLU, out x n. */
    private float[] masked = new float[0];

    Instance(Shape input, Shape output, int paramOffset) {
      super(input, output, paramOffset);
      this.in = input.size();
      this.out = output.size();
      this.biasOffset = paramOffset + in * out;
    }

    @Override
    public boolean fuseRelu() {
      relu = true;
      return true;
    }

    @Override
    public float[] forward(float[] params, float[] input, int n, boolean training) {
      float[] z = outputBuffer(n);
      // Start Z from the bias in every column, then accumulate W A on top (beta = 1).
      for (int j = 0; j < n; j++) {
        System.arraycopy(params, biasOffset, z, j * out, out);
      }
      Blas.sgemm(false, false, out, n, in, 1f, params, paramOffset, out, input, 0, in, 1f, z, 0, out);
      if (relu) {
        for (int i = 0, end = n * out; i < end; i++) {
          z[i] = Math.max(0f, z[i]);
        }
      }
      return z;
    }

    @Override
    public float[] backward(float[] params, float[] grads, float[] input, float[] gradOutput,
        int n, boolean computeGradInput) {
      if (relu) {
        // dZ where the rectified output is positive (a bit test, as in ReLU).
        masked = ensure(masked, (long) n * out);
        float[] y = output;
        for (int i = 0, end = n * out; i < end; i++) {
          int keep = Float.floatToRawIntBits(y[i]) > 0 ? -1 : 0;
          masked[i] = Float.intBitsToFloat(Float.floatToRawIntBits(gradOutput[i]) & keep);
        }
        gradOutput = masked;
      }
      // dW += dZ (out x n) * A^T (n x in)
      Blas.sgemm(false, true, out, in, n, 1f, gradOutput, 0, out, input, 0, in, 1f,
          grads, paramOffset, out);
      for (int j = 0; j < n; j++) {
        int col = j * out;
        for (int i = 0; i < out; i++) {
          grads[biasOffset + i] += gradOutput[col + i];
        }
      }
      if (!computeGradInput) {
        return null;
      }
      float[] dA = gradInputBuffer(n);
      // dA (in x n) = W^T (in x out) * dZ (out x n)
      Blas.sgemm(true, false, in, n, out, 1f, params, paramOffset, out, gradOutput, 0, out, 0f,
          dA, 0, in);
      return dA;
    }
  }
}
