package io.spindle.tensor;

import dev.ludovic.netlib.blas.BLAS;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

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
    Meter meter = METER.get();
    if (meter == null) {
      dispatch(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    long wall = System.nanoTime();
    long cpu = THREADS.getCurrentThreadCpuTime();
    dispatch(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    meter.cpuNanos += THREADS.getCurrentThreadCpuTime() - cpu;
    meter.wallNanos += System.nanoTime() - wall;
    meter.flops += 2.0 * m * n * k;
    meter.calls++;
  }

  /**
   * Products with few output columns (a convolution's filters) go to {@link NarrowGemm} unless
   * the BLAS is native: the Vector-API backend runs such shapes at a fraction of its large-gemm
   * rate (bench/engine.sh), native OpenBLAS does not need the help, and the pure-Java fallback
   * means the JVM lacks the Vector API that NarrowGemm is written in.
   */
  private static final boolean NARROW = BLAS_INSTANCE.getClass().getSimpleName()
      .equals("VectorBLAS");

  private static void dispatch(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (NARROW && !transA && transB && alpha == 1f && NarrowGemm.suitsNT(m, n, k)) {
      NarrowGemm.sgemmNT(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    if (NARROW && !transB && alpha == 1f) {
      if (!transA && NarrowGemm.suits(m, n, k)) {
        NarrowGemm.sgemm(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        return;
      }
      if (transA && NarrowGemm.suitsTN(m, n, k)) {
        NarrowGemm.sgemmTN(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        return;
      }
    }
    BLAS_INSTANCE.sgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k,
        alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  private static final ThreadLocal<Meter> METER = new ThreadLocal<>();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * Starts adding the calling thread's sgemm calls to {@code meter} (null stops), so a
   * benchmark can tell time in BLAS from time in the layers' own loops.
   */
  public static void meter(Meter meter) {
    if (meter == null) {
      METER.remove();
    } else {
      METER.set(meter);
    }
  }

  /** Wall and thread CPU time, FLOPs (2 m n k) and count of the sgemm calls metered. */
  public static final class Meter {
    public long wallNanos;
    public long cpuNanos;
    public double flops;
    public long calls;

    public void reset() {
      wallNanos = 0;
      cpuNanos = 0;
      flops = 0;
      calls = 0;
    }
  }
}
