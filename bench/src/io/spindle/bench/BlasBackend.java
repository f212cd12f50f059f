package io.spindle.bench;

import io.spindle.tensor.Blas;

/** Prints the BLAS backend this JVM gets (for the suite's machine line). */
public final class BlasBackend {
  public static void main(String[] args) {
    System.out.println(Blas.backendName());
  }
}
