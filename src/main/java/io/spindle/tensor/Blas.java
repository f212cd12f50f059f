package io.spindle.tensor;

import dev.ludovic.netlib.blas.BLAS;

/**
 * The one BLAS every kernel goes through: dev.ludovic.netlib, which picks native
 * (libblas.so.3, e.g. Debian's OpenBLAS) when present, else the Vector-API BLAS when the JVM
 * runs with {@code --add-modules jdk.incubator.vector}, else plain Java.
 *
 * <p>All matrices are column-major, as in Fortran BLAS.
 */
public final class Blas {

  private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

  private Blas() {}

  public static BLAS get() {
    return BLAS_INSTANCE;
  }

  /** Class name of the backend in use, e.g. {@code VectorBLAS} or {@code JNIBLAS}. */
  public static String backendName() {
    return BLAS_INSTANCE.getClass().getSimpleName();
  }

  /** C(m x n) = alpha * op(A) * op(B) + beta * C, column-major, with array offsets. */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    BLAS_INSTANCE.sgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k,
        alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }
}
