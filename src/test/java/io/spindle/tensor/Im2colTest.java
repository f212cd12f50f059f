package io.spindle.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * col2im in im2col's wide layout (stride 1: rows q = oy * Wp + ox of the padded width) against
 * the compact col2im and against a direct scatter in doubles, on awkward geometries.
 */
class Im2colTest {

  @Test
  void wideCol2imEqualsTheCompactOneAndADirectScatter() {
    // {channels, height, width, kernelH, kernelW, padH, padW}: LeNet-5's conv2, a ResNet 3x3
    // with padding, odd and non-square images and kernels, a 1x1 kernel, a kernel as wide as
    // the padded image.
    for (int[] g : new int[][] {{6, 14, 14, 5, 5, 0, 0}, {24, 14, 14, 3, 3, 1, 1},
        {3, 7, 11, 3, 2, 0, 1}, {2, 5, 9, 1, 1, 0, 0}, {1, 4, 4, 5, 3, 2, 0},
        {5, 9, 6, 4, 3, 1, 2}}) {
      Shape in = Shape.of(g[0], g[1], g[2]);
      Im2col im = new Im2col(in, g[3], g[4], 1, 1, g[5], g[6]);
      assertTrue(im.hasWideLayout());
      int p = im.rows();
      int k = im.cols();
      int wp = im.wideRowLength();
      int outW = im.outWidth();
      assertEquals(im.outHeight() * wp, im.wideRows());
      SplittableRandom rng = new SplittableRandom(g[0] * 31L + g[2]);
      float[] compact = new float[p * k];
      for (int i = 0; i < compact.length; i++) {
        compact[i] = (float) rng.nextDouble(-1, 1);
      }
      // The same entries in the wide layout, zero where ox >= outW; ld and offset beyond it.
      int ld = im.wideRows() + 3;
      int off = 7;
      float[] wide = new float[off + ld * k];
      for (int t = 0; t < k; t++) {
        for (int q = 0; q < p; q++) {
          wide[off + t * ld + (q / outW) * wp + q % outW] = compact[t * p + q];
        }
      }
      int inOff = 5;
      float[] expected = new float[inOff + in.size() + 4];
      java.util.Arrays.fill(expected, 42f);
      float[] viaCompact = expected.clone();
      float[] viaWide = expected.clone();
      scatter(g, im, compact, expected, inOff);
      im.col2im(compact, 0, p, viaCompact, inOff);
      im.col2imWide(wide, off, ld, viaWide, inOff);
      String name = java.util.Arrays.toString(g);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], viaCompact[i], 1e-5f, name + " compact at " + i);
        assertEquals(expected[i], viaWide[i], 1e-5f, name + " wide at " + i);
      }
      // Twice in a row (the padded scratch is reused and must start from zero each time).
      float[] again = viaWide.clone();
      im.col2imWide(wide, off, ld, again, inOff);
      assertArrayEquals(viaWide, again, name + " repeated");
    }
  }

  @Test
  void theWideLayoutIsForStrideOneOnly() {
    Im2col strided = new Im2col(Shape.of(2, 8, 8), 3, 3, 2, 2, 1, 1);
    assertFalse(strided.hasWideLayout());
    assertThrows(IllegalStateException.class,
        () -> strided.col2imWide(new float[1000], 0, 40, new float[128], 0));
  }

  /** The adjoint of im2col by its definition: entry (p, k) adds onto the pixel it came from. */
  private static void scatter(int[] g, Im2col im, float[] col, float[] dx, int inOff) {
    int c = g[0];
    int h = g[1];
    int w = g[2];
    double[] sum = new double[c * h * w];
    int p = im.rows();
    int tap = 0;
    for (int ch = 0; ch < c; ch++) {
      for (int ky = 0; ky < g[3]; ky++) {
        for (int kx = 0; kx < g[4]; kx++, tap++) {
          for (int q = 0; q < p; q++) {
            int iy = q / im.outWidth() - g[5] + ky;
            int ix = q % im.outWidth() - g[6] + kx;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
              sum[(ch * h + iy) * w + ix] += col[tap * p + q];
            }
          }
        }
      }
    }
    for (int i = 0; i < sum.length; i++) {
      dx[inOff + i] = (float) sum[i];
    }
  }
}
