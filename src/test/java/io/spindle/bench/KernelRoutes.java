package io.spindle.bench;

import io.spindle.nn.Init;
import io.spindle.nn.Layer;
import io.spindle.nn.layers.Conv2D;
import io.spindle.tensor.Blas;
import io.spindle.tensor.Shape;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Measures, on one thread, every product shape of LeNet-5's and the residual network's
 * (conf/resnet-mnist.conf) layers at batch 64, of dense layers at batch shares 8-64, and a
 * sweep of filter counts, on this JVM's BLAS and on {@code NarrowGemm}; prints the table and,
 * per layout, the widest narrow side routed to NarrowGemm: the threshold that minimizes the
 * summed time of the measured shapes. Then whole stride-1 convolution layers, over shifted
 * views and on im2col, for the most filters routed to the shifted path ({@code SHIFTED}). With
 * {@code --write FILE} it replaces this backend's lines of the routing table (run by
 * {@code bench/kernel-routes.sh}, once per backend).
 */
public final class KernelRoutes {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** The least saving, of a layout's summed time, for which a rule routes to NarrowGemm. */
  private static final double MIN_GAIN = 0.03;

  /**
   * {@code lda}: A's leading dimension as the layer passes it (0: the tight one); {@code calls}:
   * how often a batch runs it (per-example products: once per example), its weight in the rule.
   */
  record Product(String what, boolean transA, boolean transB, int m, int n, int k, int lda,
      int calls) {
    Product(String what, boolean transA, boolean transB, int m, int n, int k) {
      this(what, transA, transB, m, n, k, 0, 1);
    }

    String layout() {
      return (transA ? "T" : "N") + (transB ? "T" : "N");
    }

    /** The side routing looks at: columns for NN and TN, the inner dimension for NT. */
    int narrowSide() {
      return transB ? k : n;
    }
  }

