package io.spindle.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector-API kernels of {@link DirectConv}, on its wide layout. Each register block is a
 * method of its own (see {@link NarrowGemm#product} on C2 boxing vectors in large methods).
 */
final class VectorDirectConv {

  private static final VectorSpecies<Float> S = VectorLoops.SPECIES;
  static final int LANES = S.length();
  private static final int L = LANES;

  private VectorDirectConv() {}

  /**
   * out[f][q] = bias[f] + sum_t w[f][t] x[xOff + q + offsets[t]] for q < wideOutputs, then
   * max(0, .) if relu. w is [paddedFilters][taps].
   */
  static void forward(float[] x, int xOff, float[] w, float[] bias, int taps, int[] offsets,
      int paddedFilters, int wideOutputs, boolean relu, float[] out) {
    for (int f = 0; f < paddedFilters; f += DirectConv.FILTER_BLOCK) {
      for (int q = 0; q < wideOutputs; q += DirectConv.WIDE_BLOCK * L) {
        forwardBlock(x, xOff + q, w, f * taps, taps, offsets, bias[f], bias[f + 1], bias[f + 2],
            relu, out, f * wideOutputs + q, wideOutputs);
      }
    }
  }

  /** Three filters x four vectors of outputs, over every tap. */
  private static void forwardBlock(float[] x, int xBase, float[] w, int wBase, int taps,
      int[] offsets, float b0, float b1, float b2, boolean relu, float[] out, int oBase,
      int plane) {
    FloatVector a00 = FloatVector.broadcast(S, b0);
    FloatVector a01 = a00;
    FloatVector a02 = a00;
    FloatVector a03 = a00;
    FloatVector a10 = FloatVector.broadcast(S, b1);
    FloatVector a11 = a10;
    FloatVector a12 = a10;
    FloatVector a13 = a10;
    FloatVector a20 = FloatVector.broadcast(S, b2);
    FloatVector a21 = a20;
    FloatVector a22 = a20;
    FloatVector a23 = a20;
    for (int t = 0; t < taps; t++) {
      int o = xBase + offsets[t];
      FloatVector x0 = FloatVector.fromArray(S, x, o);
      FloatVector x1 = FloatVector.fromArray(S, x, o + L);
      FloatVector x2 = FloatVector.fromArray(S, x, o + 2 * L);
      FloatVector x3 = FloatVector.fromArray(S, x, o + 3 * L);
      FloatVector w0 = FloatVector.broadcast(S, w[wBase + t]);
      FloatVector w1 = FloatVector.broadcast(S, w[wBase + taps + t]);
      FloatVector w2 = FloatVector.broadcast(S, w[wBase + 2 * taps + t]);
      a00 = x0.fma(w0, a00);
      a01 = x1.fma(w0, a01);
      a02 = x2.fma(w0, a02);
      a03 = x3.fma(w0, a03);
      a10 = x0.fma(w1, a10);
      a11 = x1.fma(w1, a11);
      a12 = x2.fma(w1, a12);
      a13 = x3.fma(w1, a13);
      a20 = x0.fma(w2, a20);
      a21 = x1.fma(w2, a21);
      a22 = x2.fma(w2, a22);
      a23 = x3.fma(w2, a23);
    }
    if (relu) {
      FloatVector zero = FloatVector.zero(S);
      a00 = a00.max(zero);
      a01 = a01.max(zero);
      a02 = a02.max(zero);
      a03 = a03.max(zero);
      a10 = a10.max(zero);
      a11 = a11.max(zero);
      a12 = a12.max(zero);
      a13 = a13.max(zero);
      a20 = a20.max(zero);
      a21 = a21.max(zero);
      a22 = a22.max(zero);
      a23 = a23.max(zero);
    }
    a00.intoArray(out, oBase);
    a01.intoArray(out, oBase + L);
    a02.intoArray(out, oBase + 2 * L);
    a03.intoArray(out, oBase + 3 * L);
    a10.intoArray(out, oBase + plane);
    a11.intoArray(out, oBase + plane + L);
    a12.intoArray(out, oBase + plane + 2 * L);
    a13.intoArray(out, oBase + plane + 3 * L);
    a20.intoArray(out, oBase + 2 * plane);
    a21.intoArray(out, oBase + 2 * plane + L);
    a22.intoArray(out, oBase + 2 * plane + 2 * L);
    a23.intoArray(out, oBase + 2 * plane + 3 * L);
  }

  /**
   * sums[f][t] = sum_q g[f][q] x[xOff + q + offsets[t]] over q < wideOutputs, for every padded
   * filter and tap: g is [paddedFilters][wideOutputs], sums [paddedFilters][paddedTaps].
   */
  static void weightGradient(float[] x, int xOff, float[] g, int paddedTaps, int[] offsets,
      int paddedFilters, int wideOutputs, float[] sums) {
    for (int f = 0; f < paddedFilters; f += DirectConv.FILTER_BLOCK) {
      for (int t = 0; t < paddedTaps; t += DirectConv.WIDE_BLOCK) {
        gradientBlock(x, xOff, offsets[t], offsets[t + 1], offsets[t + 2], offsets[t + 3], g,
            f * wideOutputs, wideOutputs, sums, f * paddedTaps + t, paddedTaps);
      }
    }
  }

  /** Three filters x four taps, over every q. */
  private static void gradientBlock(float[] x, int xOff, int o0, int o1, int o2, int o3,
      float[] g, int gBase, int plane, float[] sums, int sBase, int sRow) {
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = a00;
    FloatVector a02 = a00;
    FloatVector a03 = a00;
    FloatVector a10 = a00;
    FloatVector a11 = a00;
    FloatVector a12 = a00;
    FloatVector a13 = a00;
    FloatVector a20 = a00;
    FloatVector a21 = a00;
    FloatVector a22 = a00;
    FloatVector a23 = a00;
    for (int q = 0; q < plane; q += L) {
      int xq = xOff + q;
      FloatVector x0 = FloatVector.fromArray(S, x, xq + o0);
      FloatVector x1 = FloatVector.fromArray(S, x, xq + o1);
      FloatVector x2 = FloatVector.fromArray(S, x, xq + o2);
      FloatVector x3 = FloatVector.fromArray(S, x, xq + o3);
      FloatVector d0 = FloatVector.fromArray(S, g, gBase + q);
      FloatVector d1 = FloatVector.fromArray(S, g, gBase + plane + q);
      FloatVector d2 = FloatVector.fromArray(S, g, gBase + 2 * plane + q);
      a00 = x0.fma(d0, a00);
      a01 = x1.fma(d0, a01);
      a02 = x2.fma(d0, a02);
      a03 = x3.fma(d0, a03);
      a10 = x0.fma(d1, a10);
      a11 = x1.fma(d1, a11);
      a12 = x2.fma(d1, a12);
      a13 = x3.fma(d1, a13);
      a20 = x0.fma(d2, a20);
      a21 = x1.fma(d2, a21);
      a22 = x2.fma(d2, a22);
      a23 = x3.fma(d2, a23);
    }
    sums[sBase] = a00.reduceLanes(VectorOperators.ADD);
    sums[sBase + 1] = a01.reduceLanes(VectorOperators.ADD);
    sums[sBase + 2] = a02.reduceLanes(VectorOperators.ADD);
    sums[sBase + 3] = a03.reduceLanes(VectorOperators.ADD);
    sums[sBase + sRow] = a10.reduceLanes(VectorOperators.ADD);
    sums[sBase + sRow + 1] = a11.reduceLanes(VectorOperators.ADD);
    sums[sBase + sRow + 2] = a12.reduceLanes(VectorOperators.ADD);
    sums[sBase + sRow + 3] = a13.reduceLanes(VectorOperators.ADD);
    sums[sBase + 2 * sRow] = a20.reduceLanes(VectorOperators.ADD);
    sums[sBase + 2 * sRow + 1] = a21.reduceLanes(VectorOperators.ADD);
    sums[sBase + 2 * sRow + 2] = a22.reduceLanes(VectorOperators.ADD);
    sums[sBase + 2 * sRow + 3] = a23.reduceLanes(VectorOperators.ADD);
  }
}
