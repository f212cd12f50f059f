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
   * dst[d .. d + n) = src[s .. s + n) + bias, rectified if {@code relu}: a convolution's
   * output pass from its product's result (im2col's and the shifted forward's).
   */
  public static void addBias(float[] src, int s, float[] dst, int d, int n, float bias,
      boolean relu) {
    if (relu) {
      for (int i = 0; i < n; i++) {
        dst[d + i] = Math.max(0f, src[s + i] + bias);
      }
    } else {
      for (int i = 0; i < n; i++) {
        dst[d + i] = src[s + i] + bias;
      }
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

  /** The sum of (v[i] - mean)^2 over v[from .. from + n). */
  public static double squaredDeviations(float[] v, int from, int n, float mean) {
    if (Blas.VECTOR_API) {
      return VectorLoops.squaredDeviations(v, from, n, mean);
    }
    double dev = 0;
    for (int i = from; i < from + n; i++) {
      double d = v[i] - mean;
      dev += d * d;
    }
    return dev;
  }

  /**
   * xhat[i] = (in[i] - mean) * inv and y[i] = gamma xhat[i] + beta, rectified (max with 0)
   * when {@code relu}, i in [from, from + n).
   */
  public static void normalize(float[] in, int from, int n, float mean, float inv, float gamma,
      float beta, boolean relu, float[] xhat, float[] y) {
    if (Blas.VECTOR_API) {
      VectorLoops.normalize(in, from, n, mean, inv, gamma, beta, relu, xhat, y);
      return;
    }
    for (int i = from; i < from + n; i++) {
      float h = (in[i] - mean) * inv;
      xhat[i] = h;
      y[i] = relu ? Math.max(0f, gamma * h + beta) : gamma * h + beta;
    }
  }

  /**
   * g[i] = dy[i] where the rectified output y[i] is positive, else 0 (a folded ReLU's
   * backward), for i in [from, from + n); adds the sum of g to {@code into[0]} and of
   * g[i] h[i] to {@code into[1]}, as {@link #sumAndDot}.
   */
  public static void reluGradientSumAndDot(float[] y, float[] dy, float[] h, int from, int n,
      float[] g, double[] into) {
    if (Blas.VECTOR_API) {
      VectorLoops.reluGradientSumAndDot(y, dy, h, from, n, g, into);
      return;
    }
    double s = 0;
    double dot = 0;
    for (int i = from; i < from + n; i++) {
      // No branch: it mispredicts on real data.
      int keep = Float.floatToRawIntBits(y[i]) > 0 ? -1 : 0;
      float v = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & keep);
      g[i] = v;
      s += v;
      dot += (double) v * h[i];
    }
    into[0] += s;
    into[1] += dot;
  }

  /**
   * Adds the sum of g[from .. from + n) to {@code into[0]} and of g[i] h[i] to {@code into[1]}:
   * batch norm's statistics of one plane (g = h: its sum and sum of squares) and its gradient
   * sums. The vector path sums in float lanes, each over n / 16 values of a plane, then adds
   * the plane's total in double.
   */
  public static void sumAndDot(float[] g, float[] h, int from, int n, double[] into) {
    if (Blas.VECTOR_API) {
      VectorLoops.sumAndDot(g, h, from, n, into);
      return;
    }
    double s = 0;
    double dot = 0;
    for (int i = from; i < from + n; i++) {
      s += g[i];
      dot += (double) g[i] * h[i];
    }
    into[0] += s;
    into[1] += dot;
  }

  /** dx[i] = scale * (dy[i] - meanDy - xhat[i] * meanDyXhat), for i in [from, from + n). */
  public static void normGradient(float[] dy, float[] xhat, int from, int n, float scale,
      float meanDy, float meanDyXhat, float[] dx) {
    if (Blas.VECTOR_API) {
      VectorLoops.normGradient(dy, xhat, from, n, scale, meanDy, meanDyXhat, dx);
      return;
    }
    for (int i = from; i < from + n; i++) {
      dx[i] = scale * (dy[i] - meanDy - xhat[i] * meanDyXhat);
    }
  }

  /** The floats {@link #copyRun} copies: one vector, or 0 without the Vector API. */
  public static int copyRunLength() {
    return Blas.VECTOR_API ? VectorLoops.LANES : 0;
  }

  /**
   * Copies {@link #copyRunLength} floats, src[s ..] to dst[d ..]: a shorter run plus whatever
   * follows it. Callers make sure both ranges hold that many floats and that the floats after
   * the run are overwritten later.
   */
  public static void copyRun(float[] src, int s, float[] dst, int d) {
    VectorLoops.copyRun(src, s, dst, d);
  }

  /**
   * {@link #copyRun} for {@code count} runs (count may be 0 or negative: none): run r from
   * src[s + r srcStep ..] to dst[d + r dstStep ..]. Returns the runs copied.
   */
  public static int copyRuns(float[] src, int s, int srcStep, float[] dst, int d, int dstStep,
      int count) {
    if (count <= 0) {
      return 0;
    }
    VectorLoops.copyRuns(src, s, srcStep, dst, d, dstStep, count);
    return count;
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