  public static void main(String[] args) throws IOException {
    double seconds = 0.2;
    Path write = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--write")) {
        write = Path.of(args[++i]);
      } else if (args[i].equals("--seconds")) {
        seconds = Double.parseDouble(args[++i]);
      }
    }
    // The table's key: the backend, for native OpenBLAS with the core type OPENBLAS_CORETYPE
    // names (its kernels decide which products NarrowGemm beats).
    String backend = Blas.measuredRoutesKey();
    System.out.printf(Locale.ROOT, "BLAS backend: %s (routes %s); one thread; load average %s%n",
        Blas.backendName(), backend, load());
    List<Product> products = shapes();
    // Compile both kernels of every layout first: interpreted Vector-API code is 100x slower.
    for (int round = 0; round < 3; round++) {
      for (Product p : products) {
        if (Blas.narrowFits(p.transA, p.transB, p.m, p.n, p.k)) {
          gflops(p, Blas.Kernel.NARROW, 0.005);
          gflops(p, Blas.Kernel.BLAS, 0.005);
        }
      }
    }
    System.out.printf(Locale.ROOT, "%-34s %-3s %7s %6s %7s %9s %9s %7s%n", "product", "op", "m",
        "n", "k", "BLAS GF/s", "narrow", "winner");
    // Per layout, per shape: {narrow side, BLAS ns per batch, NarrowGemm ns per batch}.
    Map<String, List<double[]>> times = new LinkedHashMap<>();
    for (String l : List.of("NN", "NT", "TN")) {
      times.put(l, new ArrayList<>());
    }
    for (Product p : products) {
      if (!Blas.narrowFits(p.transA, p.transB, p.m, p.n, p.k)) {
        continue;
      }
      double blas = gflops(p, Blas.Kernel.BLAS, seconds);
      double narrow = gflops(p, Blas.Kernel.NARROW, seconds);
      boolean won = narrow > blas;
      double flops = 2.0 * p.m * p.n * p.k;
      times.get(p.layout()).add(new double[] {p.narrowSide(), p.calls * flops / blas,
          p.calls * flops / narrow, p.m});
      System.out.printf(Locale.ROOT, "%-34s %-3s %7d %6d %7d %9.1f %9.1f %7s%n", p.what,
          p.layout(), p.m, p.n, p.k, blas, narrow, won ? "narrow" : "BLAS");
    }
    // Per layout, the thresholds (narrow side <= w and rows m >= r go to NarrowGemm) that
    // minimize the summed time of all measured shapes: one noisy near-tie does not cut the
    // rule short, and short products (a dense layer's 120 rows) can stay with the BLAS.
    Map<String, int[]> rule = new LinkedHashMap<>();
    for (Map.Entry<String, List<double[]>> e : times.entrySet()) {
      List<Integer> widths = new ArrayList<>(List.of(0));
      List<Integer> rows = new ArrayList<>(List.of(0));
      for (double[] t : e.getValue()) {
        widths.add((int) t[0]);
        rows.add((int) t[3]);
      }
      int[] best = {0, 0};
      double bestCost = cost(e.getValue(), 0, 0);
      for (int w : widths) {
        for (int r : rows) {
          double c = cost(e.getValue(), w, r);
          if (c < bestCost * (1 - 1e-9)) {
            bestCost = c;
            best = new int[] {w, r};
          }
        }
      }
      // NarrowGemm has to pay off: a near-tie (measured noise between runs of this bench:
      // several percent per shape) keeps the layout on the BLAS.
      if (bestCost > (1 - MIN_GAIN) * cost(e.getValue(), 0, 0)) {
        best = new int[] {0, 0};
      }
      rule.put(e.getKey(), best);
    }
    int shifted = shiftedRule(seconds);
    StringBuilder line = new StringBuilder("route:");
    for (Map.Entry<String, int[]> e : rule.entrySet()) {
      line.append(String.format(Locale.ROOT, " %s.%s=%d %s.%s.minRows=%d", backend, e.getKey(),
          e.getValue()[0], backend, e.getKey(), e.getValue()[1]));
    }
    line.append(String.format(Locale.ROOT, " %s.SHIFTED=%d", backend, shifted));
    System.out.printf(Locale.ROOT, "%s (load average %s)%n", line, load());
    if (write != null) {
      List<String> lines = Files.exists(write) ? new ArrayList<>(Files.readAllLines(write))
          : new ArrayList<>();
      lines.removeIf(l -> l.startsWith(backend + "."));
      for (Map.Entry<String, int[]> e : rule.entrySet()) {
        lines.add(backend + "." + e.getKey() + "=" + e.getValue()[0]);
        lines.add(backend + "." + e.getKey() + ".minRows=" + e.getValue()[1]);
      }
      lines.add(backend + ".SHIFTED=" + shifted);
      Files.write(write, lines);
      System.out.println("wrote " + write);
    }
  }

  /**
   * Stride-1 3x3 convolutions ("same" padding) that Conv2D can run over shifted views:
   * {channels, height and width, filters}. The residual network's two, a sweep of filter
   * counts, and conf/cnn-large-mnist.conf's wider layers.
   */
  private static final Object[][] SHIFTED_LAYERS = {
      {"resnet block1 24@3x3 on 24x14x14", 24, 14, 24},
      {"resnet block2b 48@3x3 on 48x7x7", 48, 7, 48},
      {"sweep 4@3x3 on 16x14x14", 16, 14, 4},
      {"sweep 8@3x3 on 16x14x14", 16, 14, 8},
      {"sweep 12@3x3 on 16x14x14", 16, 14, 12},
      {"sweep 32@3x3 on 16x14x14", 16, 14, 32},
      {"cnn-large 32@3x3 on 32x28x28", 32, 28, 32},
      {"cnn-large 64@3x3 on 32x14x14", 32, 14, 64},
      {"cnn-large 64@3x3 on 64x14x14", 64, 14, 64}};

  /**
   * The SHIFTED line: whole layers (forward and backward of a batch of 64, the layer's own
   * code) timed over shifted views and on im2col + this BLAS, each forced; the most filters
   * routed to the shifted path is the threshold that minimizes the summed time, as for the
   * products.
   */
  private static int shiftedRule(double seconds) {
    System.out.printf(Locale.ROOT, "%-34s %9s %9s %7s%n", "stride-1 layer, batch 64",
        "im2col ms", "shifted", "winner");
    List<double[]> layers = new ArrayList<>();
    for (Object[] l : SHIFTED_LAYERS) {
      int channels = (Integer) l[1];
      int size = (Integer) l[2];
      int filters = (Integer) l[3];
      if (!Blas.narrowFits(false, false, 64 * size * size, filters, 9 * channels)) {
        continue;
      }
      double im2col = layerMillis(channels, size, filters, false, seconds);
      double shifted = layerMillis(channels, size, filters, true, seconds);
      layers.add(new double[] {filters, im2col, shifted, 0});
      System.out.printf(Locale.ROOT, "%-34s %9.3f %9.3f %7s%n", l[0], im2col, shifted,
          shifted < im2col ? "shifted" : "im2col");
    }
    int best = 0;
    double bestCost = cost(layers, 0, 0);
    for (double[] t : layers) {
      double c = cost(layers, (int) t[0], 0);
      if (c < bestCost * (1 - 1e-9)) {
        bestCost = c;
        best = (int) t[0];
      }
    }
    return bestCost > (1 - MIN_GAIN) * cost(layers, 0, 0) ? 0 : best;
  }

  /** Median CPU ms of one forward + backward of a batch of 64, the shifted path forced. */
  private static double layerMillis(int channels, int size, int filters, boolean shifted,
      double seconds) {
    int batch = 64;
    Shape in = Shape.of(channels, size, size);
    Conv2D spec = new Conv2D(filters, 3, 3, 1, 1, 1, 1, Init.HE_UNIFORM);
    Shape out = spec.outputShape(in);
    Layer layer = spec.instantiate(in, 0);
    SplittableRandom rng = new SplittableRandom(2);
    float[] params = random(rng, spec.paramCount(in));
    float[] grads = new float[params.length];
    float[] x = random(rng, batch * in.size());
    float[] dy = random(rng, batch * out.size());
    Runnable run = () -> {
      layer.forward(params, x, batch, true);
      layer.backward(params, grads, x, dy, batch, true);
    };
    Blas.overrideShiftedConvolution(shifted);
    try {
      double[] rounds = new double[5];
      timeFor(run, seconds);
      for (int r = 0; r < rounds.length; r++) {
        rounds[r] = timeFor(run, seconds / rounds.length);
      }
      Arrays.sort(rounds);
      return rounds[rounds.length / 2] / 1e6;
    } finally {
      Blas.overrideShiftedConvolution(null);
    }
  }

  private static float[] random(SplittableRandom rng, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return a;
  }

  /** Summed ns per batch when shapes with narrow side <= w and m >= r go to NarrowGemm. */
  private static double cost(List<double[]> shapes, int w, int r) {
    double sum = 0;
    for (double[] t : shapes) {
      sum += t[0] <= w && t[3] >= r ? t[2] : t[1];
    }
    return sum;
  }

  /** The products of the benchmarked networks' layers, plus sweeps over the narrow side. */
  static List<Product> shapes() {
    List<Product> out = new ArrayList<>();
    int batch = 64;
    // name, output pixels per example, input channels, kernel taps per channel, filters, and
    // how Conv2D computes the input gradient: "wide" (im2col's wide layout, per example, its
    // rows given), "shifted" (one product per kernel tap over the batch, its rows per example
    // given; inner dimension the filters, columns the channels), else "batch" (one product
    // over the batch's pixels, then col2im). Layers that DirectConv computes (stride 1, at
    // most 32 taps: LeNet-5's conv1, the residual network's stem) run no sgemm.
    Object[][] convs = {
        {"lenet conv2 16@5x5", 100, 6, 25, 16, "wide", 140},
        {"resnet block1 24@3x3", 196, 24, 9, 24, "shifted", 225},
        {"resnet block2a 48@3x3 s2", 49, 24, 9, 48, "batch", 49},
        {"resnet block2b 48@3x3", 49, 48, 9, 48, "shifted", 64},
        {"resnet projection 48@1x1 s2", 49, 24, 1, 48, "batch", 49},
        {"sweep 4@3x3 on 16 ch", 196, 16, 9, 4, "shifted", 225},
        {"sweep 8@3x3 on 16 ch", 196, 16, 9, 8, "shifted", 225},
        {"sweep 12@3x3 on 16 ch", 196, 16, 9, 12, "shifted", 225},
        {"sweep 32@3x3 on 16 ch", 196, 16, 9, 32, "shifted", 225}};
    for (Object[] c : convs) {
      String name = (String) c[0];
      int pixels = (Integer) c[1];
      int channels = (Integer) c[2];
      int kernel = (Integer) c[3];
      int filters = (Integer) c[4];
      int dxRows = (Integer) c[6];
      int taps = channels * kernel;
      out.add(new Product(name + " fwd", false, false, batch * pixels, filters, taps));
      out.add(new Product(name + " dW", true, false, taps, filters, batch * pixels));
      out.add(switch ((String) c[5]) {
        case "wide" -> new Product(name + " dx", false, true, dxRows, taps, filters, dxRows,
            batch);
        case "shifted" -> new Product(name + " dx", false, false, batch * dxRows, channels,
            filters, batch * dxRows, kernel);
        default -> new Product(name + " dx", false, true, batch * pixels, taps, filters);
      });
    }
    int[][] dense = {{400, 120}, {120, 84}, {84, 10}, {2352, 10}};
    for (int share : new int[] {8, 16, 32, 64}) {
      for (int[] d : dense) {
        String name = "dense " + d[0] + "->" + d[1] + " batch " + share;
        out.add(new Product(name + " fwd", false, false, d[1], share, d[0]));
        out.add(new Product(name + " dW", false, true, d[1], d[0], share));
        out.add(new Product(name + " dx", true, false, d[0], share, d[1]));
      }
    }
    return out;
  }

  static double gflops(Product p, Blas.Kernel kernel, double seconds) {
    int lda = p.lda > 0 ? p.lda : p.transA ? p.k : p.m;
    int ldb = p.transB ? p.n : p.k;
    SplittableRandom rng = new SplittableRandom(1);
    float[] a = new float[lda * ((p.transA ? p.m : p.k) + 1)];
    float[] b = new float[ldb * (p.transB ? p.k : p.n)];
    float[] c = new float[p.m * p.n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rng.nextDouble();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) rng.nextDouble();
    }
    Runnable run = () -> Blas.sgemmOn(kernel, p.transA, p.transB, p.m, p.n, p.k, a, 0, lda, b,
        0, ldb, 0f, c, 0, p.m);
    double[] rounds = new double[5];
    timeFor(run, seconds);
    for (int r = 0; r < rounds.length; r++) {
      rounds[r] = timeFor(run, seconds / rounds.length);
    }
    Arrays.sort(rounds);
    return 2.0 * p.m * p.n * p.k / rounds[rounds.length / 2];
  }

  /** CPU nanoseconds per call over about {@code seconds}. */
  private static double timeFor(Runnable r, double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long cpu = THREADS.getCurrentThreadCpuTime();
    long calls = 0;
    do {
      r.run();
      calls++;
    } while (System.nanoTime() < end);
    return (double) (THREADS.getCurrentThreadCpuTime() - cpu) / calls;
  }

  private static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "n/a";
    }
  }
}
