package io.spindle.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A B + beta C for column-major A (m x k) and B (k x n) with few columns n: the forward
 * product of a convolution (m output pixels, k kernel taps, n filters). For each SIMD vector of
 * rows, four columns of C are accumulated in registers over all k taps: one load of A feeds
 * four multiply-adds, and C is read and written once. The Vector-API BLAS runs these shapes
 * through its small-product loops or a blocked kernel tuned for wide matrices, both several
 * times slower here (bench/engine.sh, per layer).
 *
 * <p>Uses the Vector API, so {@link Blas} routes here only when netlib itself picked its
 * Vector-API backend (the JVM then has {@code jdk.incubator.vector}).
 */
final class NarrowGemm {

  private static final VectorSpecies<Float> S = VectorLoops.SPECIES;
  private static final int L = S.length();

  /** Widest n routed here: beyond it a general gemm's blocking wins. */
  static final int MAX_COLUMNS = 64;

  private NarrowGemm() {}

  static boolean suits(int m, int n, int k) {
    return n <= MAX_COLUMNS && m >= 2 * L && k >= 4;
  }

  /** Whether {@link #sgemmNT} fits: a short inner dimension. */
  static boolean suitsNT(int m, int n, int k) {
    return k <= MAX_COLUMNS && m >= 2 * L && n >= 4;
  }

  /** Whether {@link #sgemmTN} fits: few columns, a long inner dimension. */
  static boolean suitsTN(int m, int n, int k) {
    return n <= MAX_COLUMNS && k >= 64 * L;
  }

