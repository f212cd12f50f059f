package io.spindle.tensor;

/**
 * Element-wise loops of the layers' hot paths that C2 leaves scalar: in the Vector API
 * ({@link VectorLoops}) where the JVM has it, else plain loops with the same results up to
 * the order of float additions.
 */
public final class Loops {

  private Loops() {}

  /** dst[d .. d + n) += src[s .. s + n). */
  public static void addInto(float[] src, int s, float[] dst, int d, int n) {
    if (Blas.VECTOR_API) {
      VectorLoops.addInto(src, s, dst, d, n);
      return;
    }
    for (int i = 0; i < n; i++) {
      dst[d + i] += src[s + i];
    }
  }

  /**
   * dst[d .. d + n) = g[s .. s + n) where the rectified output y[s ..] is positive, else 0
   * (a ReLU's backward, x > 0 tested on the bits: positive floats are the positive ints), and
   * returns the sum of what was written (a bias gradient).
   */
  public static float reluGradientSum(float[] y, float[] g, int s, float[] dst, int d, int n) {
    if (Blas.VECTOR_API) {
      return VectorLoops.reluGradientSum(y, g, s, dst, d, n);
    }
    for (int i = 0; i < n; i++) {
      // No branch: it mispredicts on real data.
      int keep = Float.floatToRawIntBits(y[s + i]) > 0 ? -1 : 0;
      dst[d + i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[s + i]) & keep);
    }
    return sum(dst, d, n);
  }

  /** dst[d .. d + n) = g[s .. s + n), returning their sum. */
  public static float copySum(float[] g, int s, float[] dst, int d, int n) {
    if (Blas.VECTOR_API) {
      return VectorLoops.copySum(g, s, dst, d, n);
    }
    System.arraycopy(g, s, dst, d, n);
    return sum(dst, d, n);
  }

  /** The sum of v[from .. from + n), in four partial sums: one is a chain of dependent adds. */
  private static float sum(float[] v, int from, int n) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += v[from + i];
      s1 += v[from + i + 1];
      s2 += v[from + i + 2];
      s3 += v[from + i + 3];
    }
    for (; i < n; i++) {
      s0 += v[from + i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
