package io.spindle.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The narrow-product kernels against a naive triple loop in double precision, on awkward shapes
 * (rows that do not fill a vector, column counts that are not a multiple of 4), leading
 * dimensions larger than the matrices, array offsets, and beta 0, 1 and 0.5. Entries outside C
 * must stay untouched.
 */
class NarrowGemmTest {

  /** The kernel's layout: which of A and B are stored transposed. */
  enum Kind { NN, NT, TN }

  @Test
  void forwardProductNN() {
    // Row counts around the 3- and 2-vector blocks and the cache blocks, 1-7, 8-multiples
    // and odd column counts past them; the 3 x 8 kernel's leftover rows and columns go to the
    // 2 x 4 kernel, whose rows short of two vectors go to the simple loop and its masked tail.
    for (int[] s : new int[][] {{33, 1, 4}, {47, 5, 4}, {784, 6, 25}, {257, 16, 150},
        {100, 32, 7}, {513, 3, 5}, {6400, 16, 150}, {49, 48, 24}, {545, 7, 9}, {1040, 2, 4},
        {3136, 48, 216}, {120, 64, 400}, {1000, 9, 200}, {40, 4, 300}, {47, 5, 192},
        {48, 8, 4}, {145, 24, 216}, {1009, 17, 13}, {97, 23, 5}, {143, 40, 30}, {96, 12, 9},
        {1000, 64, 24}}) {
      assertTrue(NarrowGemm.suits(s[0], s[1], s[2]));
      check(Kind.NN, s[0], s[1], s[2], 7);
    }
  }

  @Test
  void inputGradientProductNT() {
    for (int[] s : new int[][] {{100, 150, 16}, {784, 25, 6}, {47, 5, 3}, {33, 6, 32},
        {140, 150, 16}, {3136, 216, 48}, {529, 27, 24}}) {
      assertTrue(NarrowGemm.suitsNT(s[0], s[1], s[2]));
      check(Kind.NT, s[0], s[1], s[2], 9);
    }
  }

  @Test
  void weightGradientProductTN() {
    for (int[] s : new int[][] {{150, 16, 6400}, {25, 6, 50176}, {3, 5, 1031}, {7, 1, 1024}}) {
      assertTrue(NarrowGemm.suitsTN(s[0], s[1], s[2]));
      check(Kind.TN, s[0], s[1], s[2], 8);
    }
  }

  @Test
  void tailRowsWhereAEndsTheArray() {
    // A of exactly lda x k floats from offset 0: the masked loads of the last rows would reach
    // past the array, so NarrowGemm copies those rows first (LeNet-5's wide input gradient,
    // a dense layer's 120 units).
    for (int[] s : new int[][] {{140, 150, 16}, {47, 5, 3}, {120, 400, 64}}) {
      TIGHT_A.set(true);
      try {
        check(Kind.NT, s[0], s[1], s[2], 10);
        check(Kind.NN, s[0], Math.min(s[1], 48), s[2], 11);
      } finally {
        TIGHT_A.set(false);
      }
    }
  }

  /** Whether {@link #check} lays A out tight: offset 0, leading dimension m, no floats after. */
  private static final ThreadLocal<Boolean> TIGHT_A = ThreadLocal.withInitial(() -> false);

