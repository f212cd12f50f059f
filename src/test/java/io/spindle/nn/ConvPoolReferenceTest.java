package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.spindle.nn.layers.AvgPool2D;
import io.spindle.nn.layers.Conv2D;
import io.spindle.nn.layers.MaxPool2D;
import io.spindle.tensor.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Conv2D, MaxPool2D and AvgPool2D forward against naive direct loops (the textbook definitions,
 * in double precision) on many random, seeded geometries: several channels, kernels with
 * h != w, strides 1-3, padding 0-2, non-square inputs, batches of several examples.
 */
class ConvPoolReferenceTest {

  private static final int CASES = 150;

  @Test
  void conv2dMatchesDirectLoops() {
    SplittableRandom rng = new SplittableRandom(20240601L);
    Kinds kinds = new Kinds();
    int checked = 0;
    int longInner = 0;
    while (checked < CASES) {
      // Alternate short (K < 64) and long (K >= 64) kernels: Conv2D computes the forward
      // product per example for the first and batched for the second.
      boolean longK = checked % 2 == 1;
      int c = longK ? 4 + rng.nextInt(3) : 1 + rng.nextInt(3);
      int h = 1 + rng.nextInt(12);
      int w = 1 + rng.nextInt(12);
      int f = 1 + rng.nextInt(5);
      int kh = longK ? 4 + rng.nextInt(2) : 1 + rng.nextInt(5);
      int kw = longK ? 4 + rng.nextInt(2) : 1 + rng.nextInt(5);
      int sh = 1 + rng.nextInt(3);
      int sw = 1 + rng.nextInt(3);
      int ph = rng.nextInt(3);
      int pw = rng.nextInt(3);
      int n = 1 + rng.nextInt(4);
      Shape in = Shape.of(c, h, w);
      Conv2D spec = new Conv2D(f, kh, kw, sh, sw, ph, pw, Init.HE_UNIFORM);
      if (h + 2 * ph < kh || w + 2 * pw < kw) {
        continue; // the kernel does not fit; shape inference rejects it (tested elsewhere)
      }
      Shape out = Shape.of(f, outSize(h, kh, sh, ph), outSize(w, kw, sw, pw));
      assertEquals(out, spec.outputShape(in), "output shape " + describe(in, n) + " " + spec);
      float[] params = random(rng, spec.paramCount(in), 1.0);
      float[] x = random(rng, n * in.size() + 3, 1.0); // longer than needed, as the API allows
      float[] y = spec.instantiate(in, 0).forward(params, x, n, true);

      double[] ref = new double[n * out.size()];
      int k = c * kh * kw;
      for (int j = 0; j < n; j++) {
        for (int fi = 0; fi < f; fi++) {
          for (int oy = 0; oy < out.height(); oy++) {
            for (int ox = 0; ox < out.width(); ox++) {
              double s = params[f * k + fi];
              for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                  for (int kx = 0; kx < kw; kx++) {
                    int iy = oy * sh - ph + ky;
                    int ix = ox * sw - pw + kx;
                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                      s += (double) params[((fi * c + ci) * kh + ky) * kw + kx]
                          * x[j * in.size() + (ci * h + iy) * w + ix];
                    }
                  }
                }
              }
              ref[((j * f + fi) * out.height() + oy) * out.width() + ox] = s;
            }
          }
        }
      }
      assertClose(ref, y, 1e-4, "conv2d " + describe(in, n) + " -> " + spec);
      checked++;
      longInner += k >= 64 ? 1 : 0;
      kinds.count(in, sh, sw, ph, pw, h + 2 * ph - kh, w + 2 * pw - kw);
    }
    assertTrue(longInner >= 20 && longInner <= CASES - 20, longInner + " cases with >= 64 taps");
    kinds.assertCovered("conv2d");
  }

  /** (in + 2 pad - kernel) / stride + 1, floored: the definition, written out here. */
  private static int outSize(int in, int kernel, int stride, int pad) {
    return Math.floorDiv(in + 2 * pad - kernel, stride) + 1;
  }

  /**
   * How many of the random cases had a stride above 1 with a remainder (a window that does not
   * reach the last pixels), padding, and a non-square input: each kind must be well covered.
   */
  private static final class Kinds {
    int stridedWithRemainder;
    int padded;
    int nonSquare;

    void count(Shape in, int sh, int sw, int ph, int pw, int spanH, int spanW) {
      stridedWithRemainder += (sh > 1 && spanH % sh != 0) || (sw > 1 && spanW % sw != 0) ? 1 : 0;
      padded += ph > 0 || pw > 0 ? 1 : 0;
      nonSquare += in.height() != in.width() ? 1 : 0;
    }

    void assertCovered(String what) {
      assertTrue(stridedWithRemainder >= 20 && padded >= 20 && nonSquare >= 20, what + ": "
          + stridedWithRemainder + " strided with a remainder, " + padded + " padded, "
          + nonSquare + " non-square cases");
    }
  }

  /** Output shapes worked out by hand, for the layers' shape rules on their own. */
  @Test
  void outputShapesFollowTheFlooredFormula() {
    // LeNet-5's first layer: 28 + 4 - 5 + 1 = 28.
    assertEquals(Shape.of(6, 28, 28), new Conv2D(6, 5, 5, 1, 1, 2, 2, Init.HE_UNIFORM)
        .outputShape(Shape.of(1, 28, 28)));
    // 7x5 input, 3x3 kernel, stride 2, padding 1: (7 + 2 - 3) / 2 + 1 = 4, (5 + 2 - 3) / 2 + 1 = 3.
    assertEquals(Shape.of(4, 4, 3), new Conv2D(4, 3, 3, 2, 2, 1, 1, Init.HE_UNIFORM)
        .outputShape(Shape.of(2, 7, 5)));
    // 10x9 input, 4x2 kernel, strides 3 and 2, no padding: (10 - 4) / 3 + 1 = 3 and
    // (9 - 2) / 2 + 1 = 4 (7 / 2 floored).
    assertEquals(Shape.of(1, 3, 4), new Conv2D(1, 4, 2, 3, 2, 0, 0, Init.HE_UNIFORM)
        .outputShape(Shape.of(3, 10, 9)));
    // Pooling 2x2 stride 2 on 7x7 drops the last row and column: 3x3.
    assertEquals(Shape.of(5, 3, 3), new MaxPool2D(2, 2, 2, 2, 0, 0).outputShape(Shape.of(5, 7, 7)));
    // 3x3 window, stride 2, padding 1 on 8x5: (8 + 2 - 3) / 2 + 1 = 4, (5 + 2 - 3) / 2 + 1 = 3.
    assertEquals(Shape.of(2, 4, 3), new AvgPool2D(3, 3, 2, 2, 1, 1).outputShape(Shape.of(2, 8, 5)));
  }

  @Test
  void maxPoolMatchesDirectLoops() {
    SplittableRandom rng = new SplittableRandom(7L);
    Kinds kinds = new Kinds();
    for (int t = 0; t < CASES; t++) {
      Geometry g = Geometry.random(rng);
      MaxPool2D spec = new MaxPool2D(g.kh, g.kw, g.sh, g.sw, g.ph, g.pw);
      Shape out = g.expectedOutput();
      assertEquals(out, spec.outputShape(g.in), "max-pool output shape " + g);
      g.count(kinds);
      float[] x = random(rng, g.n * g.in.size(), 1.0);
      float[] y = spec.instantiate(g.in, 0).forward(new float[0], x, g.n, true);
      double[] ref = g.reference(x, out, true);
      assertClose(ref, y, 0.0, "max-pool " + describe(g.in, g.n) + " -> " + spec);
    }
    kinds.assertCovered("max-pool");
  }

  @Test
  void avgPoolMatchesDirectLoopsCountingPaddingAsZeros() {
    SplittableRandom rng = new SplittableRandom(11L);
    Kinds kinds = new Kinds();
    for (int t = 0; t < CASES; t++) {
      Geometry g = Geometry.random(rng);
      AvgPool2D spec = new AvgPool2D(g.kh, g.kw, g.sh, g.sw, g.ph, g.pw);
      Shape out = g.expectedOutput();
      assertEquals(out, spec.outputShape(g.in), "avg-pool output shape " + g);
      g.count(kinds);
      float[] x = random(rng, g.n * g.in.size(), 1.0);
      float[] y = spec.instantiate(g.in, 0).forward(new float[0], x, g.n, true);
      double[] ref = g.reference(x, out, false);
      assertClose(ref, y, 1e-5, "avg-pool " + describe(g.in, g.n) + " -> " + spec);
    }
    kinds.assertCovered("avg-pool");
  }

  @Test
  void avgPoolDividesByTheFullWindowAtPaddedBorders() {
    // 1x2x2 input of ones, 3x3 window, stride 1, padding 1: each output window holds 4 real
    // pixels out of 9, so count_include_pad gives 4/9 everywhere.
    AvgPool2D spec = new AvgPool2D(3, 3, 1, 1, 1, 1);
    Shape in = Shape.of(1, 2, 2);
    float[] y = spec.instantiate(in, 0).forward(new float[0], new float[] {1, 1, 1, 1}, 1, false);
    assertArrayEquals(new float[] {4f / 9, 4f / 9, 4f / 9, 4f / 9}, java.util.Arrays.copyOf(y, 4),
        1e-7f);
  }

  @Test
  void maxPoolIgnoresPaddingEvenWhenAllPixelsAreNegative() {
    MaxPool2D spec = new MaxPool2D(2, 2, 2, 2, 1, 1);
    Shape in = Shape.of(1, 2, 2);
    float[] y = spec.instantiate(in, 0).forward(new float[0], new float[] {-1, -2, -3, -4}, 1,
        false);
    // Windows start at -1: each 2x2 window covers exactly one real pixel.
    assertArrayEquals(new float[] {-1, -2, -3, -4}, java.util.Arrays.copyOf(y, 4));
  }

  /** A random pooling geometry that satisfies the shape rules (padding at most half the window). */
  private record Geometry(Shape in, int n, int kh, int kw, int sh, int sw, int ph, int pw) {

    static Geometry random(SplittableRandom rng) {
      while (true) {
        int kh = 1 + rng.nextInt(4);
        int kw = 1 + rng.nextInt(4);
        int ph = rng.nextInt(Math.min(2, kh / 2) + 1);
        int pw = rng.nextInt(Math.min(2, kw / 2) + 1);
        Shape in = Shape.of(1 + rng.nextInt(3), 1 + rng.nextInt(11), 1 + rng.nextInt(11));
        if (in.height() + 2 * ph >= kh && in.width() + 2 * pw >= kw) {
          return new Geometry(in, 1 + rng.nextInt(3), kh, kw, 1 + rng.nextInt(3),
              1 + rng.nextInt(3), ph, pw);
        }
      }
    }

    Shape expectedOutput() {
      return Shape.of(in.channels(), outSize(in.height(), kh, sh, ph),
          outSize(in.width(), kw, sw, pw));
    }

    void count(Kinds kinds) {
      kinds.count(in, sh, sw, ph, pw, in.height() + 2 * ph - kh, in.width() + 2 * pw - kw);
    }

    double[] reference(float[] x, Shape out, boolean max) {
      int c = in.channels();
      int h = in.height();
      int w = in.width();
      double[] ref = new double[n * out.size()];
      for (int j = 0; j < n; j++) {
        for (int ci = 0; ci < c; ci++) {
          for (int oy = 0; oy < out.height(); oy++) {
            for (int ox = 0; ox < out.width(); ox++) {
              double acc = max ? Double.NEGATIVE_INFINITY : 0.0;
              for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                  int iy = oy * sh - ph + ky;
                  int ix = ox * sw - pw + kx;
                  double v = iy >= 0 && iy < h && ix >= 0 && ix < w
                      ? x[j * in.size() + (ci * h + iy) * w + ix]
                      : (max ? Double.NEGATIVE_INFINITY : 0.0);
                  acc = max ? Math.max(acc, v) : acc + v;
                }
              }
              ref[((j * c + ci) * out.height() + oy) * out.width() + ox] =
                  max ? acc : acc / (kh * kw);
            }
          }
        }
      }
      return ref;
    }
  }

  private static String describe(Shape in, int n) {
    return n + "x" + in.channels() + "x" + in.height() + "x" + in.width();
  }

  static float[] random(SplittableRandom rng, int len, double scale) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      a[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
    }
    return a;
  }

  private static void assertClose(double[] expected, float[] actual, double tol, String what) {
    if (actual.length < expected.length) {
      fail(what + ": output has " + actual.length + " values, expected " + expected.length);
    }
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs(expected[i] - actual[i]);
      if (diff > tol * Math.max(1.0, Math.abs(expected[i]))) {
        assertEquals(expected[i], actual[i], tol, what + ": value " + i);
      }
    }
  }
}
