package io.spindle.bench;

import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.nn.Network;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.layers.Conv2D;
import io.spindle.nn.layers.Dense;
import io.spindle.tensor.Blas;
import io.spindle.tensor.Shape;
import io.spindle.train.GradientStep;
import io.spindle.train.Metrics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The engine benchmark of issue 2 (run by {@code bench/engine.sh}, not a unit test): on one
 * thread, LeNet-5 forward + backward images/s at batch 64, GFLOP/s of every layer forward and
 * backward, the conv + dense aggregate, and the same BLAS's 256x256x256 sgemm for reference.
 *
 * <p>FLOPs are the nominal 2 M N K of each layer's products (forward; backward = weight
 * gradient + input gradient, without the input gradient of the first layer, which training
 * never computes). Times include everything the layer does (im2col, reorders, bias, col2im).
 * Each figure is the median of several rounds. Figures come from this thread's CPU time, which
 * other processes on a shared machine do not inflate (they still compete for caches and memory
 * bandwidth), and from the wall clock; on an idle machine the two agree.
 *
 * <p>Usage: {@code EngineBenchmark [rounds] [secondsPerRound] [config]}, where a job config
 * (e.g. {@code conf/resnet-mnist.conf}) replaces LeNet-5 by its network (a residual block is
 * one row, its FLOPs those of its convolutions, projection included); prints a table and one
 * {@code RESULT} line for the script to collect. {@code EngineBenchmark --backend} prints the
 * BLAS backend netlib picks and exits.
 */
public final class EngineBenchmark {

