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
    meter.add(cpu, wall, 2.0 * m * n * k);
  }

  /**
   * The calling thread's meter, or null: for the kernels that compute a layer's products
   * without sgemm ({@link DirectConv}), so that they count as product time too.
   */
  static Meter meter() {
    return METER.get();
  }

  /** This thread's CPU time, ns (the clock the meters use). */
  static long threadCpuNanos() {
    return THREADS.getCurrentThreadCpuTime();
  }

  /** Whether the JVM has the Vector API that {@link NarrowGemm} is written in. */
  static final boolean VECTOR_API =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  /**
   * Products with a narrow side (a convolution's filters or taps, a dense layer's batch share)
   * go to {@link NarrowGemm} when it beats this BLAS on that layout: per backend and layout,
   * the widest narrow side routed there, from {@code kernel-routes.properties}, which
   * {@code bench/kernel-routes.sh} measures and rewrites. The rule depends on the backend (for
   * native OpenBLAS, the core type OPENBLAS_CORETYPE names, see {@link Routes}) and the shape
   * only, so every task of a job picks the same kernels.
   */
  private static final Routes ROUTES = Routes.load(BLAS_INSTANCE.getClass().getSimpleName(),
      System.getenv("OPENBLAS_CORETYPE"), VECTOR_API);

  /** The routing table's lines in force, e.g. {@code VectorBLAS} or {@code JNIBLAS-Haswell}. */
  public static String routesKey() {
    return ROUTES.key;
  }

  /**
   * The key under which a measurement of the routes in this JVM belongs in the table: the
   * backend, with OpenBLAS's core type where OPENBLAS_CORETYPE names it.
   */
  public static String measuredRoutesKey() {
    return Routes.measuredKey(backendName(), System.getenv("OPENBLAS_CORETYPE"));
  }

  /** The kernel {@link #sgemm} picks for a product with alpha 1. */
  public static Kernel route(boolean transA, boolean transB, int m, int n, int k) {
    return narrowFits(transA, transB, m, n, k) && ROUTES.narrow(transA, transB, m, n, k)
        ? Kernel.NARROW : Kernel.BLAS;
  }

  /**
   * Whether a stride-1 convolution with this many filters runs over shifted views of its
   * bordered input ({@link ShiftedConv}'s NarrowGemm kernels: forward, weight and input
   * gradient) rather than im2col + this BLAS: the routing table's {@code SHIFTED} line, which
   * {@code bench/kernel-routes.sh} measures per backend on whole layers.
   */
  public static boolean shiftedConvolution(int filters) {
    Boolean forced = SHIFTED_OVERRIDE.get();
    if (!VECTOR_API || filters > NarrowGemm.MAX_COLUMNS) {
      return false;
    }
    return forced != null ? forced : filters <= ROUTES.shifted;
  }

  /**
   * Overrides {@link #shiftedConvolution} on the calling thread (null: back to the table), so a
   * benchmark can time both ways of one layer, as {@link #sgemmOn} does for one product.
   */
  public static void overrideShiftedConvolution(Boolean shifted) {
    if (shifted == null) {
      SHIFTED_OVERRIDE.remove();
    } else {
      SHIFTED_OVERRIDE.set(shifted);
    }
  }

  private static final ThreadLocal<Boolean> SHIFTED_OVERRIDE = new ThreadLocal<>();

  /** Which kernel runs a product: the BLAS's sgemm or {@link NarrowGemm}'s Vector-API loops. */
  public enum Kernel { BLAS, NARROW }

  /**
   * The product on a kernel named by the caller, bypassing the routing (benchmarks and tests
   * compare the two on one shape). NARROW needs a layout {@link #narrowFits} accepts.
   */
  public static void sgemmOn(Kernel kernel, boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c,
      int cOff, int ldc) {
    if (kernel == Kernel.BLAS) {
      BLAS_INSTANCE.sgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, 1f, a, aOff, lda, b,
          bOff, ldb, beta, c, cOff, ldc);
    } else if (!transA && !transB) {
      NarrowGemm.sgemm(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    } else if (!transA) {
      NarrowGemm.sgemmNT(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    } else if (!transB) {
      NarrowGemm.sgemmTN(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    } else {
      throw new IllegalArgumentException("no narrow kernel for A^T B^T");
    }
  }

  /**
   * C = A B where A's column t starts at {@code aOff + aCol[t]} ({@link NarrowGemm#sgemmColumns}:
   * a convolution over shifted views of its input, see {@link ShiftedConv}), metered like
   * {@link #sgemm}. Needs the Vector API; m must be a multiple of {@link #columnRowUnit}.
   */
  static void sgemmColumns(int m, int n, int k, float[] a, int aOff, int[] aCol, float[] b,
      int bOff, int bRow, int bCol, float[] c, int cOff, int ldc) {
    Meter meter = METER.get();
    long cpu = meter == null ? 0 : THREADS.getCurrentThreadCpuTime();
    long wall = meter == null ? 0 : System.nanoTime();
    NarrowGemm.sgemmColumns(m, n, k, a, aOff, aCol, b, bOff, bRow, bCol, c, cOff, ldc);
    if (meter != null) {
      meter.add(cpu, wall, 2.0 * m * n * k);
    }
  }

  /**
   * C += A^T B where A's column i starts at {@code aCol[i]} ({@link NarrowGemm#sgemmTNColumns}:
   * a convolution's weight gradient over shifted views, see {@link ShiftedConv}), metered like
   * {@link #sgemm}. Needs the Vector API.
   */
  static void sgemmTNColumns(int m, int n, int k, float[] a, int[] aCol, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc) {
    Meter meter = METER.get();
    long cpu = meter == null ? 0 : THREADS.getCurrentThreadCpuTime();
    long wall = meter == null ? 0 : System.nanoTime();
    NarrowGemm.sgemmTNColumns(m, n, k, a, aCol, b, bOff, ldb, c, cOff, ldc);
    if (meter != null) {
      meter.add(cpu, wall, 2.0 * m * n * k);
    }
  }

  /** The row multiple of {@link #sgemmColumns} (needs the Vector API). */
  static int columnRowUnit() {
    return NarrowGemm.columnRowUnit();
  }

  /** Whether a {@link NarrowGemm} kernel exists for this layout and shape. */
  public static boolean narrowFits(boolean transA, boolean transB, int m, int n, int k) {
    if (!VECTOR_API) {
      return false;
    }
    if (!transA && !transB) {
      return NarrowGemm.suits(m, n, k);
    } else if (!transA) {
      return NarrowGemm.suitsNT(m, n, k);
    } else if (!transB) {
      return NarrowGemm.suitsTN(m, n, k);
    }
    return false;
  }

  private static void dispatch(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (alpha == 1f && route(transA, transB, m, n, k) == Kernel.NARROW) {
      sgemmOn(Kernel.NARROW, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
          ldc);
      return;
    }
    BLAS_INSTANCE.sgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k,
        alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  private static final ThreadLocal<Meter> METER = new ThreadLocal<>();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * Starts adding the calling thread's sgemm calls, and {@link DirectConv}'s products, to
   * {@code meter} (null stops), so a benchmark can tell time in products from time in the
   * layers' own loops.
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

    /** Adds one product that started at these clock readings and did this many FLOPs. */
    void add(long cpuStart, long wallStart, double productFlops) {
      cpuNanos += THREADS.getCurrentThreadCpuTime() - cpuStart;
      wallNanos += System.nanoTime() - wallStart;
      flops += productFlops;
      calls++;
    }

    public void reset() {
      wallNanos = 0;
      cpuNanos = 0;
      flops = 0;
      calls = 0;
    }
  }
}
