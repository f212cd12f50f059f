package io.spindle.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spindle.tensor.NarrowGemmTest.Kind;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Every kernel the routing can choose, on the BLAS backend this JVM runs (surefire runs the
 * kernel and layer tests once on whatever netlib picks, native OpenBLAS where installed, and
 * once more forced onto VectorBLAS): the BLAS's sgemm, NarrowGemm and the routed
 * {@link Blas#sgemm}, against double-precision references on awkward shapes (odd rows, 1-7
 * and 48 columns, leading dimensions beyond the matrix, offsets, beta 0, 1 and 0.5). Also
 * that the routing follows this backend's lines of the table (for native OpenBLAS, those of
 * the core type OPENBLAS_CORETYPE names, where the table has them).
 */
class RoutedGemmTest {

  /** {kind, m, n, k}: the networks' layouts at odd sizes, narrow and not. */
  private static final int[][] SHAPES = {
      {0, 47, 5, 4}, {0, 784, 6, 25}, {0, 257, 16, 150}, {0, 545, 24, 9}, {0, 49, 48, 24},
      {0, 120, 7, 400}, {0, 63, 65, 70},
      {1, 100, 150, 16}, {1, 784, 25, 6}, {1, 33, 6, 32}, {1, 84, 120, 8}, {1, 49, 70, 65},
      {2, 150, 16, 6400}, {2, 25, 6, 50176}, {2, 9, 24, 1031}, {2, 216, 48, 3136},
      {2, 70, 65, 63}};

  @Test
  void everyKernelOnThisBackendMatchesDoublePrecision() {
    int seed = 0;
    for (int[] s : SHAPES) {
      Kind kind = Kind.values()[s[0]];
      boolean transA = kind == Kind.TN;
      boolean transB = kind == Kind.NT;
      int m = s[1];
      int n = s[2];
      int k = s[3];
      NarrowGemmTest.check(kind, m, n, k, seed++, (a, aOff, lda, b, bOff, ldb, beta, c, cOff,
          ldc) -> Blas.sgemmOn(Blas.Kernel.BLAS, transA, transB, m, n, k, a, aOff, lda, b, bOff,
          ldb, beta, c, cOff, ldc));
      NarrowGemmTest.check(kind, m, n, k, seed++, (a, aOff, lda, b, bOff, ldb, beta, c, cOff,
          ldc) -> Blas.sgemm(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, beta, c,
          cOff, ldc));
      if (Blas.narrowFits(transA, transB, m, n, k)) {
        NarrowGemmTest.check(kind, m, n, k, seed++, (a, aOff, lda, b, bOff, ldb, beta, c, cOff,
            ldc) -> Blas.sgemmOn(Blas.Kernel.NARROW, transA, transB, m, n, k, a, aOff, lda, b,
            bOff, ldb, beta, c, cOff, ldc));
      }
    }
  }

  @Test
  void nativeRoutesAreKeyedByTheCoreTypeTheEnvironmentNames() {
    assertEquals("JNIBLAS-Haswell", Routes.measuredKey("JNIBLAS", "Haswell"));
    assertEquals("JNIBLAS", Routes.measuredKey("JNIBLAS", null));
    assertEquals("JNIBLAS", Routes.measuredKey("JNIBLAS", " "));
    assertEquals("VectorBLAS", Routes.measuredKey("VectorBLAS", "Haswell"));
  }

  @Test
  void routingFollowsThisBackendsTable() throws Exception {
    assumeTrue(Blas.VECTOR_API, "the JVM lacks jdk.incubator.vector: everything runs on the BLAS");
    Properties table = new Properties();
    try (InputStream in = Routes.class.getResourceAsStream(Routes.RESOURCE)) {
      table.load(in);
    }
    String backend = Blas.routesKey();
    assertEquals(table.containsKey(Blas.measuredRoutesKey() + ".NN") ? Blas.measuredRoutesKey()
        : Blas.backendName(), backend, "the lines in force");
    int nn = Integer.parseInt(table.getProperty(backend + ".NN", "0"));
    int nt = Integer.parseInt(table.getProperty(backend + ".NT", "0"));
    int tn = Integer.parseInt(table.getProperty(backend + ".TN", "0"));
    int nnRows = Integer.parseInt(table.getProperty(backend + ".NN.minRows", "0"));
    int ntRows = Integer.parseInt(table.getProperty(backend + ".NT.minRows", "0"));
    int tnRows = Integer.parseInt(table.getProperty(backend + ".TN.minRows", "0"));
    for (int w = 1; w <= 64; w++) {
      for (int m : new int[] {32, 84, 120, 784, 6400}) {
        assertEquals(w <= nn && m >= nnRows ? Blas.Kernel.NARROW : Blas.Kernel.BLAS,
            Blas.route(false, false, m, w, 150), backend + " NN " + m + " x " + w);
        assertEquals(w <= nt && m >= ntRows ? Blas.Kernel.NARROW : Blas.Kernel.BLAS,
            Blas.route(false, true, m, 150, w), backend + " NT " + m + ", inner " + w);
        assertEquals(w <= tn && m >= tnRows ? Blas.Kernel.NARROW
            : Blas.Kernel.BLAS, Blas.route(true, false, m, w, 6400),
            backend + " TN " + m + " x " + w);
      }
    }
    // Beyond NarrowGemm's shapes the BLAS runs whatever the table says.
    assertEquals(Blas.Kernel.BLAS, Blas.route(false, false, 256, 256, 256));
    // Stride-1 convolutions over shifted views: up to the SHIFTED line's filter count, never
    // past NarrowGemm's widest product.
    int shifted = Integer.parseInt(table.getProperty(backend + ".SHIFTED", "0"));
    for (int f = 1; f <= 200; f++) {
      assertEquals(f <= shifted && f <= 64, Blas.shiftedConvolution(f), backend + " SHIFTED " + f);
    }
    Blas.overrideShiftedConvolution(shifted == 0);
    try {
      assertEquals(shifted == 0, Blas.shiftedConvolution(24), "forced on this thread");
      assertFalse(Blas.shiftedConvolution(65), "wider than NarrowGemm's products");
    } finally {
      Blas.overrideShiftedConvolution(null);
    }
    assertEquals(24 <= shifted, Blas.shiftedConvolution(24), "back to the table");
  }
}