  private static final int BATCH = 64;
  private static final int WALL = 0;
  private static final int CPU = 1;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("--backend")) {
      System.out.println(Blas.backendName());
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
    String name = "LeNet-5";
    NetworkSpec spec = NetworkSpec.builder().input(1, 28, 28)
        .conv(6, 5).pad(2).relu().maxPool(2)
        .conv(16, 5).relu().maxPool(2)
        .dense(120).relu().dense(84).relu().dense(10).build();
    if (args.length > 2) {
      name = java.nio.file.Path.of(args[2]).getFileName().toString().replace(".conf", "");
      spec = io.spindle.config.NetworkConfig.parse(io.spindle.config.ConfigLoader.load(
          java.nio.file.Path.of(args[2]), java.util.List.of()));
    }

    // The core's float32 peak (FMA chains on registers), for the fraction-of-peak columns:
    // bench/engine.sh measures it in a JVM of its own (-Dspindle.bench.peakGflops), since
    // Vector-API loops on a second vector shape here made C2 compile NarrowGemm without its
    // vector intrinsics (10x slower). Without it the %peak columns read NaN.
    String given = System.getProperty("spindle.bench.peakGflops");
    double peak = given != null ? Double.parseDouble(given) : Double.NaN;
    String load0 = loadAverage();
    // Native runs name OpenBLAS's kernels (bench/engine.sh asks OpenBLAS which it loads) and
    // whether the environment chose them (OPENBLAS_CORETYPE) or OpenBLAS did, from the CPU.
    String core = System.getProperty("spindle.bench.openblasCore");
    String pinned = System.getenv("OPENBLAS_CORETYPE");
    boolean named = core != null && Blas.backendName().equals("JNIBLAS");
    boolean isPinned = pinned != null && !pinned.isEmpty();
    String kernels = !named ? "" : String.format(Locale.ROOT,
        " openblas_core=%s openblas_coretype=%s", core, isPinned ? pinned : "unset");
    System.out.printf(Locale.ROOT,
        "BLAS backend: %s%s; batch %d; %d rounds of %.1f s; load average %s%n",
        Blas.backendName(), !named ? "" : String.format(Locale.ROOT, " (OpenBLAS %s kernels, %s)",
            core, isPinned ? "named by OPENBLAS_CORETYPE=" + pinned
                : "OpenBLAS's choice for this CPU"),
        BATCH, rounds, seconds, load0);
    System.out.print(spec.summary());

    SplittableRandom rng = new SplittableRandom(42);
    float[] params = spec.initParams(1);
    float[] grads = new float[params.length];
    float[] x = new float[BATCH * spec.inputShape().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    float[] labels = new float[BATCH];
    for (int i = 0; i < BATCH; i++) {
      labels[i] = rng.nextInt(10);
    }

    // Whole training step through the production path (forward, loss, backward).
    GradientStep step = new GradientStep(spec);
    Metrics metrics = new Metrics();
    Runnable train = () -> step.accumulate(params, x, labels, BATCH, grads, 0L, metrics);
    // Per-layer breakdown: the same calls as Network.forward/backward, timed one by one.
    LayerTimer timer = new LayerTimer(spec, params, grads, x, labels);
    // The same BLAS on a square product, for reference.
    Sgemm nn = new Sgemm(256, false, false);
    Sgemm tn = new Sgemm(256, true, false);

    // Warm-up (JIT, buffer growth), then rounds that interleave every measurement, so that
    // a busy spell on a shared machine hits them alike.
    runFor(train, 3 * seconds);
    // Then until the step stops getting faster: C2 compiles a rarely called Vector-API block
    // late, and until then it runs boxed, 100x slower (several seconds late on a busy machine).
    double last = msPerCall(train, seconds / 2)[CPU];
    for (int i = 0; i < 40; i++) {
      double now = msPerCall(train, seconds / 2)[CPU];
      if (now > 0.97 * last) {
        break;
      }
      last = now;
    }
    runFor(timer::run, 2 * seconds);
    runFor(nn::run, seconds);
    runFor(tn::run, seconds);
    int layers = spec.layerCount();
    double[] stepWall = new double[rounds];
    double[] stepCpu = new double[rounds];
    double[][][] fwd = new double[2][layers][rounds];
    double[][][] bwd = new double[2][layers][rounds];
    double[][] gemmNn = new double[2][rounds];
    double[][] gemmTn = new double[2][rounds];
    for (int r = 0; r < rounds; r++) {
      double[] ms = msPerCall(train, seconds);
      stepWall[r] = ms[WALL];
      stepCpu[r] = ms[CPU];
      timer.reset();
      runFor(timer::run, seconds);
      for (int c = 0; c < 2; c++) {
        for (int i = 0; i < layers; i++) {
          fwd[c][i][r] = timer.fwd[c][i] / 1e6 / timer.calls;
          bwd[c][i][r] = timer.bwd[c][i] / 1e6 / timer.calls;
        }
      }
      double[] a = msPerCall(nn::run, seconds / 2);
      double[] b = msPerCall(tn::run, seconds / 2);
      for (int c = 0; c < 2; c++) {
        gemmNn[c][r] = nn.flops() / a[c] / 1e6;
        gemmTn[c][r] = tn.flops() / b[c] / 1e6;
      }
    }

    // The products alone: sgemm and direct-convolution time inside each layer, from a separate
    // metered pass.
    timer.fwdBlas = new Blas.Meter[layers];
    timer.bwdBlas = new Blas.Meter[layers];
    for (int i = 0; i < layers; i++) {
      timer.fwdBlas[i] = new Blas.Meter();
      timer.bwdBlas[i] = new Blas.Meter();
    }
    timer.reset();
    runFor(timer::run, rounds * seconds / 2);
    long metered = timer.calls;

    double[] aggregate = new double[2];
    double[] sgemm = new double[2];
    double[] sgemmTn = new double[2];
    for (int c = 0; c < 2; c++) {
      sgemm[c] = median(gemmNn[c]);
      sgemmTn[c] = median(gemmTn[c]);
    }

    // Report: GFLOP/s from this thread's CPU time (robust when other processes share the
    // cores), with the wall-clock figures after it.
    System.out.println();
    System.out.printf(Locale.ROOT, "Per layer, median ms per batch of this thread's CPU time;"
        + " %%peak and %%sgemm: the layer's forward+backward GFLOP/s against the core's FMA"
        + " peak (%.1f GFLOP/s) and this BLAS's sgemm 256^3 NN (%.1f GFLOP/s):%n", peak,
        sgemm[CPU]);
    System.out.printf(Locale.ROOT, "%-3s %-22s %-10s %9s %9s %9s %9s %10s %6s %6s%n", "#",
        "layer", "output", "fwd ms", "fwd GF/s", "bwd ms", "bwd GF/s", "prod. ms", "%peak",
        "%sgemm");
    double gemmFlops = 0;
    double[] gemmMs = new double[2];
    double allMs = 0;
    double blasMs = 0;
    for (int i = 0; i < layers; i++) {
      double f = median(fwd[CPU][i]);
      double b = median(bwd[CPU][i]);
      double[] flops = flops(spec, i);
      allMs += f + b;
      boolean product = flops[0] > 0;
      if (product) {
        gemmFlops += flops[0] + flops[1];
        for (int c = 0; c < 2; c++) {
          gemmMs[c] += median(fwd[c][i]) + median(bwd[c][i]);
        }
      }
      double layerBlas = (timer.fwdBlas[i].cpuNanos + timer.bwdBlas[i].cpuNanos) / 1e6 / metered;
      if (product) {
        blasMs += layerBlas;
      }
      double both = (flops[0] + flops[1]) / (f + b) / 1e6;
      System.out.printf(Locale.ROOT, "%-3d %-22s %-10s %9.3f %9s %9.3f %9s %10s %6s %6s%n", i + 1,
          describe(spec.layers().get(i)), spec.layerOutputShape(i), f,
          product ? String.format(Locale.ROOT, "%.1f", flops[0] / f / 1e6) : "", b,
          product ? String.format(Locale.ROOT, "%.1f", flops[1] / b / 1e6) : "",
          product ? String.format(Locale.ROOT, "%.3f", layerBlas) : "",
          product ? String.format(Locale.ROOT, "%.0f%%", 100 * both / peak) : "",
          product ? String.format(Locale.ROOT, "%.0f%%", 100 * both / sgemm[CPU]) : "");
    }
    System.out.printf(Locale.ROOT, "all layers %.3f ms; conv+dense %.1f MFLOP in %.3f ms, of "
        + "which %.3f ms in products: sgemm and direct convolution (metered pass)%n", allMs, gemmFlops / 1e6, gemmMs[CPU], blasMs);
    System.out.println();
    System.out.printf(Locale.ROOT, "%-44s %12s %12s%n", "", "CPU time", "wall clock");
    System.out.printf(Locale.ROOT, "%-44s %12.0f %12.0f%n",
        name + " train step, images/s", BATCH * 1000.0 / median(stepCpu),
        BATCH * 1000.0 / median(stepWall));
    System.out.printf(Locale.ROOT, "%-44s %12s %12s%n", "  ms per batch of 64 [min..max]",
        range(stepCpu), range(stepWall));
    for (int c = 0; c < 2; c++) {
      aggregate[c] = gemmFlops / gemmMs[c] / 1e6;
    }
    System.out.printf(Locale.ROOT, "%-44s %12.1f %12.1f%n", "conv+dense aggregate, GFLOP/s",
        aggregate[CPU], aggregate[WALL]);
    System.out.printf(Locale.ROOT, "%-44s %12.1f %12.1f%n", "sgemm 256x256x256 NN, GFLOP/s",
        sgemm[CPU], sgemm[WALL]);
    System.out.printf(Locale.ROOT, "%-44s %12.1f %12.1f%n", "sgemm 256x256x256 TN, GFLOP/s",
        sgemmTn[CPU], sgemmTn[WALL]);
    System.out.printf(Locale.ROOT, "%-44s %11.0f%% %11.0f%%%n", "aggregate / sgemm NN",
        100 * aggregate[CPU] / sgemm[CPU], 100 * aggregate[WALL] / sgemm[WALL]);
    System.out.printf(Locale.ROOT, "%-44s %11.0f%% %11.0f%%%n", "aggregate / core FMA peak",
        100 * aggregate[CPU] / peak, 100 * aggregate[WALL] / peak);
    System.out.printf(Locale.ROOT, "%-44s %12.1f%n", "core FMA peak (bench/fma-peak.sh), GFLOP/s",
        peak);
    System.out.printf(Locale.ROOT, "%-44s %11.0f%%%n", "sgemm NN / core FMA peak",
        100 * sgemm[CPU] / peak);
    double bound = gemmFlops / blasMs / 1e6;
    System.out.printf(Locale.ROOT, "%-44s %12.1f%n", "conv+dense products alone, GFLOP/s", bound);
    System.out.printf(Locale.ROOT, "%-44s %11.0f%%%n", "  / sgemm NN (ceiling without im2col etc.)",
        100 * bound / sgemm[CPU]);
    System.out.printf(Locale.ROOT, "load average before %s, after %s%n", load0, loadAverage());
    System.out.printf(Locale.ROOT, "RESULT backend=%s images_per_s=%.0f aggregate_gflops=%.1f "
        + "sgemm_nn_gflops=%.1f sgemm_tn_gflops=%.1f ratio_nn=%.2f ratio_tn=%.2f "
        + "wall_images_per_s=%.0f wall_ratio_nn=%.2f products_gflops=%.1f products_ratio_nn=%.2f "
        + "peak_gflops=%.1f peak_ratio=%.2f network=%s%s%n",
        Blas.backendName(), BATCH * 1000.0 / median(stepCpu), aggregate[CPU], sgemm[CPU],
        sgemmTn[CPU], aggregate[CPU] / sgemm[CPU], aggregate[CPU] / sgemmTn[CPU],
        BATCH * 1000.0 / median(stepWall), aggregate[WALL] / sgemm[WALL], bound,
        bound / sgemm[CPU], peak, aggregate[CPU] / peak, name, kernels);
  }

  /** Nominal forward and backward FLOPs of layer i for one batch (0 for non-product layers). */
  static double[] flops(NetworkSpec spec, int i) {
    return flops(spec.layers().get(i), spec.layerInputShape(i), spec.layerOutputShape(i), i == 0);
  }

  private static double[] flops(LayerSpec layer, Shape in, Shape out, boolean first) {
    if (layer instanceof io.spindle.nn.layers.Residual r) {
      double[] sum = new double[2];
      Shape s = in;
      for (int j = 0; j < r.layers().size(); j++) {
        Shape next = r.layers().get(j).outputShape(s);
        double[] f = flops(r.layers().get(j), s, next, first && j == 0);
        sum[0] += f[0];
        sum[1] += f[1];
        s = next;
      }
      if (!s.equals(in) || r.shortcut() == io.spindle.nn.layers.Residual.Shortcut.PROJECTION) {
        // The 1x1 projection (a dense layer for vectors).
        double macs = (double) s.size() * in.channels();
        sum[0] += 2 * macs * BATCH;
        sum[1] += 2 * macs * BATCH * (first ? 1 : 2);
      }
      return sum;
    }
    double macs;
    if (layer instanceof Conv2D c) {
      macs = (double) out.height() * out.width() * c.filters() * in.channels() * c.kernelH()
          * c.kernelW();
    } else if (layer instanceof Dense) {
      macs = (double) in.size() * out.size();
    } else {
      return new double[] {0, 0};
    }
    double forward = 2 * macs * BATCH;
    // Backward: weight gradient, plus input gradient except for the first layer.
    double backward = forward * (first ? 1 : 2);
    return new double[] {forward, backward};
  }

  private static String describe(LayerSpec layer) {
    if (layer instanceof Conv2D c) {
      return String.format(Locale.ROOT, "conv2d %d@%dx%d s%d p%d", c.filters(), c.kernelH(),
          c.kernelW(), c.strideH(), c.padH());
    } else if (layer instanceof Dense d) {
      return "dense " + d.units();
    }
    return layer.kind();
  }

  /** Network.forward / loss / Network.backward with a clock around every layer call. */
  private static final class LayerTimer {
    final NetworkSpec spec;
    final Network net;
    final float[] params;
    final float[] grads;
    final float[] x;
    final float[] labels;
    /** [WALL or CPU][layer] nanoseconds. */
    final long[][] fwd;
    final long[][] bwd;
    final float[] gradOut;
    /** When set, sgemm time is metered per layer (a separate pass: metering costs a little). */
    Blas.Meter[] fwdBlas;
    Blas.Meter[] bwdBlas;
    long calls;

    LayerTimer(NetworkSpec spec, float[] params, float[] grads, float[] x, float[] labels) {
      this.spec = spec;
      this.net = spec.instantiate();
      this.params = params;
      this.grads = grads;
      this.x = x;
      this.labels = labels;
      this.fwd = new long[2][spec.layerCount()];
      this.bwd = new long[2][spec.layerCount()];
      this.gradOut = new float[BATCH * spec.outputShape().size()];
    }

    void reset() {
      for (int c = 0; c < 2; c++) {
        Arrays.fill(fwd[c], 0);
        Arrays.fill(bwd[c], 0);
      }
      calls = 0;
    }

    void run() {
      int layers = spec.layerCount();
      float[] a = x;
      for (int i = 0; i < layers; i++) {
        Blas.meter(fwdBlas == null ? null : fwdBlas[i]);
        long t = System.nanoTime();
        long c = THREADS.getCurrentThreadCpuTime();
        a = net.layer(i).forward(params, a, BATCH, true);
        fwd[CPU][i] += THREADS.getCurrentThreadCpuTime() - c;
        fwd[WALL][i] += System.nanoTime() - t;
      }
      spec.loss().lossAndGradient(a, labels, BATCH, spec.outputShape().size(), gradOut);
      float[] g = gradOut;
      for (int i = layers - 1; i >= 0; i--) {
        Layer layer = net.layer(i);
        float[] in = i == 0 ? x : net.layer(i - 1).lastOutput();
        Blas.meter(bwdBlas == null ? null : bwdBlas[i]);
        long t = System.nanoTime();
        long c = THREADS.getCurrentThreadCpuTime();
        g = layer.backward(params, grads, in, g, BATCH, i > 0);
        bwd[CPU][i] += THREADS.getCurrentThreadCpuTime() - c;
        bwd[WALL][i] += System.nanoTime() - t;
      }
      Blas.meter(null);
      calls++;
    }
  }

  private static final class Sgemm {
    final int size;
    final boolean transA;
    final boolean transB;
    final float[] a;
    final float[] b;
    final float[] c;

    Sgemm(int size, boolean transA, boolean transB) {
      this.size = size;
      this.transA = transA;
      this.transB = transB;
      SplittableRandom rng = new SplittableRandom(7);
      this.a = new float[size * size];
      this.b = new float[size * size];
      this.c = new float[size * size];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) rng.nextDouble();
        b[i] = (float) rng.nextDouble();
      }
    }

    double flops() {
      return 2.0 * size * size * size;
    }

    void run() {
      Blas.sgemm(transA, transB, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size);
    }
  }

  private static void runFor(Runnable r, double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    do {
      r.run();
    } while (System.nanoTime() < end);
  }

  /** Milliseconds per call over about {@code seconds}: {wall clock, this thread's CPU time}. */
  private static double[] msPerCall(Runnable r, double seconds) {
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long calls = 0;
    long now;
    do {
      r.run();
      calls++;
      now = System.nanoTime();
    } while (now < end);
    long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
    return new double[] {(now - start) / 1e6 / calls, cpu / 1e6 / calls};
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static String range(double[] v) {
    return String.format(Locale.ROOT, "%.2f [%.2f..%.2f]", median(v), min(v), max(v));
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(Double.NaN);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "n/a";
    }
  }
}