  static void sgemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float beta, float[] c, int cOff, int ldc) {
    product(m, n, k, a, aOff, lda, b, bOff, 1, ldb, beta, c, cOff, ldc);
  }

  /**
   * C = A B^T + beta C for B stored n x k: a convolution's input gradient (m pixels, n taps,
   * k filters), where the inner dimension is the short one.
   */
  static void sgemmNT(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float beta, float[] c, int cOff, int ldc) {
    product(m, n, k, a, aOff, lda, b, bOff, ldb, 1, beta, c, cOff, ldc);
  }

  /**
   * Rows of A per cache block: the block's k taps (at most 512 rows x k floats) stay in L2
   * while every group of columns streams over them, instead of A being read n / 4 times from
   * memory (2x on the residual network's 12544 x 24 x 216 product).
   */
  private static final int ROW_BLOCK = 32 * L;

  /**
   * B(t, j) is {@code b[bOff + t * bRow + j * bCol]}. Groups of eight columns run the 2 x 8
   * kernel over pairs of vectors of rows; the columns and rows it leaves go to the 2 x 4
   * kernel ({@link #product2x4}). The register blocks are methods of their own: in one large
   * method C2 sometimes gave up inlining the Vector-API calls, which then ran boxed, 10x slower
   * (bench/engine.sh, VectorBLAS, varying from run to run).
   */
  private static void product(int m, int n, int k, float[] a, int aOff, int lda, float[] b,
      int bOff, int bRow, int bCol, float beta, float[] c, int cOff, int ldc) {
    int pairRows = m - m % (2 * L);
    int eightColumns = pairRows == 0 ? 0 : n - n % 8;
    float[] sums = beta == 0f ? null : BLOCK_SUMS.get();
    for (int r0 = 0; r0 < pairRows; r0 += ROW_BLOCK) {
      int r1 = Math.min(pairRows, r0 + ROW_BLOCK);
      for (int j = 0; j < eightColumns; j += 8) {
        int b0 = bOff + j * bCol;
        int c0 = cOff + j * ldc;
        for (int r = r0; r < r1; r += 2 * L) {
          if (sums == null) {
            block2x8(k, a, aOff + r, lda, b, b0, bRow, bCol, c, c0 + r, ldc);
          } else {
            block2x8(k, a, aOff + r, lda, b, b0, bRow, bCol, sums, 0, 2 * L);
            addBlock2x8(sums, beta, c, c0 + r, ldc);
          }
        }
      }
    }
    if (eightColumns > 0 && pairRows < m) {
      product2x4(m - pairRows, eightColumns, k, a, aOff + pairRows, lda, b, bOff, bRow, bCol,
          beta, c, cOff + pairRows, ldc);
    }
    if (eightColumns < n) {
      product2x4(m, n - eightColumns, k, a, aOff, lda, b, bOff + eightColumns * bCol, bRow,
          bCol, beta, c, cOff + eightColumns * ldc, ldc);
    }
  }

  /** One 2 x 8 block of sums (2 vectors by 8 columns) for products with beta != 0, per thread. */
  private static final ThreadLocal<float[]> BLOCK_SUMS =
      ThreadLocal.withInitial(() -> new float[2 * L * 8]);

  /**
   * Every shape the 2 x 8 kernel leaves runs the cache-blocked 2 x 4 kernel, few taps included:
   * one broadcast of B feeds two vectors of rows. Before it, LeNet-5's layers (k = 25, 150, and
   * the dense layers' 16-400) ran a one-vector loop, once measured faster at load ~3.7; on
   * a quiet machine the 2 x 4 kernel took the VectorBLAS train step from 9,200-10,300 to
   * 11,300-12,000 images/s (conv1 forward 1.04-1.3 -> 0.86-0.93 ms, dense 120 forward
   * 0.35-0.93 -> 0.15).
   */
  private static void product2x4(int m, int n, int k, float[] a, int aOff, int lda, float[] b,
      int bOff, int bRow, int bCol, float beta, float[] c, int cOff, int ldc) {
    // Pairs of vectors here; the rows left (under two vectors) go to the simple loop, a
    // compiled method of its own. Calling a one-vector block from this method instead made
    // C2 box its vectors once inlined here: LeNet-5's dense 120 forward took 0.52 ms against
    // 0.18 (bench/engine.sh, VectorBLAS).
    int pairRows = m - m % (2 * L);
    for (int r0 = 0; r0 < pairRows; r0 += ROW_BLOCK) {
      int r1 = Math.min(pairRows, r0 + ROW_BLOCK);
      int j = 0;
      for (; j + 3 < n; j += 4) {
        int b0 = bOff + j * bCol;
        int c0 = cOff + j * ldc;
        for (int r = r0; r < r1; r += 2 * L) {
          block2x4(k, a, aOff + r, lda, b, b0, bRow, bCol, beta, c, c0 + r, ldc);
        }
      }
      for (; j < n; j++) {
        for (int r = r0; r < r1; r += L) {
          block1x1(k, a, aOff + r, lda, b, bOff + j * bCol, bRow, beta, c, cOff + j * ldc + r);
        }
      }
    }
    if (pairRows < m) {
      productSimple(m - pairRows, n, k, a, aOff + pairRows, lda, b, bOff, bRow, bCol, beta, c,
          cOff + pairRows, ldc);
    }
  }

  /** Rows short of two vectors: one vector of rows by four columns, then a masked tail. */
  private static void productSimple(int m, int n, int k, float[] a, int aOff, int lda, float[] b,
      int bOff, int bRow, int bCol, float beta, float[] c, int cOff, int ldc) {
    int vectorRows = m - m % L;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      int b0 = bOff + j * bCol;
      int c0 = cOff + j * ldc;
      int c1 = c0 + ldc;
      int c2 = c1 + ldc;
      int c3 = c2 + ldc;
      for (int r = 0; r < vectorRows; r += L) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        for (int t = 0, at = aOff + r, bt = b0; t < k; t++, at += lda, bt += bRow) {
          FloatVector x = FloatVector.fromArray(S, a, at);
          s0 = x.fma(FloatVector.broadcast(S, b[bt]), s0);
          s1 = x.fma(FloatVector.broadcast(S, b[bt + bCol]), s1);
          s2 = x.fma(FloatVector.broadcast(S, b[bt + 2 * bCol]), s2);
          s3 = x.fma(FloatVector.broadcast(S, b[bt + 3 * bCol]), s3);
        }
        store(s0, beta, c, c0 + r);
        store(s1, beta, c, c1 + r);
        store(s2, beta, c, c2 + r);
        store(s3, beta, c, c3 + r);
      }
    }
    for (; j < n; j++) {
      int b0 = bOff + j * bCol;
      int c0 = cOff + j * ldc;
      for (int r = 0; r < vectorRows; r += L) {
        FloatVector s0 = FloatVector.zero(S);
        for (int t = 0, at = aOff + r, bt = b0; t < k; t++, at += lda, bt += bRow) {
          s0 = FloatVector.fromArray(S, a, at).fma(FloatVector.broadcast(S, b[bt]), s0);
        }
        store(s0, beta, c, c0 + r);
      }
    }
    tailRows(vectorRows, m, n, k, a, aOff, lda, b, bOff, bRow, bCol, beta, c, cOff, ldc);
  }

  /**
   * Rows [from, m), fewer than a vector: one masked vector per group of four columns. Scalar
   * loops here cost LeNet-5's 120-unit dense layer (8 of 120 rows) and the wide-layout input
   * gradient (12 of 140) more than the vector rows did.
   */
  private static void tailRows(int from, int m, int n, int k, float[] a, int aOff, int lda,
      float[] b, int bOff, int bRow, int bCol, float beta, float[] c, int cOff, int ldc) {
    if (from == m) {
      return;
    }
    // A masked load that would reach past the end of the array runs lane by lane through a
    // lambda in JDK 17, boxed. Where A's last column ends the array (a caller's buffer of
    // exactly m x k floats), the tail rows are copied into a scratch with a vector of room
    // first: LeNet-5's wide input gradient (12 tail rows of 140) took 12.5 us a product
    // instead of 8 with it, and the JIT state it left made the kernel slow for every shape.
    int rowCount = m - from;
    if (aOff + from + (long) (k - 1) * lda + L > a.length) {
      float[] rows = TAIL_ROWS.get();
      if (rows.length < k * L) {
        rows = new float[k * L];
        TAIL_ROWS.set(rows);
      }
      for (int t = 0; t < k; t++) {
        System.arraycopy(a, aOff + from + t * lda, rows, t * L, rowCount);
      }
      a = rows;
      aOff = -from;
      lda = L;
    }
    // JDK 17 stores a masked vector lane by lane through a lambda (VectorMask intoArray is
    // not an intrinsic there): the sums go to a scratch vector and their rows are copied out.
    float[] spill = SPILL.get();
    int j = 0;
    for (; j + 3 < n; j += 4) {
      tail1x4(m - from, k, a, aOff + from, lda, b, bOff + j * bCol, bRow, bCol, spill);
      for (int q = 0; q < 4; q++) {
        putRows(spill, q * L, m - from, beta, c, cOff + (j + q) * ldc + from);
      }
    }
    for (; j < n; j++) {
      tail1x1(m - from, k, a, aOff + from, lda, b, bOff + j * bCol, bRow, spill);
      putRows(spill, 0, m - from, beta, c, cOff + j * ldc + from);
    }
  }

  /** Per thread (tasks share an executor's kernels): no allocation per product. */
  private static final ThreadLocal<float[]> SPILL =
      ThreadLocal.withInitial(() -> new float[4 * L]);

  /** Tail rows of A copied with a vector of room per column (see tailRows), per thread. */
  private static final ThreadLocal<float[]> TAIL_ROWS = ThreadLocal.withInitial(() -> new float[0]);

  private static void putRows(float[] spill, int s, int rowCount, float beta, float[] c,
      int ct) {
    for (int i = 0; i < rowCount; i++) {
      c[ct + i] = beta == 0f ? spill[s + i] : spill[s + i] + beta * c[ct + i];
    }
  }

  // The masks are made inside each kernel: a VectorMask passed into a method that C2 did not
  // inline has no exact class there, and every masked operation then ran boxed, 10x slower.
  // A masked load inside the array is a plain load and a blend.

  private static void tail1x4(int rowCount, int k, float[] a, int at, int lda, float[] b,
      int bt, int bRow, int bCol, float[] spill) {
    VectorMask<Float> rows = S.indexInRange(0, rowCount);
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    FloatVector s2 = FloatVector.zero(S);
    FloatVector s3 = FloatVector.zero(S);
    for (int t = 0; t < k; t++, at += lda, bt += bRow) {
      FloatVector x = FloatVector.fromArray(S, a, at, rows);
      s0 = x.fma(FloatVector.broadcast(S, b[bt]), s0);
      s1 = x.fma(FloatVector.broadcast(S, b[bt + bCol]), s1);
      s2 = x.fma(FloatVector.broadcast(S, b[bt + 2 * bCol]), s2);
      s3 = x.fma(FloatVector.broadcast(S, b[bt + 3 * bCol]), s3);
    }
    s0.intoArray(spill, 0);
    s1.intoArray(spill, L);
    s2.intoArray(spill, 2 * L);
    s3.intoArray(spill, 3 * L);
  }

  private static void tail1x1(int rowCount, int k, float[] a, int at, int lda, float[] b,
      int bt, int bRow, float[] spill) {
    VectorMask<Float> rows = S.indexInRange(0, rowCount);
    FloatVector s0 = FloatVector.zero(S);
    for (int t = 0; t < k; t++, at += lda, bt += bRow) {
      s0 = FloatVector.fromArray(S, a, at, rows).fma(FloatVector.broadcast(S, b[bt]), s0);
    }
    s0.intoArray(spill, 0);
  }

  /**
   * Two vectors of rows by four columns: eight accumulators, each broadcast of B feeds two
   * multiply-adds.
   */
  private static void block2x4(int k, float[] a, int at, int lda, float[] b, int bt, int bRow,
      int bCol, float beta, float[] c, int ct, int ldc) {
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    FloatVector s2 = FloatVector.zero(S);
    FloatVector s3 = FloatVector.zero(S);
    FloatVector u0 = FloatVector.zero(S);
    FloatVector u1 = FloatVector.zero(S);
    FloatVector u2 = FloatVector.zero(S);
    FloatVector u3 = FloatVector.zero(S);
    for (int t = 0; t < k; t++, at += lda, bt += bRow) {
      FloatVector x = FloatVector.fromArray(S, a, at);
      FloatVector y = FloatVector.fromArray(S, a, at + L);
      FloatVector w = FloatVector.broadcast(S, b[bt]);
      s0 = x.fma(w, s0);
      u0 = y.fma(w, u0);
      w = FloatVector.broadcast(S, b[bt + bCol]);
      s1 = x.fma(w, s1);
      u1 = y.fma(w, u1);
      w = FloatVector.broadcast(S, b[bt + 2 * bCol]);
      s2 = x.fma(w, s2);
      u2 = y.fma(w, u2);
      w = FloatVector.broadcast(S, b[bt + 3 * bCol]);
      s3 = x.fma(w, s3);
      u3 = y.fma(w, u3);
    }
    store(s0, beta, c, ct);
    store(u0, beta, c, ct + L);
    store(s1, beta, c, ct + ldc);
    store(u1, beta, c, ct + ldc + L);
    store(s2, beta, c, ct + 2 * ldc);
    store(u2, beta, c, ct + 2 * ldc + L);
    store(s3, beta, c, ct + 3 * ldc);
    store(u3, beta, c, ct + 3 * ldc + L);
  }

  /**
   * Two vectors of rows by eight columns: 16 accumulators, each broadcast of B feeds two
   * multiply-adds and each vector of A eight. Against the 2 x 4 kernel A is read from cache
   * half as often: 1.3-1.9x on the residual network's products (12544 x 24 x 216: 83 -> 105
   * GFLOP/s; 4096 x 48 x 48: 74 -> 138). A 3 x 8 block (24 accumulators) measured up to 200
   * GFLOP/s, but in a third to a half of fresh JVMs C2 compiled it into code that ran at 45-60,
   * the same code on the same data. Fixing object alignment, OSR and tiered compilation did not
   * change that; its 24 accumulators leave AVX-512's 32 registers little room, one guess. The
   * 2 x 8 block never fell below 79 in the same test.
   *
   * <p>It writes C = A B: with beta, C's old values and their scaling would push the method
   * past C2's node budget for inlining, and the calls left un-inlined then take boxed vectors
   * (5x slower). Products with beta != 0 write to a scratch block that {@link #addBlock2x8}
   * adds in.
   */
  private static void block2x8(int k, float[] a, int at, int lda, float[] b, int bt, int bRow,
      int bCol, float[] c, int ct, int ldc) {
    FloatVector zero = FloatVector.zero(S);
    FloatVector s0 = zero;
    FloatVector s1 = zero;
    FloatVector s2 = zero;
    FloatVector s3 = zero;
    FloatVector s4 = zero;
    FloatVector s5 = zero;
    FloatVector s6 = zero;
    FloatVector s7 = zero;
    FloatVector u0 = zero;
    FloatVector u1 = zero;
    FloatVector u2 = zero;
    FloatVector u3 = zero;
    FloatVector u4 = zero;
    FloatVector u5 = zero;
    FloatVector u6 = zero;
    FloatVector u7 = zero;
    for (int t = 0; t < k; t++, at += lda, bt += bRow) {
      FloatVector x = FloatVector.fromArray(S, a, at);
      FloatVector y = FloatVector.fromArray(S, a, at + L);
      FloatVector w = FloatVector.broadcast(S, b[bt]);
      s0 = x.fma(w, s0);
      u0 = y.fma(w, u0);
      w = FloatVector.broadcast(S, b[bt + bCol]);
      s1 = x.fma(w, s1);
      u1 = y.fma(w, u1);
      w = FloatVector.broadcast(S, b[bt + 2 * bCol]);
      s2 = x.fma(w, s2);
      u2 = y.fma(w, u2);
      w = FloatVector.broadcast(S, b[bt + 3 * bCol]);
      s3 = x.fma(w, s3);
      u3 = y.fma(w, u3);
      w = FloatVector.broadcast(S, b[bt + 4 * bCol]);
      s4 = x.fma(w, s4);
      u4 = y.fma(w, u4);
      w = FloatVector.broadcast(S, b[bt + 5 * bCol]);
      s5 = x.fma(w, s5);
      u5 = y.fma(w, u5);
      w = FloatVector.broadcast(S, b[bt + 6 * bCol]);
      s6 = x.fma(w, s6);
      u6 = y.fma(w, u6);
      w = FloatVector.broadcast(S, b[bt + 7 * bCol]);
      s7 = x.fma(w, s7);
      u7 = y.fma(w, u7);
    }
    int ct1 = ct + ldc;
    int ct2 = ct1 + ldc;
    int ct3 = ct2 + ldc;
    int ct4 = ct3 + ldc;
    int ct5 = ct4 + ldc;
    int ct6 = ct5 + ldc;
    int ct7 = ct6 + ldc;
    s0.intoArray(c, ct);
    u0.intoArray(c, ct + L);
    s1.intoArray(c, ct1);
    u1.intoArray(c, ct1 + L);
    s2.intoArray(c, ct2);
    u2.intoArray(c, ct2 + L);
    s3.intoArray(c, ct3);
    u3.intoArray(c, ct3 + L);
    s4.intoArray(c, ct4);
    u4.intoArray(c, ct4 + L);
    s5.intoArray(c, ct5);
    u5.intoArray(c, ct5 + L);
    s6.intoArray(c, ct6);
    u6.intoArray(c, ct6 + L);
    s7.intoArray(c, ct7);
    u7.intoArray(c, ct7 + L);
  }

  /** Rows of {@link #sgemmColumns}' products come in multiples of this: two vectors. */
  static int columnRowUnit() {
    return 2 * L;
  }

  /**
   * C = A B for an A whose columns are views into one array at arbitrary offsets: column t
   * starts at {@code aOff + aCol[t]}. That is a stride-1 convolution without a column matrix
   * (see {@link ShiftedConv}): tap (c, ky, kx) of every output pixel is the zero-bordered
   * input plane c shifted by ky rows and kx columns, so the k taps are k offsets into the
   * same few planes, which stay in cache while the 2 x 8 block sweeps them. B(t, j) is
   * {@code b[bOff + t * bRow + j * bCol]}; m must be a multiple of {@link #columnRowUnit}.
   */
  static void sgemmColumns(int m, int n, int k, float[] a, int aOff, int[] aCol, float[] b,
      int bOff, int bRow, int bCol, float[] c, int cOff, int ldc) {
    if (m % (2 * L) != 0 || aCol.length < k) {
      throw new IllegalArgumentException("sgemmColumns: m = " + m + " must be a multiple of "
          + 2 * L + " and the offset table (" + aCol.length + ") cover k = " + k);
    }
    int eightColumns = n - n % 8;
    for (int r0 = 0; r0 < m; r0 += ROW_BLOCK) {
      int r1 = Math.min(m, r0 + ROW_BLOCK);
      int j = 0;
      for (; j < eightColumns; j += 8) {
        for (int r = r0; r < r1; r += 2 * L) {
          block2x8Columns(k, a, aOff + r, aCol, b, bOff + j * bCol, bRow, bCol, c,
              cOff + j * ldc + r, ldc);
        }
      }
      for (; j < n; j++) {
        for (int r = r0; r < r1; r += 2 * L) {
          block2x1Columns(k, a, aOff + r, aCol, b, bOff + j * bCol, bRow, c, cOff + j * ldc + r);
        }
      }
    }
  }

  /**
   * {@link #block2x8} with A's columns at {@code at + aCol[t]}: the same 16 accumulators, one
   * offset load per tap more. Plain products keep their own block: run through this one with
   * a table of t * lda offsets they measured 5-15% slower (the residual network's
   * 12544 x 24 x 216: 105-125 -> 97-103 GFLOP/s; 3136 x 48 x 216: 148-154 -> 136-139).
   */
  private static void block2x8Columns(int k, float[] a, int at, int[] aCol, float[] b, int bt,
      int bRow, int bCol, float[] c, int ct, int ldc) {
    FloatVector zero = FloatVector.zero(S);
    FloatVector s0 = zero;
    FloatVector s1 = zero;
    FloatVector s2 = zero;
    FloatVector s3 = zero;
    FloatVector s4 = zero;
    FloatVector s5 = zero;
    FloatVector s6 = zero;
    FloatVector s7 = zero;
    FloatVector u0 = zero;
    FloatVector u1 = zero;
    FloatVector u2 = zero;
    FloatVector u3 = zero;
    FloatVector u4 = zero;
    FloatVector u5 = zero;
    FloatVector u6 = zero;
    FloatVector u7 = zero;
    for (int t = 0; t < k; t++, bt += bRow) {
      int from = at + aCol[t];
      FloatVector x = FloatVector.fromArray(S, a, from);
      FloatVector y = FloatVector.fromArray(S, a, from + L);
      FloatVector w = FloatVector.broadcast(S, b[bt]);
      s0 = x.fma(w, s0);
      u0 = y.fma(w, u0);
      w = FloatVector.broadcast(S, b[bt + bCol]);
      s1 = x.fma(w, s1);
      u1 = y.fma(w, u1);
      w = FloatVector.broadcast(S, b[bt + 2 * bCol]);
      s2 = x.fma(w, s2);
      u2 = y.fma(w, u2);
      w = FloatVector.broadcast(S, b[bt + 3 * bCol]);
      s3 = x.fma(w, s3);
      u3 = y.fma(w, u3);
      w = FloatVector.broadcast(S, b[bt + 4 * bCol]);
      s4 = x.fma(w, s4);
      u4 = y.fma(w, u4);
      w = FloatVector.broadcast(S, b[bt + 5 * bCol]);
      s5 = x.fma(w, s5);
      u5 = y.fma(w, u5);
      w = FloatVector.broadcast(S, b[bt + 6 * bCol]);
      s6 = x.fma(w, s6);
      u6 = y.fma(w, u6);
      w = FloatVector.broadcast(S, b[bt + 7 * bCol]);
      s7 = x.fma(w, s7);
      u7 = y.fma(w, u7);
    }
    int ct1 = ct + ldc;
    int ct2 = ct1 + ldc;
    int ct3 = ct2 + ldc;
    int ct4 = ct3 + ldc;
    int ct5 = ct4 + ldc;
    int ct6 = ct5 + ldc;
    int ct7 = ct6 + ldc;
    s0.intoArray(c, ct);
    u0.intoArray(c, ct + L);
    s1.intoArray(c, ct1);
    u1.intoArray(c, ct1 + L);
    s2.intoArray(c, ct2);
    u2.intoArray(c, ct2 + L);
    s3.intoArray(c, ct3);
    u3.intoArray(c, ct3 + L);
    s4.intoArray(c, ct4);
    u4.intoArray(c, ct4 + L);
    s5.intoArray(c, ct5);
    u5.intoArray(c, ct5 + L);
    s6.intoArray(c, ct6);
    u6.intoArray(c, ct6 + L);
    s7.intoArray(c, ct7);
    u7.intoArray(c, ct7 + L);
  }

  /** One column of C for {@link #sgemmColumns}' filters past the last group of eight. */
  private static void block2x1Columns(int k, float[] a, int at, int[] aCol, float[] b, int bt,
      int bRow, float[] c, int ct) {
    FloatVector s0 = FloatVector.zero(S);
    FloatVector u0 = FloatVector.zero(S);
    for (int t = 0; t < k; t++, bt += bRow) {
      int from = at + aCol[t];
      FloatVector w = FloatVector.broadcast(S, b[bt]);
      s0 = FloatVector.fromArray(S, a, from).fma(w, s0);
      u0 = FloatVector.fromArray(S, a, from + L).fma(w, u0);
    }
    s0.intoArray(c, ct);
    u0.intoArray(c, ct + L);
  }

  /** C(2 vectors x 8 columns at ct) = sums + beta C. */
  private static void addBlock2x8(float[] sums, float beta, float[] c, int ct, int ldc) {
    for (int q = 0; q < 8; q++, ct += ldc) {
      store(FloatVector.fromArray(S, sums, 2 * q * L), beta, c, ct);
      store(FloatVector.fromArray(S, sums, (2 * q + 1) * L), beta, c, ct + L);
    }
  }

  private static void block1x1(int k, float[] a, int at, int lda, float[] b, int bt, int bRow,
      float beta, float[] c, int ct) {
    FloatVector s0 = FloatVector.zero(S);
    for (int t = 0; t < k; t++, at += lda, bt += bRow) {
      s0 = FloatVector.fromArray(S, a, at).fma(FloatVector.broadcast(S, b[bt]), s0);
    }
    store(s0, beta, c, ct);
  }

  /**
   * Inner-dimension chunk of {@link #sgemmTN}: while one group of four rows of A^T (64 KiB)
   * is swept by every group of columns, the chunk's n columns of B (at most 16 KiB each, 768
   * KiB at n = 48) stay in L2. Unchunked, each 4 x 4 block streamed its eight vectors from
   * memory: LeNet-5's conv1 weight gradient (25 x 6 over 50,176 pixels) read 26 MB per batch.
   * Shorter chunks (64 vectors) cost more in the sixteen lane sums each block ends with: on the
   * residual network's weight gradients (216 x 24 x 12544, 432 x 48 x 3136) 94-96 against
   * 100-109 GFLOP/s.
   */
  static final int TN_CHUNK = 256 * L;

  /**
   * C = A^T B + beta C for A stored k x m and B k x n (column-major), n narrow and k long: a
   * convolution's weight gradient (m taps, n filters, k = the batch's output pixels). Each
   * entry is a dot product over k, accumulated chunk by chunk: four rows of C by four columns
   * at once, so eight vector loads feed sixteen multiply-adds.
   */
  static void sgemmTN(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float beta, float[] c, int cOff, int ldc) {
    for (int j = 0; j < n; j++) {
      for (int i = 0, at = cOff + j * ldc; i < m; i++, at++) {
        c[at] = beta == 0f ? 0f : beta * c[at];
      }
    }
    int vk = k - k % L;
    for (int t0 = 0; t0 < vk; t0 += TN_CHUNK) {
      int t1 = Math.min(vk, t0 + TN_CHUNK);
      int i = 0;
      for (; i + 3 < m; i += 4) {
        int j = 0;
        for (; j + 3 < n; j += 4) {
          int a0 = aOff + i * lda;
          dot4x4(t0, t1, a, a0, a0 + lda, a0 + 2 * lda, a0 + 3 * lda, b, bOff + j * ldb, ldb, c,
              cOff + j * ldc + i, ldc);
        }
        for (; j < n; j++) {
          int a0 = aOff + i * lda;
          dot4x1(t0, t1, a, a0, a0 + lda, a0 + 2 * lda, a0 + 3 * lda, b, bOff + j * ldb, c,
              cOff + j * ldc + i);
        }
      }
      for (; i < m; i++) {
        for (int j = 0; j < n; j++) {
          c[cOff + j * ldc + i] += dot(t0, t1, a, aOff + i * lda, b, bOff + j * ldb);
        }
      }
    }
    if (vk < k) {
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
          c[cOff + j * ldc + i] += tailDot(vk, k, a, aOff + i * lda, b, bOff + j * ldb);
        }
      }
    }
  }

  /**
   * C += A^T B where A's column i starts at {@code aCol[i]}: a stride-1 convolution's weight
   * gradient over shifted views of its bordered input (see {@link ShiftedConv}), m = C kh kw
   * taps by n filters over k positions, one call instead of one per tap. Each chunk's four
   * columns of B are swept by every group of four taps, which read the same few input rows
   * (the taps of one channel are offsets into one plane) and so come mostly from L1: the
   * residual network's two weight gradients 1.41-1.93 -> 1.18-1.30 ms against per-tap
   * products (one thread, 64 examples).
   */
  static void sgemmTNColumns(int m, int n, int k, float[] a, int[] aCol, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc) {
    int vk = k - k % L;
    for (int t0 = 0; t0 < vk; t0 += TN_CHUNK) {
      int t1 = Math.min(vk, t0 + TN_CHUNK);
      int j = 0;
      for (; j + 3 < n; j += 4) {
        int i = 0;
        for (; i + 3 < m; i += 4) {
          dot4x4(t0, t1, a, aCol[i], aCol[i + 1], aCol[i + 2], aCol[i + 3], b, bOff + j * ldb,
              ldb, c, cOff + j * ldc + i, ldc);
        }
        for (; i < m; i++) {
          for (int q = j; q < j + 4; q++) {
            c[cOff + q * ldc + i] += dot(t0, t1, a, aCol[i], b, bOff + q * ldb);
          }
        }
      }
      for (; j < n; j++) {
        int i = 0;
        for (; i + 3 < m; i += 4) {
          dot4x1(t0, t1, a, aCol[i], aCol[i + 1], aCol[i + 2], aCol[i + 3], b, bOff + j * ldb, c,
              cOff + j * ldc + i);
        }
        for (; i < m; i++) {
          c[cOff + j * ldc + i] += dot(t0, t1, a, aCol[i], b, bOff + j * ldb);
        }
      }
    }
    if (vk < k) {
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
          c[cOff + j * ldc + i] += tailDot(vk, k, a, aCol[i], b, bOff + j * ldb);
        }
      }
    }
  }

  /** Rows a0-a3 of A^T (columns of A) by columns b0, b0 + ldb, ... of B, over [t0, t1). */
  private static void dot4x4(int t0, int t1, float[] a, int a0, int a1, int a2, int a3,
      float[] b, int b0, int ldb, float[] c, int ct, int ldc) {
    int b1 = b0 + ldb;
    int b2 = b1 + ldb;
    int b3 = b2 + ldb;
    FloatVector s00 = FloatVector.zero(S);
    FloatVector s01 = FloatVector.zero(S);
    FloatVector s02 = FloatVector.zero(S);
    FloatVector s03 = FloatVector.zero(S);
    FloatVector s10 = FloatVector.zero(S);
    FloatVector s11 = FloatVector.zero(S);
    FloatVector s12 = FloatVector.zero(S);
    FloatVector s13 = FloatVector.zero(S);
    FloatVector s20 = FloatVector.zero(S);
    FloatVector s21 = FloatVector.zero(S);
    FloatVector s22 = FloatVector.zero(S);
    FloatVector s23 = FloatVector.zero(S);
    FloatVector s30 = FloatVector.zero(S);
    FloatVector s31 = FloatVector.zero(S);
    FloatVector s32 = FloatVector.zero(S);
    FloatVector s33 = FloatVector.zero(S);
    for (int t = t0; t < t1; t += L) {
      FloatVector y0 = FloatVector.fromArray(S, b, b0 + t);
      FloatVector y1 = FloatVector.fromArray(S, b, b1 + t);
      FloatVector y2 = FloatVector.fromArray(S, b, b2 + t);
      FloatVector y3 = FloatVector.fromArray(S, b, b3 + t);
      FloatVector x = FloatVector.fromArray(S, a, a0 + t);
      s00 = x.fma(y0, s00);
      s01 = x.fma(y1, s01);
      s02 = x.fma(y2, s02);
      s03 = x.fma(y3, s03);
      x = FloatVector.fromArray(S, a, a1 + t);
      s10 = x.fma(y0, s10);
      s11 = x.fma(y1, s11);
      s12 = x.fma(y2, s12);
      s13 = x.fma(y3, s13);
      x = FloatVector.fromArray(S, a, a2 + t);
      s20 = x.fma(y0, s20);
      s21 = x.fma(y1, s21);
      s22 = x.fma(y2, s22);
      s23 = x.fma(y3, s23);
      x = FloatVector.fromArray(S, a, a3 + t);
      s30 = x.fma(y0, s30);
      s31 = x.fma(y1, s31);
      s32 = x.fma(y2, s32);
      s33 = x.fma(y3, s33);
    }
    c[ct] += sum(s00);
    c[ct + 1] += sum(s10);
    c[ct + 2] += sum(s20);
    c[ct + 3] += sum(s30);
    ct += ldc;
    c[ct] += sum(s01);
    c[ct + 1] += sum(s11);
    c[ct + 2] += sum(s21);
    c[ct + 3] += sum(s31);
    ct += ldc;
    c[ct] += sum(s02);
    c[ct + 1] += sum(s12);
    c[ct + 2] += sum(s22);
    c[ct + 3] += sum(s32);
    ct += ldc;
    c[ct] += sum(s03);
    c[ct + 1] += sum(s13);
    c[ct + 2] += sum(s23);
    c[ct + 3] += sum(s33);
  }

  private static void dot4x1(int t0, int t1, float[] a, int a0, int a1, int a2, int a3,
      float[] b, int b0, float[] c, int ct) {
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    FloatVector s2 = FloatVector.zero(S);
    FloatVector s3 = FloatVector.zero(S);
    for (int t = t0; t < t1; t += L) {
      FloatVector y = FloatVector.fromArray(S, b, b0 + t);
      s0 = FloatVector.fromArray(S, a, a0 + t).fma(y, s0);
      s1 = FloatVector.fromArray(S, a, a1 + t).fma(y, s1);
      s2 = FloatVector.fromArray(S, a, a2 + t).fma(y, s2);
      s3 = FloatVector.fromArray(S, a, a3 + t).fma(y, s3);
    }
    c[ct] += sum(s0);
    c[ct + 1] += sum(s1);
    c[ct + 2] += sum(s2);
    c[ct + 3] += sum(s3);
  }

  private static float dot(int t0, int t1, float[] a, int ai, float[] b, int bj) {
    FloatVector s = FloatVector.zero(S);
    for (int t = t0; t < t1; t += L) {
      s = FloatVector.fromArray(S, a, ai + t).fma(FloatVector.fromArray(S, b, bj + t), s);
    }
    return sum(s);
  }

  private static float sum(FloatVector v) {
    return v.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }

  private static float tailDot(int from, int k, float[] a, int ai, float[] b, int bj) {
    float s = 0f;
    for (int r = from; r < k; r++) {
      s += a[ai + r] * b[bj + r];
    }
    return s;
  }

  private static void store(FloatVector sum, float beta, float[] c, int at) {
    if (beta != 0f) {
      sum = FloatVector.fromArray(S, c, at).mul(beta).add(sum);
    }
    sum.intoArray(c, at);
  }

}
