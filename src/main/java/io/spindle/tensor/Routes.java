package io.spindle.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The routing table of {@link Blas}: for one BLAS backend, the widest narrow side sent to
 * {@link NarrowGemm} per layout (NN: columns n; NT: inner dimension k; TN: columns n), 0 for
 * none, and the fewest rows m ({@code .minRows}). Read from {@code kernel-routes.properties}, written by {@code bench/kernel-routes.sh}
 * from measurements on the machine it runs on; a backend missing there routes nothing.
 */
final class Routes {

  static final String RESOURCE = "kernel-routes.properties";

  final int nn;
  final int nt;
  final int tn;
  /** Fewest rows m routed, per layout (NarrowGemm vectorizes along m). */
  final int nnRows;
  final int ntRows;
  final int tnRows;

  Routes(int nn, int nt, int tn, int nnRows, int ntRows, int tnRows) {
    this.nn = nn;
    this.nt = nt;
    this.tn = tn;
    this.nnRows = nnRows;
    this.ntRows = ntRows;
    this.tnRows = tnRows;
  }

  static Routes load(String backend, boolean vectorApi) {
    if (!vectorApi) {
      return new Routes(0, 0, 0, 0, 0, 0);
    }
    Properties p = new Properties();
    try (InputStream in = Routes.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return new Routes(get(p, backend + ".NN"), get(p, backend + ".NT"), get(p, backend + ".TN"),
        get(p, backend + ".NN.minRows"), get(p, backend + ".NT.minRows"),
        get(p, backend + ".TN.minRows"));
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
