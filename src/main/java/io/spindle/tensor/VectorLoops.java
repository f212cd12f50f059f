package io.spindle.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise loops that C2 does not vectorize on its own, written in the Vector API. Reached
 * through {@link Loops} only where {@link Blas#VECTOR_API} says the JVM has the module.
 */
final class VectorLoops {

  /**
   * The vector shape of every Spindle kernel: the one netlib's VectorBLAS uses (SPECIES_MAX;
   * on AVX-512 the same 16 lanes as SPECIES_PREFERRED, but another class). With two classes
   * in one JVM, the Vector API's shared code saw both, and in about one JVM in four C2
   * compiled FloatVector.fma without its intrinsic: every product then allocated its vectors
   * and ran 3-4x slower (LeNet-5's VectorBLAS step 4,200-4,700 images/s against 13,000-15,800;
   * JFR allocation samples in Float512Vector.lanewise, from NarrowGemm and netlib alike).
   */
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_MAX;

  private static final VectorSpecies<Float> S = SPECIES;
  private static final int L = S.length();
  static final int LANES = L;

  private VectorLoops() {}

  /**
   * dst[d .. d + n) += src[s .. s + n). C2 leaves this loop scalar (the two ranges may be the
   * same array); explicit vectors made im2col's wide col2im 2.9x faster.
   */
  static void addInto(float[] src, int s, float[] dst, int d, int n) {
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i))
          .intoArray(dst, d + i);
    }
    for (; i < n; i++) {
      dst[d + i] += src[s + i];
    }
  }

  /** {@link Loops#reluGradientSum}: the bit test as an integer compare, lane by lane. */
  static float reluGradientSum(float[] y, float[] g, int s, float[] dst, int d, int n) {
    FloatVector sum = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      VectorMask<Integer> positive = FloatVector.fromArray(S, y, s + i).reinterpretAsInts()
          .compare(VectorOperators.GT, 0);
      FloatVector kept = FloatVector.fromArray(S, g, s + i).reinterpretAsInts()
          .and(IntVector.zero(IntVector.SPECIES_MAX).blend(-1, positive))
          .reinterpretAsFloats();
      kept.intoArray(dst, d + i);
      sum = sum.add(kept);
    }
    float tail = 0f;
    for (; i < n; i++) {
      int keep = Float.floatToRawIntBits(y[s + i]) > 0 ? -1 : 0;
      float v = Float.intBitsToFloat(Float.floatToRawIntBits(g[s + i]) & keep);
      dst[d + i] = v;
      tail += v;
    }
    return sum.reduceLanes(VectorOperators.ADD) + tail;
  }

  /** {@link Loops#copySum}. */
  static float copySum(float[] g, int s, float[] dst, int d, int n) {
    FloatVector sum = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector v = FloatVector.fromArray(S, g, s + i);
      v.intoArray(dst, d + i);
      sum = sum.add(v);
    }
    float tail = 0f;
    for (; i < n; i++) {
      dst[d + i] = g[s + i];
      tail += g[s + i];
    }
    return sum.reduceLanes(VectorOperators.ADD) + tail;
  }

  /** {@link Loops#squaredDeviations}. */
  static double squaredDeviations(float[] v, int from, int n, float mean) {
    FloatVector m = FloatVector.broadcast(S, mean);
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector d = FloatVector.fromArray(S, v, from + i).sub(m);
      acc = d.fma(d, acc);
    }
    double dev = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      double d = v[from + i] - mean;
      dev += d * d;
    }
    return dev;
  }

  /** {@link Loops#normalize}. */
  static void normalize(float[] in, int from, int n, float mean, float inv, float gamma,
      float beta, boolean relu, float[] xhat, float[] y) {
    FloatVector m = FloatVector.broadcast(S, mean);
    FloatVector scale = FloatVector.broadcast(S, inv);
    FloatVector g = FloatVector.broadcast(S, gamma);
    FloatVector b = FloatVector.broadcast(S, beta);
    // Without a ReLU the floor is -infinity, which max leaves alone: one loop for both.
    FloatVector floor = FloatVector.broadcast(S, relu ? 0f : Float.NEGATIVE_INFINITY);
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector h = FloatVector.fromArray(S, in, from + i).sub(m).mul(scale);
      h.intoArray(xhat, from + i);
      h.fma(g, b).max(floor).intoArray(y, from + i);
    }
    for (; i < n; i++) {
      float h = (in[from + i] - mean) * inv;
      xhat[from + i] = h;
      y[from + i] = relu ? Math.max(0f, gamma * h + beta) : gamma * h + beta;
    }
  }

  /** {@link Loops#reluGradientSumAndDot}. */
  static void reluGradientSumAndDot(float[] y, float[] dy, float[] h, int from, int n,
      float[] g, double[] into) {
    FloatVector sum = FloatVector.zero(S);
    FloatVector dot = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      VectorMask<Integer> positive = FloatVector.fromArray(S, y, from + i).reinterpretAsInts()
          .compare(VectorOperators.GT, 0);
      FloatVector kept = FloatVector.fromArray(S, dy, from + i).reinterpretAsInts()
          .and(IntVector.zero(IntVector.SPECIES_MAX).blend(-1, positive))
          .reinterpretAsFloats();
      kept.intoArray(g, from + i);
      sum = sum.add(kept);
      dot = kept.fma(FloatVector.fromArray(S, h, from + i), dot);
    }
    double s = sum.reduceLanes(VectorOperators.ADD);
    double d = dot.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      int keep = Float.floatToRawIntBits(y[from + i]) > 0 ? -1 : 0;
      float v = Float.intBitsToFloat(Float.floatToRawIntBits(dy[from + i]) & keep);
      g[from + i] = v;
      s += v;
      d += (double) v * h[from + i];
    }
    into[0] += s;
    into[1] += d;
  }

  /** {@link Loops#sumAndDot}. */
  static void sumAndDot(float[] g, float[] h, int from, int n, double[] into) {
    FloatVector sum = FloatVector.zero(S);
    FloatVector dot = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector x = FloatVector.fromArray(S, g, from + i);
      sum = sum.add(x);
      dot = x.fma(FloatVector.fromArray(S, h, from + i), dot);
    }
    double s = sum.reduceLanes(VectorOperators.ADD);
    double d = dot.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += g[from + i];
      d += (double) g[from + i] * h[from + i];
    }
    into[0] += s;
    into[1] += d;
  }

  /** {@link Loops#normGradient}. */
  static void normGradient(float[] dy, float[] xhat, int from, int n, float scale,
      float meanDy, float meanDyXhat, float[] dx) {
    FloatVector k = FloatVector.broadcast(S, scale);
    FloatVector md = FloatVector.broadcast(S, meanDy);
    FloatVector mdx = FloatVector.broadcast(S, meanDyXhat);
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector d = FloatVector.fromArray(S, dy, from + i).sub(md)
          .sub(FloatVector.fromArray(S, xhat, from + i).mul(mdx));
      d.mul(k).intoArray(dx, from + i);
    }
    for (; i < n; i++) {
      dx[from + i] = scale * (dy[from + i] - meanDy - xhat[from + i] * meanDyXhat);
    }
  }

  /** {@link Loops#copyRuns}. */
  static void copyRuns(float[] src, int s, int srcStep, float[] dst, int d, int dstStep,
      int count) {
    for (int r = 0; r < count; r++) {
      FloatVector.fromArray(S, src, s + r * srcStep).intoArray(dst, d + r * dstStep);
    }
  }

  /** {@link Loops#copyRun}. */
  static void copyRun(float[] src, int s, float[] dst, int d) {
    FloatVector.fromArray(S, src, s).intoArray(dst, d);
  }
}
