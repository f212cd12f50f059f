package io.spindle.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The routing table of {@link Blas}: for one BLAS backend, the widest narrow side sent to
 * {@link NarrowGemm} per layout (NN: columns n; NT: inner dimension k; TN: columns n), 0 for
 * none, and the fewest rows m ({@code .minRows}); and the most filters of a stride-1
 * convolution computed over shifted views ({@code .SHIFTED}, see {@link ShiftedConv}), a
 * whole layer's choice against im2col + this BLAS. Read from {@code kernel-routes.properties},
 * written by {@code bench/kernel-routes.sh} from measurements on the machine it runs on; a
 * backend missing there routes nothing.
 *
 * <p>Native OpenBLAS picks its kernels from the CPU unless {@code OPENBLAS_CORETYPE} names
 * them, and which of its kernels run decides which products NarrowGemm beats (on this
 * machine its Haswell kernels reach half the speed of the AVX-512 ones it picks itself). So
 * where the environment names them, the lines of that core type ({@code JNIBLAS-Haswell.NN})
 * apply, and the backend's own lines where the table has none for it.
 */
final class Routes {

  static final String RESOURCE = "kernel-routes.properties";

  /** The key of the lines in force, e.g. {@code VectorBLAS} or {@code JNIBLAS-Haswell}. */
  final String key;

  final int nn;
  final int nt;
  final int tn;
  /** Fewest rows m routed, per layout (NarrowGemm vectorizes along m). */
  final int nnRows;
  final int ntRows;
  final int tnRows;
  /** Most filters of a stride-1 convolution run by {@link ShiftedConv}'s kernels. */
  final int shifted;

  Routes(String key, int nn, int nt, int tn, int nnRows, int ntRows, int tnRows, int shifted) {
    this.key = key;
    this.nn = nn;
    this.nt = nt;
    this.tn = tn;
    this.nnRows = nnRows;
    this.ntRows = ntRows;
    this.tnRows = tnRows;
    this.shifted = shifted;
  }

  /**
   * The key a measurement in this environment belongs to: the backend, with native OpenBLAS's
   * core type where {@code coreType} (the value of OPENBLAS_CORETYPE) names one.
   */
  static String measuredKey(String backend, String coreType) {
    return backend.equals("JNIBLAS") && coreType != null && !coreType.isBlank()
        ? backend + "-" + coreType.trim() : backend;
  }

  static Routes load(String backend, String coreType, boolean vectorApi) {
    String key = measuredKey(backend, coreType);
    if (!vectorApi) {
      return new Routes(key, 0, 0, 0, 0, 0, 0, 0);
    }
    Properties p = new Properties();
    try (InputStream in = Routes.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    if (!p.containsKey(key + ".NN")) {
      key = backend;
    }
    return new Routes(key, get(p, key + ".NN"), get(p, key + ".NT"), get(p, key + ".TN"),
        get(p, key + ".NN.minRows"), get(p, key + ".NT.minRows"), get(p, key + ".TN.minRows"),
        get(p, key + ".SHIFTED"));
  }

  private static int get(Properties p, String key) {
    String v = p.getProperty(key);
    return v == null ? 0 : Integer.parseInt(v.trim());
  }

  boolean narrow(boolean transA, boolean transB, int m, int n, int k) {
    if (!transA && !transB) {
      return n <= nn && m >= nnRows;
    } else if (!transA) {
      return k <= nt && m >= ntRows;
    }
    return n <= tn && m >= tnRows;
  }
}
