package io.spindle.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 FLOP/s one core can do: twelve independent chains of vector fused multiply-adds
 * on registers (enough to cover the FMA latency on two pipes), no memory traffic, timed by
 * this thread's CPU time; the best slice, and the best of the 256- and 512-bit (preferred)
 * vector shapes. An FMA
 * counts as 2 FLOPs per lane. bench/engine.sh runs it in a JVM of its own (Vector-API loops on
 * two vector shapes in one JVM made C2 compile later kernels without their intrinsics) and
 * states every layer as a fraction of it.
 *
 * <p>Usage: {@code FmaPeak [seconds]}; prints a table and a {@code RESULT fma_peak_gflops=}
 * line.
 */
public final class FmaPeak {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static volatile float sink;
  // Constants: the Vector API compiles to machine vectors only for a constant species.
  private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
  private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;

  private FmaPeak() {}

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
    double best = 0;
    for (VectorSpecies<Float> s : species()) {
      double g = gflops(s, seconds);
      System.out.printf(Locale.ROOT, "FMA throughput, %d-bit vectors: %.1f GFLOP/s%n",
          s.vectorBitSize(), g);
      best = Math.max(best, g);
    }
    System.out.printf(Locale.ROOT, "RESULT fma_peak_gflops=%.1f%n", best);
  }

  static VectorSpecies<Float>[] species() {
    @SuppressWarnings("unchecked")
    VectorSpecies<Float>[] s = FloatVector.SPECIES_PREFERRED == FloatVector.SPECIES_256
        ? new VectorSpecies[] {FloatVector.SPECIES_256}
        : new VectorSpecies[] {FloatVector.SPECIES_256, FloatVector.SPECIES_PREFERRED};
    return s;
  }

  /**
   * The best GFLOP/s of 0.1 s slices over {@code 2 * seconds} (at least 1 s): a peak is a
   * maximum, and the best slice is the one after C2 has compiled the loop (interpreted or C1
   * code runs it 100x slower, and on a busy machine compilation comes late) and in which no
   * other process shared the core.
   */
  static double gflops(VectorSpecies<Float> s, double seconds) {
    long iterations = 1 << 14;
    Runnable run = s == S256 ? () -> chains256(iterations) : () -> chainsPreferred(iterations);
    double best = 0;
    long stop = System.nanoTime() + (long) (Math.max(1.0, 2 * seconds) * 1e9);
    while (System.nanoTime() < stop) {
      long end = System.nanoTime() + 100_000_000L;
      long cpu = THREADS.getCurrentThreadCpuTime();
      long calls = 0;
      do {
        run.run();
        calls++;
      } while (System.nanoTime() < end);
      double ns = THREADS.getCurrentThreadCpuTime() - cpu;
      best = Math.max(best, 2.0 * s.length() * 12 * iterations * calls / ns);
    }
    return best;
  }

  /** Twelve independent FMA chains; each converges to b / (1 - a), so no overflow. */
  private static void chains256(long iterations) {
    FloatVector a = FloatVector.broadcast(S256, 0.999f);
    FloatVector b = FloatVector.broadcast(S256, 0.001f);
    FloatVector c0 = FloatVector.broadcast(S256, 0.1f);
    FloatVector c1 = FloatVector.broadcast(S256, 0.2f);
    FloatVector c2 = FloatVector.broadcast(S256, 0.3f);
    FloatVector c3 = FloatVector.broadcast(S256, 0.4f);
    FloatVector c4 = FloatVector.broadcast(S256, 0.5f);
    FloatVector c5 = FloatVector.broadcast(S256, 0.6f);
    FloatVector c6 = FloatVector.broadcast(S256, 0.7f);
    FloatVector c7 = FloatVector.broadcast(S256, 0.8f);
    FloatVector c8 = FloatVector.broadcast(S256, 0.9f);
    FloatVector c9 = FloatVector.broadcast(S256, 1.0f);
    FloatVector c10 = FloatVector.broadcast(S256, 1.1f);
    FloatVector c11 = FloatVector.broadcast(S256, 1.2f);
    for (long i = 0; i < iterations; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    sink = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9)
        .add(c10).add(c11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }

  /** Twelve independent FMA chains; each converges to b / (1 - a), so no overflow. */
  private static void chainsPreferred(long iterations) {
    FloatVector a = FloatVector.broadcast(SP, 0.999f);
    FloatVector b = FloatVector.broadcast(SP, 0.001f);
    FloatVector c0 = FloatVector.broadcast(SP, 0.1f);
    FloatVector c1 = FloatVector.broadcast(SP, 0.2f);
    FloatVector c2 = FloatVector.broadcast(SP, 0.3f);
    FloatVector c3 = FloatVector.broadcast(SP, 0.4f);
    FloatVector c4 = FloatVector.broadcast(SP, 0.5f);
    FloatVector c5 = FloatVector.broadcast(SP, 0.6f);
    FloatVector c6 = FloatVector.broadcast(SP, 0.7f);
    FloatVector c7 = FloatVector.broadcast(SP, 0.8f);
    FloatVector c8 = FloatVector.broadcast(SP, 0.9f);
    FloatVector c9 = FloatVector.broadcast(SP, 1.0f);
    FloatVector c10 = FloatVector.broadcast(SP, 1.1f);
    FloatVector c11 = FloatVector.broadcast(SP, 1.2f);
    for (long i = 0; i < iterations; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    sink = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9)
        .add(c10).add(c11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
