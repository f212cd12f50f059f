package io.spindle.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Which BLAS the kernel and layer tests ran on. Surefire runs them twice: forced onto
 * VectorBLAS ({@code spindle.blas.expected=VectorBLAS}, the vector-blas execution in the pom),
 * and on whatever netlib picks, which must be native OpenBLAS where it is installed. Without
 * it the native run is reported as skipped with the reason, except under {@code CI=true}
 * (.ci/run installs libopenblas0-pthread and sets it), where a missing native BLAS fails.
 */
class BlasBackendTest {

  @Test
  void kernelTestsRanOnTheIntendedBackend() {
    String expected = System.getProperty("spindle.blas.expected");
    String backend = Blas.backendName();
    if (expected != null) {
      assertEquals(expected, backend, "surefire's vector-blas execution forces VectorBLAS");
      return;
    }
    if (!backend.equals("JNIBLAS")) {
      String why = "no native BLAS (netlib picked " + backend + "): install libopenblas0-pthread"
          + " so the kernel tests also run on native OpenBLAS";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why + ". CI=true: CI must run them (.ci/run installs libopenblas0-pthread)");
      }
      System.err.println("BlasBackendTest: skipped: " + why);
      Assumptions.abort(why);
    }
    assertTrue(Blas.VECTOR_API, "the tests run with --add-modules jdk.incubator.vector, so"
        + " native runs route few-filter products to NarrowGemm as the table says");
  }
}