  @Test
  void productOverColumnOffsets() {
    // A's columns at arbitrary, overlapping and unordered offsets into one array (a shifted
    // convolution's taps); filter counts past groups of eight (1-7 single columns), row counts
    // of one and several cache blocks. C's rows past m and its other entries stay untouched.
    int unit = NarrowGemm.columnRowUnit();
    SplittableRandom rng = new SplittableRandom(20261206L);
    for (int[] s : new int[][] {{unit, 1, 1}, {unit, 8, 9}, {3 * unit, 13, 27},
        {40 * unit, 24, 216}, {17 * unit, 48, 432}, {2 * unit, 7, 5}, {33 * unit, 17, 31}}) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      int span = m + 3 * unit + 50;
      float[] a = new float[span + 8 * k];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) (rng.nextDouble() * 2 - 1);
      }
      int[] cols = new int[k];
      for (int t = 0; t < k; t++) {
        cols[t] = rng.nextInt(a.length - m - 5 - 3);  // some overlap, any order
      }
      int aOff = 3;
      int ldc = m + 5;
      int bRow = 1;
      int bCol = k + 2;
      float[] b = new float[7 + bCol * n];
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) (rng.nextDouble() * 2 - 1);
      }
      float[] c = new float[11 + ldc * n];
      Arrays.fill(c, 42f);
      NarrowGemm.sgemmColumns(m, n, k, a, aOff, cols, b, 7, bRow, bCol, c, 11, ldc);
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < ldc; i++) {
          float got = c[11 + j * ldc + i];
          if (i >= m) {
            assertEquals(42f, got, "row " + i + " past m, column " + j);
            continue;
          }
          double want = 0;
          for (int t = 0; t < k; t++) {
            want += (double) a[aOff + cols[t] + i] * b[7 + t * bRow + j * bCol];
          }
          assertEquals(want, got, 1e-4 * (1 + Math.sqrt(k)),
              "m=" + m + " n=" + n + " k=" + k + " (" + i + ", " + j + ")");
        }
      }
      for (int i = 0; i < 11; i++) {
        assertEquals(42f, c[i], "before C");
      }
    }
  }

  @Test
  void weightGradientOverColumnOffsets() {
    // C += A^T B with A's columns at arbitrary offsets: taps past groups of four (1-3 single
    // rows), filters past groups of four, k with a tail short of a vector and past a chunk.
    SplittableRandom rng = new SplittableRandom(20261209L);
    for (int[] s : new int[][] {{4, 4, 64}, {216, 24, 5000}, {37, 13, 2 * 4096 + 7},
        {3, 2, 33}, {9, 1, 100}, {40, 48, 1031}}) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      float[] a = new float[k + 6 * m + 40];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) (rng.nextDouble() * 2 - 1);
      }
      int[] cols = new int[m];
      for (int i = 0; i < m; i++) {
        cols[i] = rng.nextInt(a.length - k + 1);
      }
      int bOff = 5;
      int ldb = k + 3;
      float[] b = new float[bOff + ldb * n];
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) (rng.nextDouble() * 2 - 1);
      }
      int cOff = 2;
      int ldc = m + 1;
      float[] c = new float[cOff + ldc * n + 3];
      for (int i = 0; i < c.length; i++) {
        c[i] = (float) i;
      }
      float[] before = c.clone();
      NarrowGemm.sgemmTNColumns(m, n, k, a, cols, b, bOff, ldb, c, cOff, ldc);
      for (int idx = 0; idx < c.length; idx++) {
        int rel = idx - cOff;
        int j = Math.floorDiv(rel, ldc);
        int i = rel - j * ldc;
        if (rel < 0 || j >= n || i >= m) {
          assertEquals(before[idx], c[idx], "outside C at " + idx);
          continue;
        }
        double want = before[idx];
        for (int t = 0; t < k; t++) {
          want += (double) a[cols[i] + t] * b[bOff + j * ldb + t];
        }
        assertEquals(want, c[idx], 2e-5 * (Math.abs(before[idx]) + Math.sqrt(k)),
            "m=" + m + " n=" + n + " k=" + k + " (" + i + ", " + j + ")");
      }
    }
  }

  @Test
  void columnOffsetProductRejectsPartialBlocks() {
    int unit = NarrowGemm.columnRowUnit();
    assertThrows(IllegalArgumentException.class,
        () -> NarrowGemm.sgemmColumns(unit + 1, 1, 1, new float[4 * unit], 0, new int[] {0},
            new float[1], 0, 1, 1, new float[4 * unit], 0, 2 * unit));
  }

  @Test
  void blasRoutesOnlyNarrowShapes() {
    assertTrue(NarrowGemm.suits(784, 6, 25));
    assertFalse(NarrowGemm.suits(256, 256, 256), "wide products stay with the BLAS");
    assertFalse(NarrowGemm.suitsTN(256, 256, 256));
    assertFalse(NarrowGemm.suitsNT(256, 256, 256));
  }

  /** C (m x n) = op(A) op(B) + beta C on NarrowGemm, checked against doubles, three betas. */
  static void check(Kind kind, int m, int n, int k, long seed) {
    check(kind, m, n, k, seed, (a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) -> {
      switch (kind) {
        case NN -> NarrowGemm.sgemm(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        case NT -> NarrowGemm.sgemmNT(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        case TN -> NarrowGemm.sgemmTN(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      }
    });
  }

  /** One product of the shape being checked, with the operands' layout given. */
  interface Product {
    void run(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c,
        int cOff, int ldc);
  }

  /** As above, on any kernel. */
  static void check(Kind kind, int m, int n, int k, long seed, Product product) {
    SplittableRandom rng = new SplittableRandom(seed);
    boolean transA = kind == Kind.TN;
    boolean transB = kind == Kind.NT;
    // Leading dimensions beyond the matrices and offsets into the arrays, as the layers use.
    boolean tight = TIGHT_A.get();
    int lda = (transA ? k : m) + (tight ? 0 : 3);
    int ldb = (transB ? n : k) + 1;
    int ldc = m + 2;
    int aOff = tight ? 0 : 5;
    int bOff = 2;
    int cOff = 9;
    float[] a = random(rng, aOff + lda * (transA ? m : k));
    float[] b = random(rng, bOff + ldb * (transB ? k : n));
    for (float beta : new float[] {0f, 1f, 0.5f}) {
      float[] c = random(rng, cOff + ldc * n);
      float[] expected = c.clone();
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
          double sum = 0;
          for (int t = 0; t < k; t++) {
            double x = transA ? a[aOff + i * lda + t] : a[aOff + t * lda + i];
            double y = transB ? b[bOff + t * ldb + j] : b[bOff + j * ldb + t];
            sum += x * y;
          }
          expected[cOff + j * ldc + i] = (float) (sum + beta * c[cOff + j * ldc + i]);
        }
      }
      product.run(a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      // Long inner dimensions add float rounding; relative to the magnitude of the sum.
      float tolerance = k > 1000 ? 1e-3f : 1e-4f;
      for (int i = 0; i < c.length; i++) {
        boolean inside = i >= cOff && (i - cOff) % ldc < m && (i - cOff) / ldc < n;
        assertEquals(expected[i], c[i], inside ? tolerance * (1 + Math.abs(expected[i])) : 0f,
            kind + " " + m + "x" + n + "x" + k + " beta " + beta + " at " + i
                + (inside ? "" : " (outside C, must be untouched)"));
      }
    }
  }

  static float[] random(SplittableRandom rng, int size) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) rng.nextDouble(-1, 1);
    }
    return v;
  }
}
