package io.spindle.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.Init;
import io.spindle.nn.Layer;
import io.spindle.tensor.Blas;
import io.spindle.tensor.DirectConv;
import io.spindle.tensor.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Conv2D's paths against double-precision loops of the textbook definitions, for forward,
 * weight, bias and input gradients, with and without a folded ReLU:
 * <ul>
 *   <li>the direct path ({@link DirectConv}: stride 1, few taps), on geometries awkward for its
 *       register blocks and rounding: filter counts that are not multiples of 3, tap counts
 *       that are not multiples of 4, widths below and above one vector, several channels,
 *       non-square kernels and padding;
 *   <li>im2col + sgemm, with the input gradient in the wide layout (stride 1) or through
 *       col2im over chunks of examples, the chunk forced down to one and two examples so that
 *       a batch ends in a partial chunk;
 *   <li>the shifted path ({@link io.spindle.tensor.ShiftedConv}: stride 1, more taps), both
 *       over shifted views and on im2col with the per-tap input gradient, forced either way.
 * </ul>
 * Each layer runs three batches of changing size, so reused scratch must not leak between them.
 */
class Conv2DPathsTest {

  /** {channels, height, width, filters, kh, kw, padH, padW[, strideH, strideW]}. */
  private static final int[][] GEOMETRIES = {
      {1, 28, 28, 6, 5, 5, 2, 2},   // LeNet-5's conv1
      {1, 28, 28, 24, 3, 3, 1, 1},  // the residual network's stem
      {1, 7, 5, 1, 1, 1, 0, 0},     // one filter, one tap
      {2, 9, 13, 5, 3, 2, 1, 0},    // 12 taps, 5 filters, non-square kernel
      {3, 6, 4, 7, 2, 3, 0, 1},     // 18 taps, narrow image
      {1, 31, 37, 2, 5, 4, 2, 1},   // wider than two vectors, odd sizes
      {4, 5, 5, 4, 2, 2, 1, 1},     // 16 taps over 4 channels
      {1, 3, 3, 8, 5, 5, 2, 2},     // kernel larger than the image
  };

  /** Geometries of the im2col path, in the same layout. */
  private static final int[][] COLUMN_GEOMETRIES = {
      {6, 14, 14, 16, 5, 5, 0, 0},        // LeNet-5's conv2 (wide input gradient)
      {24, 14, 14, 24, 3, 3, 1, 1},       // the residual network's first block (wide)
      {48, 7, 7, 48, 3, 3, 1, 1},         // its 7x7 block: col2im, too wide for the wide layout
      {24, 14, 14, 48, 3, 3, 1, 1, 2, 2}, // its stride-2 convolution
      {24, 14, 14, 48, 1, 1, 0, 0, 2, 2}, // its 1x1 projection
      {3, 11, 8, 5, 3, 2, 1, 0, 3, 2},    // strides 3 and 2 with remainders, non-square
      {2, 9, 9, 3, 6, 6, 0, 0},           // 72 taps at stride 1 with a thin output
  };

  /**
   * Geometries of the shifted path (stride 1, more taps than the direct path takes, padding
   * below the kernel): filter counts past groups of eight, non-square kernels and images,
   * 1x1 kernels, no padding.
   */
  private static final int[][] SHIFTED_GEOMETRIES = {
      {24, 14, 14, 24, 3, 3, 1, 1},  // the residual network's first block
      {48, 7, 7, 48, 3, 3, 1, 1},    // its 7x7 block
      {4, 9, 13, 5, 3, 3, 1, 1},     // 36 taps, 5 filters (single columns only)
      {6, 12, 12, 13, 5, 3, 2, 1},   // non-square kernel, 8 + 5 filters
      {40, 6, 6, 3, 1, 1, 0, 0},     // a 1x1 convolution
      {4, 16, 16, 9, 3, 3, 0, 0},    // no padding: outW < W
      {33, 9, 9, 1, 3, 3, 1, 1},     // one filter, batches under one block of rows
  };

  @Test
  void shiftedPathMatchesDoublePrecisionLoops() {
    SplittableRandom rng = new SplittableRandom(20261208L);
    for (int[] g : SHIFTED_GEOMETRIES) {
      // Both ways, whatever the routing table says for this backend: over shifted views
      // (forward, weight and input gradient on NarrowGemm's offset kernels), and im2col + the
      // BLAS with the per-tap input gradient.
      for (boolean shifted : new boolean[] {true, false}) {
        Blas.overrideShiftedConvolution(shifted);
        try {
          for (boolean relu : new boolean[] {false, true}) {
            Conv2D.Instance layer = check(g, relu, false, 0, rng);
            assertEquals(shifted, layer.isShiftedForward(), "shifted path for " + describe(g));
          }
        } finally {
          Blas.overrideShiftedConvolution(null);
        }
      }
    }
  }

  @Test
  void directPathMatchesDoublePrecisionLoops() {
    assertTrue(DirectConv.available(), "the test JVM has the Vector API");
    SplittableRandom rng = new SplittableRandom(20261206L);
    for (int[] g : GEOMETRIES) {
      for (boolean relu : new boolean[] {false, true}) {
        check(g, relu, true, 0, rng);
      }
    }
  }

  @Test
  void columnPathMatchesDoublePrecisionLoops() {
    SplittableRandom rng = new SplittableRandom(20261207L);
    for (int[] g : COLUMN_GEOMETRIES) {
      // 0: the default chunk (the whole batch here); 1 and 2 examples per chunk.
      for (long chunk : new long[] {0, 1, 2}) {
        check(g, chunk == 1, false, chunk, rng);
      }
    }
  }

