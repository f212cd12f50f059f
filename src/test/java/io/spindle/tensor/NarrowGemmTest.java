package io.spindle.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The narrow-product kernel against a naive triple loop, on awkward shapes and offsets. */
class NarrowGemmTest {

  @Test
  void matchesTheNaiveProductOnAwkwardShapes() {
    SplittableRandom rng = new SplittableRandom(7);
    int[][] shapes = {{33, 1, 4}, {47, 5, 4}, {784, 6, 25}, {257, 16, 150}, {100, 32, 7}, {513, 3, 5},
        {6400, 16, 150}};
    for (int[] s : shapes) {
      for (float beta : new float[] {0f, 1f, 0.5f}) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        int lda = m + 3;
        int ldb = k + 1;
        int ldc = m + 2;
        int aOff = 5;
        int bOff = 2;
        int cOff = 9;
        float[] a = random(rng, aOff + lda * k);
        float[] b = random(rng, bOff + ldb * n);
        float[] c = random(rng, cOff + ldc * n);
        float[] expected = c.clone();
        for (int j = 0; j < n; j++) {
          for (int i = 0; i < m; i++) {
            double sum = 0;
            for (int t = 0; t < k; t++) {
              sum += (double) a[aOff + t * lda + i] * b[bOff + j * ldb + t];
            }
            expected[cOff + j * ldc + i] = (float) (sum + beta * c[cOff + j * ldc + i]);
          }
        }
        assertTrue(NarrowGemm.suits(m, n, k));
        NarrowGemm.sgemm(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        for (int i = 0; i < c.length; i++) {
          boolean inside = i >= cOff && (i - cOff) % ldc < m && (i - cOff) / ldc < n;
          if (!inside) {
            assertEquals(expected[i], c[i], 0f, "untouched outside C at " + i);
          } else {
            assertEquals(expected[i], c[i], 1e-4f * (1 + Math.abs(expected[i])),
                m + "x" + n + "x" + k + " beta " + beta + " at " + i);
          }
        }
      }
    }
  }

  @Test
  void transposedProductMatchesTheNaiveOneOnAwkwardShapes() {
    SplittableRandom rng = new SplittableRandom(8);
    int[][] shapes = {{150, 16, 6400}, {25, 6, 50176}, {3, 5, 1031}, {7, 1, 1024}};
    for (int[] s : shapes) {
      for (float beta : new float[] {0f, 1f, 0.5f}) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        int lda = k + 3;
        int ldb = k + 1;
        int ldc = m + 2;
        float[] a = random(rng, 4 + lda * m);
        float[] b = random(rng, 6 + ldb * n);
        float[] c = random(rng, 1 + ldc * n);
        float[] expected = c.clone();
        for (int j = 0; j < n; j++) {
          for (int i = 0; i < m; i++) {
            double sum = 0;
            for (int t = 0; t < k; t++) {
              sum += (double) a[4 + i * lda + t] * b[6 + j * ldb + t];
            }
            expected[1 + j * ldc + i] = (float) (sum + beta * c[1 + j * ldc + i]);
          }
        }
        assertTrue(NarrowGemm.suitsTN(m, n, k), m + "x" + n + "x" + k);
        NarrowGemm.sgemmTN(m, n, k, a, 4, lda, b, 6, ldb, beta, c, 1, ldc);
        for (int i = 0; i < c.length; i++) {
          assertEquals(expected[i], c[i], 1e-3f * (1 + Math.abs(expected[i])),
              "TN " + m + "x" + n + "x" + k + " beta " + beta + " at " + i);
        }
      }
    }
  }

  @Test
  void productWithTransposedBMatchesTheNaiveOne() {
    SplittableRandom rng = new SplittableRandom(9);
    int[][] shapes = {{100, 150, 16}, {784, 25, 6}, {47, 5, 3}, {33, 6, 32}};
    for (int[] s : shapes) {
      for (float beta : new float[] {0f, 1f, 0.5f}) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        int lda = m + 1;
        int ldb = n + 2;
        int ldc = m + 3;
        float[] a = random(rng, 2 + lda * k);
        float[] b = random(rng, 3 + ldb * k);
        float[] c = random(rng, 5 + ldc * n);
        float[] expected = c.clone();
        for (int j = 0; j < n; j++) {
          for (int i = 0; i < m; i++) {
            double sum = 0;
            for (int t = 0; t < k; t++) {
              sum += (double) a[2 + t * lda + i] * b[3 + t * ldb + j];
            }
            expected[5 + j * ldc + i] = (float) (sum + beta * c[5 + j * ldc + i]);
          }
        }
        assertTrue(NarrowGemm.suitsNT(m, n, k), m + "x" + n + "x" + k);
        NarrowGemm.sgemmNT(m, n, k, a, 2, lda, b, 3, ldb, beta, c, 5, ldc);
        for (int i = 0; i < c.length; i++) {
          assertEquals(expected[i], c[i], 1e-4f * (1 + Math.abs(expected[i])),
              "NT " + m + "x" + n + "x" + k + " beta " + beta + " at " + i);
        }
      }
    }
  }

  @Test
  void blasRoutesOnlyNarrowShapes() {
    assertTrue(NarrowGemm.suits(784, 6, 25));
    assertTrue(!NarrowGemm.suits(256, 256, 256), "wide products stay with the BLAS");
  }

  static float[] random(SplittableRandom rng, int size) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) rng.nextDouble(-1, 1);
    }
    return v;
  }
}