  @Test
  void onlyStrideOneWithFewTapsGoesDirect() {
    Shape in = Shape.of(1, 28, 28);
    assertTrue(direct(new Conv2D(6, 5).withPadding(2, 2), in));
    assertFalse(direct(new Conv2D(6, 5).withStride(2, 2), in), "stride 2 uses im2col");
    assertFalse(direct(new Conv2D(16, 5), Shape.of(6, 14, 14)), "150 taps use im2col");
  }

  private static boolean direct(Conv2D spec, Shape in) {
    return ((Conv2D.Instance) spec.instantiate(in, 0)).isDirect();
  }

  /**
   * One geometry on the path {@code direct} says; {@code chunkExamples} > 0 caps the examples
   * per input-gradient product of the im2col path.
   */
  private static Conv2D.Instance check(int[] g, boolean relu, boolean direct,
      long chunkExamples, SplittableRandom rng) {
    int c = g[0], h = g[1], w = g[2], f = g[3], kh = g[4], kw = g[5], ph = g[6], pw = g[7];
    int sh = g.length > 8 ? g[8] : 1;
    int sw = g.length > 8 ? g[9] : 1;
    Shape in = Shape.of(c, h, w);
    Conv2D spec = new Conv2D(f, kh, kw, sh, sw, ph, pw, Init.HE_UNIFORM);
    Shape out = spec.outputShape(in);
    int offset = 5; // parameters at an offset, as in a network's flat vector
    float[] params = random(rng, offset + spec.paramCount(in));
    Conv2D.Instance layer = (Conv2D.Instance) spec.instantiate(in, offset);
    assertEquals(direct, layer.isDirect(), "direct path for " + describe(g));
    if (chunkExamples > 0) {
      layer.gradColumnFloats(chunkExamples * out.height() * out.width() * c * kh * kw);
    }
    if (relu) {
      assertTrue(layer.fuseRelu());
    }
    // Batch 8 gives the residual network's geometries enough positions (8 x 225, 8 x 64) for
    // the routing to send the shifted weight gradient to NarrowGemm (k >= 64 vectors).
    for (int n : new int[] {3, 1, 8}) {
      String what = describe(g) + (relu ? " + relu" : "")
          + (chunkExamples > 0 ? ", chunks of " + chunkExamples : "") + ", batch " + n;
      float[] x = random(rng, n * in.size());
      float[] y = layer.forward(params, x, n, true).clone();
      float[] dy = random(rng, n * out.size());
      float[] grads = random(rng, params.length); // backward adds to what is there
      float[] before = grads.clone();
      float[] dx = layer.backward(params, grads, x, dy, n, true);

      int k = c * kh * kw;
      int bias = offset + f * k;
      double[] refY = new double[n * out.size()];
      double[] refDw = new double[f * k];
      double[] refDb = new double[f];
      double[] refDx = new double[n * in.size()];
      for (int j = 0; j < n; j++) {
        for (int fi = 0; fi < f; fi++) {
          for (int oy = 0; oy < out.height(); oy++) {
            for (int ox = 0; ox < out.width(); ox++) {
              int o = ((j * f + fi) * out.height() + oy) * out.width() + ox;
              double s = params[bias + fi];
              for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                  for (int kx = 0; kx < kw; kx++) {
                    int iy = oy * sh - ph + ky;
                    int ix = ox * sw - pw + kx;
                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                      s += (double) params[offset + ((fi * c + ci) * kh + ky) * kw + kx]
                          * x[j * in.size() + (ci * h + iy) * w + ix];
                    }
                  }
                }
              }
              refY[o] = relu ? Math.max(0, s) : s;
              double d = relu && !(y[o] > 0) ? 0 : dy[o];
              refDb[fi] += d;
              for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                  for (int kx = 0; kx < kw; kx++) {
                    int iy = oy * sh - ph + ky;
                    int ix = ox * sw - pw + kx;
                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                      int wi = ((fi * c + ci) * kh + ky) * kw + kx;
                      int xi = j * in.size() + (ci * h + iy) * w + ix;
                      refDw[wi] += d * x[xi];
                      refDx[xi] += d * params[offset + wi];
                    }
                  }
                }
              }
            }
          }
        }
      }
      assertClose(refY, y, what + ": forward");
      double[] dw = new double[f * k];
      for (int i = 0; i < f * k; i++) {
        dw[i] = (double) grads[offset + i] - before[offset + i];
      }
      double[] db = new double[f];
      for (int i = 0; i < f; i++) {
        db[i] = (double) grads[bias + i] - before[bias + i];
      }
      assertClose(refDw, dw, what + ": weight gradient");
      assertClose(refDb, db, what + ": bias gradient");
      assertClose(refDx, dx, what + ": input gradient");
      for (int i = 0; i < offset; i++) {
        assertEquals(before[i], grads[i], what + ": gradients before the layer's offset");
      }
    }
    return layer;
  }

  private static String describe(int[] g) {
    return g[0] + "x" + g[1] + "x" + g[2] + " -> " + g[3] + "@" + g[4] + "x" + g[5] + " pad "
        + g[6] + "x" + g[7] + (g.length > 8 ? " stride " + g[8] + "x" + g[9] : "");
  }

  private static float[] random(SplittableRandom rng, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return a;
  }

  private static void assertClose(double[] expected, float[] actual, String what) {
    double[] a = new double[expected.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = actual[i];
    }
    assertClose(expected, a, what);
  }

  /** Relative to the largest reference magnitude: float sums of up to a few thousand terms. */
  private static void assertClose(double[] expected, double[] actual, String what) {
    double scale = 1e-9;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      if (Math.abs(expected[i] - actual[i]) > 2e-5 * scale) {
        throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected "
            + expected[i] + " (scale " + scale + ")");
      }
    }
  }
}
