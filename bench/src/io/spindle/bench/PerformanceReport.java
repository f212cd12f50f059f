package io.spindle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Writes docs/performance.md and docs/performance.png from the raw results of one
 * {@code bench/suite.sh} run (a directory of JSON lines and logs). Every ratio is taken
 * between figures of that one run; every figure is a median over the runs with its min-max.
 *
 * <p>Args: results directory, markdown output, chart output.
 */
public final class PerformanceReport {

  static final ObjectMapper JSON = new ObjectMapper();
  static final double[] TARGETS = {0.98, 0.99};

  /** The LeNet-5 systems in table order, with display names. */
  static final Map<String, String> SYSTEMS = new LinkedHashMap<>();

  static {
    SYSTEMS.put("spindle", "Spindle, local[2]");
    SYSTEMS.put("spindle-tuned", "Spindle, local[2], tuned recipe");
    SYSTEMS.put("dl4j-single", "Deeplearning4j, single process");
    SYSTEMS.put("dl4j-spark", "Deeplearning4j on Spark, local[2]");
  }

  static final Map<String, Color> COLORS = Map.of(
      "spindle", new Color(0x1f, 0x77, 0xb4), "spindle-tuned", new Color(0x2c, 0xa0, 0x2c),
      "dl4j-single", new Color(0xd6, 0x27, 0x28), "dl4j-spark", new Color(0xff, 0x7f, 0x0e));

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "bench/results/suite");
    Path md = Path.of(args.length > 1 ? args[1] : "docs/performance.md");
    Path png = Path.of(args.length > 2 ? args[2] : "docs/performance.png");
    Map<String, List<JsonNode>> lenet = new LinkedHashMap<>();
    for (String k : SYSTEMS.keySet()) {
      lenet.put(k, new ArrayList<>());
    }
    for (JsonNode n : lines(dir.resolve("lenet.jsonl"))) {
      String key = n.path("system").asText().equals("dl4j") ? "dl4j-" + n.path("mode").asText()
          : n.path("system").asText();
      lenet.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
    }
    List<JsonNode> mlp = lines(dir.resolve("mlp.jsonl"));
    List<JsonNode> overhead = lines(dir.resolve("overhead.jsonl"));
    List<JsonNode> sync = lines(dir.resolve("sync.jsonl"));
    List<JsonNode> cluster = lines(dir.resolve("cluster-sync.jsonl"));
    List<JsonNode> large = lines(dir.resolve("large-data.jsonl"));
    // Maven's colour codes (engine.sh builds first) are noise in a markdown code block.
    String engine = read(dir.resolve("engine.txt")).replaceAll("\u001b\\[[0-9;]*m", "");
    // The residual network's layers (conf/resnet-mnist.conf), same bench; absent in old runs.
    String engineResnet = (Files.exists(dir.resolve("engine-resnet.txt"))
        ? read(dir.resolve("engine-resnet.txt")) : "").replaceAll("\u001b\\[[0-9;]*m", "");
    // The README's main job through the CLI on each backend (bench/cli-backends.sh).
    String cliBackends = Files.exists(dir.resolve("cli-backends.txt"))
        ? read(dir.resolve("cli-backends.txt")) : "";
    String machine = read(dir.resolve("machine.txt"));
    List<Double> empty = new ArrayList<>();
    try (java.util.stream.Stream<Path> logs = Files.list(dir)) {
      for (Path p : logs.filter(f -> f.getFileName().toString().startsWith("overhead-parts"))
          .toList()) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("empty job ([0-9.]+)")
            .matcher(Files.readString(p));
        if (m.find()) {
          empty.add(Double.parseDouble(m.group(1)));
        }
      }
    }

    StringBuilder out = new StringBuilder();
    Report r = new Report(out, lenet, mlp, overhead, engine, machine, png);
    r.engineResnet = engineResnet;
    r.cliBackends = cliBackends;
    r.sync = sync;
    r.cluster = cluster;
    r.large = large;
    if (!empty.isEmpty()) {
      r.emptyJob = Stat.of(empty).fmt("%.1f");
    }
    r.write();
    Files.createDirectories(md.toAbsolutePath().getParent());
    Files.writeString(md, out.toString(), StandardCharsets.UTF_8);
    chart(lenet, png);
    System.out.println("wrote " + md + " and " + png);
  }

  // ---------------------------------------------------------------- statistics

  /** Median and spread of one figure over the runs. */
  record Stat(double median, double min, double max, int n) {
    static Stat of(List<Double> values) {
      double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      if (v.length == 0) {
        return new Stat(Double.NaN, Double.NaN, Double.NaN, 0);
      }
      double med = v.length % 2 == 1 ? v[v.length / 2]
          : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
      return new Stat(med, v[0], v[v.length - 1], v.length);
    }

    static Stat of(List<JsonNode> runs, ToDoubleFunction<JsonNode> f) {
      List<Double> v = new ArrayList<>();
      for (JsonNode n : runs) {
        v.add(f.applyAsDouble(n));
      }
      return of(v);
    }

    String fmt(String pattern) {
      if (n == 0) {
        return "n/a";
      }
      String m = fmtValue(pattern, median);
      return n == 1 || min == max ? m
          : m + " [" + fmtValue(pattern, min) + "-" + fmtValue(pattern, max) + "]";
    }

    private static String fmtValue(String pattern, double v) {
      return Double.isInfinite(v) ? "not reached" : String.format(Locale.ROOT, pattern, v);
    }
  }

  /** Wall seconds (since JVM start) of the first evaluation at or above target; +inf if none. */
  static double timeTo(JsonNode run, double target) {
    for (JsonNode e : run.path("evals")) {
      if (e.path("test_accuracy").asDouble() >= target) {
        return e.path("wall_s").asDouble();
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  static double lastWall(JsonNode run) {
    double w = 0;
    for (JsonNode e : run.path("evals")) {
      w = e.path("wall_s").asDouble();
    }
    return w;
  }

  static double epochsDone(JsonNode run) {
    double done = 0;
    for (JsonNode e : run.path("evals")) {
      done = e.path("epoch").asDouble();
    }
    return done;
  }

  // ---------------------------------------------------------------- markdown

  static final class Report {
    final StringBuilder out;
    final Map<String, List<JsonNode>> lenet;
    final List<JsonNode> mlp;
    final List<JsonNode> overhead;
    /** spark.sync = job against barrier (bench/sync.sh rows), and on a standalone cluster. */
    List<JsonNode> sync = List.of();
    List<JsonNode> cluster = List.of();
    List<JsonNode> large = List.of();
    final String engine;
    /** bench/engine.sh on conf/resnet-mnist.conf ("" when not run). */
    String engineResnet = "";
    /** bench/cli-backends.sh: LeNet-5 through the CLI on each backend ("" when not run). */
    String cliBackends = "";
    final String machine;
    final Path png;
    String emptyJob = "";

    Report(StringBuilder out, Map<String, List<JsonNode>> lenet, List<JsonNode> mlp,
        List<JsonNode> overhead, String engine, String machine, Path png) {
      this.out = out;
      this.lenet = lenet;
      this.mlp = mlp;
      this.overhead = overhead;
      this.engine = engine;
      this.machine = machine;
      this.png = png;
    }

    void line(String format, Object... args) {
      out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    Stat images(String system) {
      return Stat.of(lenet.get(system), n -> n.path("images_per_s").asDouble());
    }

    Stat time(String system, double target) {
      return Stat.of(lenet.get(system), n -> timeTo(n, target));
    }

    void write() {
      line("# Performance");
      line("");
      line("Generated by `bash bench/suite.sh` (do not edit by hand: the next run overwrites it;"
          + " hand-written history of earlier measurements is in"
          + " [performance-history.md](performance-history.md)).");
      line("");
      line("```");
      out.append(machine.strip()).append('\n');
      line("```");
      line("");
      line("Every figure is the median over the suite's runs, with the [min-max] spread; every"
          + " ratio is between medians of this one suite run, on the same machine and data."
          + " The machine is a shared 2-core VM: the load average above says how busy it was.");
      line("");
      targets();
      lenetSection();
      mlpSection();
      kernelSection();
      overheadSection();
      syncSection();
      largeDataSection();
      limits();
    }

    /** What bounds each figure, from this run's numbers. */
    void limits() {
      line("## What limits each result");
      line("");
      JsonNode small = overheadRow("lenet5", 64);
      if (small != null) {
        line("- **Spark's per-job latency at small batches.** At LeNet-5's default batch of 64"
            + " each of the 2 tasks computes 32 images in %.1f ms, and the job around them"
            + " costs %.1f ms more (broadcast, scheduling, task launch, result return, the"
            + " in-order sum). %s Overhead is a fixed cost per iteration, so it shrinks with"
            + " the batch (see the table above); exact gradient averaging needs one job per"
            + " iteration, so the remaining levers are larger global batches (the tuned"
            + " recipe) or fewer synchronizations (model averaging, which changes the"
            + " algorithm and is not Spindle's default).", small.path("compute_ms").asDouble(),
            small.path("overhead_ms").asDouble(), emptyJob.isEmpty() ? ""
                : "An empty Spark job over the same cached RDD takes " + emptyJob
                    + " ms on this machine (bench OverheadParts), so most of it is Spark's"
                    + " floor, not Spindle's work.");
      }
      JsonNode big = overheadRow("mlp10m", 64);
      if (big != null) {
        line("- **Bytes per iteration for large models.** The 10M-parameter MLP moves 40 MB of"
            + " weights out and 40 MB of gradient per partition back every iteration: %.0f ms"
            + " of overhead against %.0f ms of compute at batch 64. Larger batches per"
            + " iteration amortize it; so would fewer synchronizations.",
            big.path("overhead_ms").asDouble(), big.path("compute_ms").asDouble());
      }
      line("- **Kernels.** On one thread the products inside the layers run at %s of the"
          + " 256x256x256 sgemm rate (\"products alone\"): LeNet-5's shapes are narrow (6 or 16"
          + " filters, 25 or 150 taps, dense layers of 120, 84 and 10 units). The aggregate, %s,"
          + " also pays for im2col/col2im, pooling, activations and reorders, which are memory"
          + " bound (conv1 skips im2col: its taps are few enough for a direct convolution).", percent(engineValue("products_ratio_nn")),
          percent(engineValue("ratio_nn")));
      line("- **Deeplearning4j.** Its figures are for the engine as shipped (ND4J 1.0.0-M2"
          + " native CPU backend, default settings; on Spark one ND4J thread per task, which"
          + " measured faster than its default of one per core). Its evaluation of the test"
          + " set also takes several seconds, which counts in its time to accuracy as"
          + " Spindle's does in Spindle's.");
      line("- **The machine.** A shared 2-core VM: absolute figures move by 10-30%% between"
          + " runs (the spreads above); ratios within one suite run are steadier, since the"
          + " systems take turns run by run.");
      line("");
    }

    JsonNode overheadRow(String network, int batch) {
      List<JsonNode> rows = overhead.stream().filter(n -> n.path("network").asText()
          .equals(network) && n.path("batch").asInt() == batch).toList();
      if (rows.isEmpty()) {
        return null;
      }
      // The run with the median overhead, so compute and overhead come from one row.
      List<JsonNode> sorted = new ArrayList<>(rows);
      sorted.sort(java.util.Comparator.comparingDouble(n -> n.path("overhead_ms").asDouble()));
      return sorted.get(sorted.size() / 2);
    }

    void targets() {
      line("## Targets at a glance");
      line("");
      line("| target | measured | status |");
      line("|---|---|---|");
      double sp = images("spindle").median();
      for (String peer : List.of("dl4j-single", "dl4j-spark")) {
        double ratio = sp / images(peer).median();
        line("| LeNet-5 images/s >= 5x %s (same batch, optimizer, epoch plan) | %s | %s |",
            SYSTEMS.get(peer), Double.isNaN(ratio) ? "not measured"
                : String.format(Locale.ROOT, "%.1fx (%.0f vs %.0f images/s)", ratio, sp,
                    images(peer).median()), verdict(ratio >= 5, Double.isNaN(ratio)));
      }
      double[] mlpRatio = mlpRatio("equal-accuracy");
      line("| MLP >= 5x faster than MLlib's MultilayerPerceptronClassifier at equal or better"
          + " accuracy | %s | %s |", Double.isNaN(mlpRatio[0]) ? "not measured"
              : String.format(Locale.ROOT, "%.1fx (%.2f%% vs %.2f%%)", mlpRatio[0],
                  100 * mlpRatio[1], 100 * mlpRatio[2]),
          verdict(mlpRatio[0] >= 5 && mlpRatio[1] >= mlpRatio[2], Double.isNaN(mlpRatio[0])));
      double kernel = engineValue("ratio_nn");
      line("| conv+dense kernels >= 50%% of the same BLAS's sgemm (one thread, aggregate) | %s |"
          + " %s |", Double.isNaN(kernel) ? "not measured" : String.format(Locale.ROOT,
              "%.0f%% (%s GFLOP/s vs sgemm %s)", 100 * kernel, engineText("aggregate_gflops"),
              engineText("sgemm_nn_gflops")), verdict(kernel >= 0.5, Double.isNaN(kernel)));
      kernelTargets();
      String best = time("spindle-tuned", 0.99).n() > 0 ? "spindle-tuned" : "spindle";
      Stat t99 = time(best, 0.99);
      line("| time to 99.0%% MNIST test accuracy with LeNet-5 <= 3 min wall, data loading"
          + " included | %s (%s) | %s |", t99.fmt("%.0f s"), SYSTEMS.get(best),
          verdict(t99.median() <= 180, t99.n() == 0));
      Stat oh = overheadPct("lenet5", 64);
      line("| Spark overhead <= 15%% of the iteration at the default batch (64), LeNet-5 | %s |"
          + " %s |", oh.n() == 0 ? "not measured" : oh.fmt("%.1f%%"),
          verdict(oh.median() <= 15, oh.n() == 0));
      syncTargets();
      largeDataTargets();
      line("");
    }

    static String percent(double ratio) {
      return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * ratio);
    }

    static String verdict(boolean met, boolean missing) {
      return missing ? "not measured" : met ? "met" : "**not met**";
    }

    void lenetSection() {
      line("## LeNet-5 on MNIST, side by side");
      line("");
      line("Same network (conv 6@5x5 pad 2, ReLU, max-pool 2, conv 16@5x5, ReLU, max-pool 2,"
          + " dense 120, 84, 10, softmax cross-entropy), the 60,000 training and 10,000 test"
          + " images of the original MNIST files, pixels / 255, Adam (0.9, 0.999, 1e-8), a test"
          + " evaluation after every epoch. images/s counts training time only; time to"
          + " accuracy is wall time from the JVM's start (data loading, Spark's start and the"
          + " evaluations included) to the end of the first evaluation at or above the"
          + " target. A run stops at 99%%, at its epoch plan, or when its training-time budget"
          + " is spent (checked after each epoch for Spindle, each batch or chunk for"
          + " Deeplearning4j); \"not reached\" means the budget ran out first.");
      line("");
      line("| system | batch | learning rate | runs | images/s | time to 98%% s | time to 99%%"
          + " s | epochs run | final test accuracy |");
      line("|---|---:|---|---:|---:|---:|---:|---:|---:|");
      for (Map.Entry<String, String> e : SYSTEMS.entrySet()) {
        List<JsonNode> runs = lenet.get(e.getKey());
        if (runs.isEmpty()) {
          continue;
        }
        JsonNode first = runs.get(0);
        String lr = String.format(Locale.ROOT, "%s %s", first.path("lr").asText(),
            first.path("schedule").asText("constant"));
        if (first.path("warmup_epochs").asDouble() > 0) {
          lr += String.format(Locale.ROOT, ", warm-up %s epoch", first.path("warmup_epochs")
              .asText());
        }
        line("| %s%s | %d | %s | %d | %s | %s | %s | %s | %s |", e.getValue(),
            first.has("version") && !first.path("version").asText().equals("spindle")
                ? " " + first.path("version").asText() : "",
            first.path("batch").asInt(), lr, runs.size(), images(e.getKey()).fmt("%.0f"),
            time(e.getKey(), 0.98).fmt("%.0f"), time(e.getKey(), 0.99).fmt("%.0f"),
            Stat.of(runs, PerformanceReport::epochsDone).fmt("%.1f"),
            Stat.of(runs, n -> 100 * n.path("final_test_accuracy").asDouble()).fmt("%.2f%%"));
      }
      line("");
      double sp = images("spindle").median();
      for (String peer : List.of("dl4j-single", "dl4j-spark")) {
        if (!lenet.get(peer).isEmpty()) {
          JsonNode p = lenet.get(peer).get(0);
          line("- Spindle / %s, images/s: **%.1fx**. Time to 98%%: %s. %s",
              SYSTEMS.get(peer), sp / images(peer).median(),
              timeRatio(peer, 0.98), p.has("threads") ? "Threads: " + p.path("threads")
                  .asText() + "." : "");
        }
      }
      for (String peer : List.of("dl4j-single", "dl4j-spark")) {
        if (!lenet.get(peer).isEmpty() && lenet.get(peer).get(0).has("budget_s")) {
          line("- %s: training-time budget %s s per run.", SYSTEMS.get(peer),
              lenet.get(peer).get(0).path("budget_s").asText());
        }
      }
      line("");
      line("![Throughput and time to accuracy](%s)", png.getFileName());
      line("");
      line("Per-run evaluations (epoch: test accuracy at wall seconds):");
      line("");
      line("```");
      for (Map.Entry<String, List<JsonNode>> e : lenet.entrySet()) {
        for (JsonNode run : e.getValue()) {
          StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-14s run %d: %.0f"
              + " img/s;", e.getKey(), run.path("run").asInt(), run.path("images_per_s")
              .asDouble()));
          for (JsonNode ev : run.path("evals")) {
            s.append(String.format(Locale.ROOT, " %s: %.2f%% @%.0fs", trimEpoch(ev.path("epoch")
                .asDouble()), 100 * ev.path("test_accuracy").asDouble(), ev.path("wall_s")
                .asDouble()));
          }
          out.append(s).append('\n');
        }
      }
      line("```");
      line("");
    }

    String timeRatio(String peer, double target) {
      Stat s = time("spindle", target);
      Stat p = time(peer, target);
      if (s.n() == 0 || p.n() == 0 || Double.isInfinite(s.median())) {
        return "n/a (Spindle did not reach it)";
      }
      if (Double.isInfinite(p.median())) {
        double lower = Stat.of(lenet.get(peer), PerformanceReport::lastWall).median();
        return String.format(Locale.ROOT, "%s did not reach it within its budget (> %.0f s;"
            + " Spindle %.0f s, so more than %.1fx)", SYSTEMS.get(peer), lower, s.median(),
            lower / s.median());
      }
      return String.format(Locale.ROOT, "%.0f s vs %.0f s, %.1fx", s.median(), p.median(),
          p.median() / s.median());
    }

    static String trimEpoch(double e) {
      return e == Math.rint(e) ? String.valueOf((long) e) : String.format(Locale.ROOT, "%.2f",
          e);
    }

    /** {ratio of median fit times MLlib/Spindle, Spindle accuracy, MLlib accuracy}. */
    double[] mlpRatio(String section) {
      List<JsonNode> s = select(mlp, section, "spindle");
      List<JsonNode> m = select(mlp, section, "mllib");
      if (s.isEmpty() || m.isEmpty()) {
        return new double[] {Double.NaN, Double.NaN, Double.NaN};
      }
      return new double[] {
          Stat.of(m, n -> n.path("fit_s").asDouble()).median()
              / Stat.of(s, n -> n.path("fit_s").asDouble()).median(),
          Stat.of(s, n -> n.path("test_accuracy").asDouble()).median(),
          Stat.of(m, n -> n.path("test_accuracy").asDouble()).median()};
    }

    static List<JsonNode> select(List<JsonNode> all, String section, String system) {
      return all.stream().filter(n -> n.path("section").asText().equals(section)
          && n.path("system").asText().equals(system)).toList();
    }

    void mlpSection() {
      line("## MLP [784, 128, 64, 10] against Spark MLlib's MultilayerPerceptronClassifier");
      line("");
      line("Both fit the same cached DataFrame in one SparkSession (local[2]); fit() wall time"
          + " only (data loading and caching before, test accuracy after). MLlib uses its only"
          + " solver, l-bfgs (a full pass over the data per iteration), sigmoid hidden units,"
          + " block size 128; Spindle uses ReLU, Adam and mini-batches. \"Equal epochs\": the"
          + " same number of passes (MLlib maxIter = epochs). \"Equal accuracy\": MLlib with"
          + " many more iterations, Spindle with the fewest epochs that match its accuracy.");
      line("");
      line("| comparison | system | passes | fit s | test accuracy |");
      line("|---|---|---:|---:|---:|");
      for (String section : List.of("equal-epochs", "equal-accuracy")) {
        for (String system : List.of("spindle", "mllib")) {
          List<JsonNode> runs = select(mlp, section, system);
          if (runs.isEmpty()) {
            continue;
          }
          line("| %s | %s | %d | %s | %s |", section, system.equals("spindle")
                  ? "Spindle (SpindleClassifier)" : "MLlib (MultilayerPerceptronClassifier)",
              runs.get(0).path("passes").asInt(),
              Stat.of(runs, n -> n.path("fit_s").asDouble()).fmt("%.1f"),
              Stat.of(runs, n -> 100 * n.path("test_accuracy").asDouble()).fmt("%.2f%%"));
        }
        double[] r = mlpRatio(section);
        if (!Double.isNaN(r[0])) {
          line("| %s | ratio MLlib / Spindle fit time | | **%.1fx** | |", section, r[0]);
        }
      }
      line("");
    }

    double engineValue(String key) {
      String v = engineText(key);
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }

    /** A key=value of the first RESULT line of the engine log (the default backend's). */
    String engineText(String key) {
      for (String l : engine.split("\n")) {
        if (l.startsWith("RESULT ")) {
          for (String kv : l.substring(7).trim().split("\\s+")) {
            if (kv.startsWith(key + "=")) {
              return kv.substring(key.length() + 1);
            }
          }
        }
      }
      return "n/a";
    }

    /** The RESULT lines of one engine log, one key=value map per BLAS backend, in run order. */
    static List<Map<String, String>> engineResults(String log) {
      List<Map<String, String>> rows = new ArrayList<>();
      for (String l : log.split("\n")) {
        if (l.startsWith("RESULT backend=")) {
          Map<String, String> row = new LinkedHashMap<>();
          for (String kv : l.substring(7).trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
              row.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
          }
          rows.add(row);
        }
      }
      return rows;
    }

    /** One figure of one backend's RESULT line in an engine log, NaN when absent. */
    static double engineFigure(String log, String backend, String key) {
      for (Map<String, String> row : engineResults(log)) {
        if (backend.equals(row.get("backend"))) {
          try {
            return Double.parseDouble(row.getOrDefault(key, "n/a"));
          } catch (NumberFormatException e) {
            return Double.NaN;
          }
        }
      }
      return Double.NaN;
    }

    /** Issue 16's targets: one thread, batch 64. */
    void kernelTargets() {
      double nativeImages = engineFigure(engine, "JNIBLAS", "images_per_s");
      double vectorImages = engineFigure(engine, "VectorBLAS", "images_per_s");
      double resnetPeak = engineFigure(engineResnet, "JNIBLAS", "peak_ratio");
      line("| LeNet-5 train step >= 16,000 images/s, native OpenBLAS, one thread, batch 64 |"
          + " %s | %s |", Double.isNaN(nativeImages) ? "not measured"
              : String.format(Locale.ROOT, "%,.0f images/s", nativeImages),
          verdict(nativeImages >= 16000, Double.isNaN(nativeImages)));
      line("| LeNet-5 train step >= 11,000 images/s, VectorBLAS, one thread, batch 64 | %s |"
          + " %s |", Double.isNaN(vectorImages) ? "not measured"
              : String.format(Locale.ROOT, "%,.0f images/s", vectorImages),
          verdict(vectorImages >= 11000, Double.isNaN(vectorImages)));
      line("| ResNet (conf/resnet-mnist.conf) conv+dense >= 50%% of the core's measured FMA"
          + " peak, native OpenBLAS | %s | %s |", Double.isNaN(resnetPeak) ? "not measured"
              : String.format(Locale.ROOT, "%.0f%% (%s of %s GFLOP/s)", 100 * resnetPeak,
                  figure(engineResnet, "JNIBLAS", "aggregate_gflops"),
                  figure(engineResnet, "JNIBLAS", "peak_gflops")),
          verdict(resnetPeak >= 0.5, Double.isNaN(resnetPeak)));
    }

    static String figure(String log, String backend, String key) {
      double v = engineFigure(log, backend, key);
      return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    void kernelSection() {
      line("## Kernels, one thread: GFLOP/s per layer against sgemm and the core's peak");
      line("");
      line("Forward and backward at batch 64 on one thread (`bench/engine.sh`, run by the"
          + " suite for LeNet-5 and for the residual network of `conf/resnet-mnist.conf`), on"
          + " VectorBLAS and on native OpenBLAS where installed, side by side: per layer the"
          + " median over its rounds of this thread's CPU time, the conv+dense aggregate, the"
          + " same BLAS's 256x256x256 sgemm, and the core's float32 peak (FMA chains on"
          + " registers, `bench/fma-peak.sh`). The \"products alone\" line is the time in"
          + " products inside the layers (sgemm, Spindle's own product kernels, and the direct"
          + " convolution of layers with few taps; a metered pass): the ceiling the aggregate"
          + " could reach with free im2col, reorders and activations. Which products run on the"
          + " BLAS and which on Spindle's narrow kernels, and which stride-1 convolutions run"
          + " over shifted views of their input instead of im2col (the `SHIFTED` lines), follows"
          + " `kernel-routes.properties`, measured by `bench/kernel-routes.sh` (for native"
          + " OpenBLAS, per core type: a row run with OPENBLAS_CORETYPE follows that type's"
          + " lines, e.g. `JNIBLAS-Haswell`, a row on OpenBLAS's own choice the `JNIBLAS`"
          + " lines).");
      line("");
      line("| network | BLAS | images/s | conv+dense GFLOP/s | of sgemm 256^3 | of core peak |"
          + " sgemm GFLOP/s | core peak GFLOP/s |");
      line("|---|---|---:|---:|---:|---:|---:|---:|");
      for (String[] net : new String[][] {{"LeNet-5", engine}, {"ResNet (resnet-mnist)",
          engineResnet}}) {
        for (Map<String, String> r : engineResults(net[1])) {
          line("| %s | %s | %s | %s | %s | %s | %s | %s |", net[0], blasLabel(r),
              r.getOrDefault("images_per_s", "n/a"), r.getOrDefault("aggregate_gflops", "n/a"),
              percentText(r.get("ratio_nn")), percentText(r.get("peak_ratio")),
              r.getOrDefault("sgemm_nn_gflops", "n/a"), r.getOrDefault("peak_gflops", "n/a"));
        }
      }
      line("");
      pinnedKernelsNote();
      cliBackendsTable();
      for (String[] net : new String[][] {{"LeNet-5", engine}, {"ResNet (conf/resnet-mnist.conf)",
          engineResnet}}) {
        if (net[1].isBlank()) {
          continue;
        }
        line("%s:", net[0]);
        line("");
        line("```");
        for (String l : net[1].split("\n")) {
          if (!l.startsWith("RESULT ") && !l.startsWith("(saved")) {
            out.append(l).append('\n');
          }
        }
        line("```");
        line("");
      }
    }

    /** A native row's BLAS with the OpenBLAS kernels it ran, and who chose them. */
    static String blasLabel(Map<String, String> r) {
      String core = r.get("openblas_core");
      if (core == null) {
        return r.get("backend");
      }
      return r.get("backend") + " (" + core + " kernels, "
          + ("unset".equals(r.get("openblas_coretype")) ? "OpenBLAS's choice"
              : "OPENBLAS_CORETYPE") + ")";
    }

    /**
     * Where the environment names OpenBLAS's kernels (OPENBLAS_CORETYPE), bench/engine.sh adds
     * a native run without it; the targets use the environment's run, the first native row.
     */
    void pinnedKernelsNote() {
      for (Map<String, String> r : engineResults(engine)) {
        String pinned = r.get("openblas_coretype");
        if (pinned != null && !"unset".equals(pinned)) {
          line("This machine's environment sets `OPENBLAS_CORETYPE=%s`, so OpenBLAS runs its %s"
              + " kernels whatever the CPU. The rows marked \"OpenBLAS's choice\" run without"
              + " it, on the kernels OpenBLAS picks for this CPU. Issue 16's targets are"
              + " judged on the environment's own run, the first native row of each"
              + " network.", pinned, r.get("openblas_core"));
          line("");
          return;
        }
      }
    }

    /** The README's main job end to end on each backend, when bench/cli-backends.sh ran. */
    void cliBackendsTable() {
      List<Map<String, String>> rows = engineResults(cliBackends);
      if (rows.isEmpty()) {
        return;
      }
      line("End to end: the README's main job (LeNet-5 on MNIST, `conf/lenet5-mnist.conf`)"
          + " through the CLI in embedded local[2], once per backend, back to back in one run"
          + " (`bench/cli-backends.sh %s`; training images/s as the CLI prints them, wall"
          + " clock including Spark's start and data loading):", rows.get(0).get("epochs"));
      line("");
      line("| BLAS | epochs | training images/s | training s | wall s | test accuracy |");
      line("|---|---:|---:|---:|---:|---:|");
      for (Map<String, String> r : rows) {
        line("| %s | %s | %s | %s | %s | %s%% |", r.get("backend"), r.get("epochs"),
            r.get("images_per_s"), r.get("train_seconds"), r.get("wall_seconds"),
            r.get("accuracy"));
      }
      line("");
    }

    static String percentText(String ratio) {
      try {
        return percent(Double.parseDouble(ratio));
      } catch (RuntimeException e) {
        return "n/a";
      }
    }

    Stat overheadPct(String network, int batch) {
      List<JsonNode> rows = overhead.stream().filter(n -> n.path("network").asText()
          .equals(network) && n.path("batch").asInt() == batch).toList();
      return Stat.of(rows, n -> 100 * n.path("overhead_ms").asDouble()
          / n.path("job_ms").asDouble());
    }

    void overheadSection() {
      line("## Spark overhead as the parameter count grows");
      line("");
      line("One Spark job per iteration in local[2]: broadcast the weights, forward and"
          + " backprop on each partition's share of the global batch, partial gradients back"
          + " to the driver in partition order. Compute is the longest task of the job (Spark's"
          + " task metrics), overhead the job's wall time minus that; each row is the median"
          + " over a run's measured iterations, then the median [min-max] over the runs.");
      line("");
      line("| network | parameters | batch | iteration ms | compute ms | overhead ms |"
          + " overhead %% | images/s |");
      line("|---|---:|---:|---:|---:|---:|---:|---:|");
      Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
      for (JsonNode n : overhead) {
        groups.computeIfAbsent(n.path("network").asText() + "/" + n.path("batch").asInt(),
            k -> new ArrayList<>()).add(n);
      }
      for (List<JsonNode> rows : groups.values()) {
        JsonNode f = rows.get(0);
        line("| %s | %,d | %d | %s | %s | %s | %s | %s |", f.path("network").asText(),
            f.path("params").asLong(), f.path("batch").asInt(),
            Stat.of(rows, n -> n.path("iteration_ms").asDouble()).fmt("%.1f"),
            Stat.of(rows, n -> n.path("compute_ms").asDouble()).fmt("%.1f"),
            Stat.of(rows, n -> n.path("overhead_ms").asDouble()).fmt("%.1f"),
            overheadPct(f.path("network").asText(), f.path("batch").asInt()).fmt("%.1f%%"),
            Stat.of(rows, n -> n.path("images_per_s").asDouble()).fmt("%.0f"));
      }
      line("");
    }

    // ---------------------------------------------------------------- data larger than memory

    /** Rows of large-data.jsonl at one oversubscription (0 = in memory), CLI run excluded. */
    List<JsonNode> largeRows(double oversubscription) {
      return large.stream().filter(n -> n.path("oversubscription").asDouble() == oversubscription
          && !n.path("run").asText().startsWith("parquet")).toList();
    }

    void largeDataTargets() {
      if (large.isEmpty()) {
        return;
      }
      double inMemory = Stat.of(largeRows(0), n -> n.path("images_per_s").asDouble()).median();
      for (double k : new double[] {4, 8}) {
        List<JsonNode> rows = largeRows(k);
        double ratio = Stat.of(rows, n -> n.path("images_per_s").asDouble()).median() / inMemory;
        boolean ok = !rows.isEmpty() && rows.stream().allMatch(n -> n.path("ok").asBoolean());
        double need = k == 4 ? 0.75 : 0.60;
        line("| data %.0fx Spark's memory: %sLeNet-5 images/s >= %.0f%% of in memory (batch 512,"
            + " local[2]) | %s | %s |", k, k == 8 ? "no OutOfMemoryError, " : "", 100 * need,
            Double.isNaN(ratio) ? "not measured" : String.format(Locale.ROOT,
                "%.0f%% (%.0f vs %.0f images/s)%s", 100 * ratio, ratio * inMemory, inMemory,
                ok ? "" : ", a run failed"), verdict(ok && ratio >= need, Double.isNaN(ratio)));
      }
      double worst = large.stream().filter(n -> n.path("disk_mib").asDouble() > 0)
          .mapToDouble(n -> n.path("read_vs_spilled").asDouble()).max().orElse(Double.NaN);
      line("| disk bytes read per epoch <= 1.5x the spilled size (every oversubscribed run) |"
          + " %s | %s |", Double.isNaN(worst) ? "not measured"
              : String.format(Locale.ROOT, "at most %.2fx", worst),
          verdict(worst <= 1.5, Double.isNaN(worst)));
    }

    void largeDataSection() {
      if (large.isEmpty()) {
        return;
      }
      line("## Data larger than memory");
      line("");
      line("LeNet-5, global batch 512, local[2] with one shard per core, one epoch over MNIST"
          + " expanded with random shifts (uint8 chunks of about 4 MiB, MEMORY_AND_DISK), the same"
          + " data and heap in every row; only Spark's memory (spark.memory.fraction) changes, to"
          + " hold all of the data, then 1/1 to 1/8 of it. Read from disk: bytes the epoch read"
          + " back from disk, against what was on disk at its end. Peak RSS: the whole JVM's"
          + " (/usr/bin/time); live heap: in use after a full collection at iteration 10 and at"
          + " the epoch's last iteration (growth over the epoch would show there). The last row trains a Parquet table written by the bench through"
          + " the CLI (data.format = parquet, float32 chunks). bash bench/large-data.sh --sweep;"
          + " design in docs/scaling.md.");
      line("");
      line("| data | data / Spark memory | images/s | vs in memory | on disk MiB |"
          + " read from disk MiB | read / spilled | peak RSS MiB | live heap MiB, start -> end |"
          + " test accuracy |");
      line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
      double inMemory = Stat.of(largeRows(0), n -> n.path("images_per_s").asDouble()).median();
      Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
      for (JsonNode n : large) {
        groups.computeIfAbsent(n.path("run").asText(), k -> new ArrayList<>()).add(n);
      }
      for (Map.Entry<String, List<JsonNode>> g : groups.entrySet()) {
        List<JsonNode> rows = g.getValue();
        boolean ok = rows.stream().allMatch(n -> n.path("ok").asBoolean());
        Stat ips = Stat.of(rows, n -> n.path("images_per_s").asDouble());
        boolean cli = g.getKey().startsWith("parquet");
        line("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", g.getKey(),
            Stat.of(rows, n -> n.path("memory_ratio").asDouble()).fmt("%.1fx"),
            ok ? ips.fmt("%.0f") : "failed",
            cli ? "" : percent(ips.median() / inMemory),
            Stat.of(rows, n -> n.path("disk_mib").asDouble()).fmt("%.0f"),
            Stat.of(rows, n -> n.path("read_mib").asDouble()).fmt("%.0f"),
            Stat.of(rows, n -> n.path("read_vs_spilled").asDouble()).fmt("%.2fx"),
            Stat.of(rows, n -> n.path("peak_rss_mib").asDouble()).fmt("%.0f"),
            rows.get(0).path("heap_live_start_mib").isNumber() ? String.format(Locale.ROOT,
                "%d -> %d", rows.get(0).path("heap_live_start_mib").asInt(),
                rows.get(0).path("heap_live_end_mib").asInt()) : "",
            Stat.of(rows, n -> n.path("test_accuracy").asDouble()).fmt("%.2f%%"));
      }
      line("");
    }

    // ---------------------------------------------------------------- synchronization modes

    /** Rows of sync.jsonl for one setting, per mode. */
    List<JsonNode> syncRows(String network, int batch, int partitions, String mode) {
      return sync.stream().filter(n -> n.path("network").asText().equals(network)
          && n.path("batch").asInt() == batch && n.path("sync").asText().equals(mode)
          && (partitions == 0 || n.path("partitions").asInt() == partitions)).toList();
    }

    void syncTargets() {
      if (sync.isEmpty()) {
        return;
      }
      List<JsonNode> b64 = syncRows("lenet5", 64, 2, "barrier");
      List<JsonNode> j64 = syncRows("lenet5", 64, 2, "job");
      Stat pct = Stat.of(b64, n -> 100 * n.path("overhead_ms").asDouble()
          / n.path("job_ms").asDouble());
      line("| spark.sync = barrier: overhead <= 15%% of the iteration at batch 64, LeNet-5,"
          + " local[2] | %s | %s |", b64.isEmpty() ? "not measured" : pct.fmt("%.1f%%"),
          verdict(pct.median() <= 15, b64.isEmpty()));
      double speedup = Stat.of(b64, n -> n.path("images_per_s").asDouble()).median()
          / Stat.of(j64, n -> n.path("images_per_s").asDouble()).median();
      line("| spark.sync = barrier: LeNet-5 images/s at batch 64 >= 1.8x one job per iteration"
          + " | %s | %s |", Double.isNaN(speedup) ? "not measured"
              : String.format(Locale.ROOT, "%.2fx", speedup),
          verdict(speedup >= 1.8, Double.isNaN(speedup)));
      Stat mlp = Stat.of(syncRows("mlp10m", 64, 2, "barrier"), n -> n.path("overhead_ms")
          .asDouble());
      line("| spark.sync = barrier: the 10M-parameter MLP's overhead <= 60 ms per iteration at"
          + " batch 64 | %s | %s |", mlp.n() == 0 ? "not measured" : mlp.fmt("%.1f ms"),
          verdict(mlp.median() <= 60, mlp.n() == 0));
      List<JsonNode> lj = cluster.stream().filter(n -> n.path("bench").asText()
          .equals("cluster-lenet") && n.path("sync").asText().equals("job")).toList();
      List<JsonNode> lb = cluster.stream().filter(n -> n.path("bench").asText()
          .equals("cluster-lenet") && n.path("sync").asText().equals("barrier")).toList();
      double clusterSpeedup = Stat.of(lb, n -> n.path("images_per_s").asDouble()).median()
          / Stat.of(lj, n -> n.path("images_per_s").asDouble()).median();
      line("| spark.sync = barrier on a loopback standalone cluster (2 one-core executors):"
          + " LeNet-5 images/s >= 3x one job per iteration, same test loss | %s | %s |",
          Double.isNaN(clusterSpeedup) ? "not measured" : String.format(Locale.ROOT,
              "%.2fx, test loss %s vs %s", clusterSpeedup,
              Stat.of(lb, n -> n.path("test_loss").asDouble()).fmt("%.4f"),
              Stat.of(lj, n -> n.path("test_loss").asDouble()).fmt("%.4f")),
          verdict(clusterSpeedup >= 3, Double.isNaN(clusterSpeedup)));
    }

    void syncSection() {
      if (sync.isEmpty() && cluster.isEmpty()) {
        return;
      }
      line("## Synchronization: one job per iteration against a barrier stage per epoch");
      line("");
      line("`spark.sync = job` runs one Spark job per iteration; `barrier` runs one long-lived"
          + " barrier stage per epoch whose tasks exchange weights and partials with the driver"
          + " over Spark's RPC environment (docs/scaling.md). Same weights, bit for bit. Compute"
          + " is the slowest worker's time on the iteration, overhead the rest of the"
          + " iteration's wall time on the driver; both modes are measured back to back for each"
          + " row (bash bench/sync.sh).");
      line("");
      line("| network | parameters | partitions | batch | sync | iteration ms | compute ms |"
          + " overhead ms | overhead %% | images/s | barrier / job |");
      line("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
      Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
      for (JsonNode n : sync) {
        groups.computeIfAbsent(n.path("network").asText() + "/" + n.path("partitions").asInt()
            + "/" + n.path("batch").asInt() + "/" + n.path("sync").asText(),
            k -> new ArrayList<>()).add(n);
      }
      for (List<JsonNode> rows : groups.values()) {
        JsonNode f = rows.get(0);
        String ratio = "";
        if (f.path("sync").asText().equals("barrier")) {
          List<JsonNode> job = syncRows(f.path("network").asText(), f.path("batch").asInt(),
              f.path("partitions").asInt(), "job");
          ratio = String.format(Locale.ROOT, "%.2fx", Stat.of(rows,
              n -> n.path("images_per_s").asDouble()).median() / Stat.of(job,
              n -> n.path("images_per_s").asDouble()).median());
        }
        line("| %s | %,d | %d | %d | %s | %s | %s | %s | %s | %s | %s |",
            f.path("network").asText(), f.path("params").asLong(), f.path("partitions").asInt(),
            f.path("batch").asInt(), f.path("sync").asText(),
            Stat.of(rows, n -> n.path("iteration_ms").asDouble()).fmt("%.1f"),
            Stat.of(rows, n -> n.path("compute_ms").asDouble()).fmt("%.1f"),
            Stat.of(rows, n -> n.path("overhead_ms").asDouble()).fmt("%.1f"),
            Stat.of(rows, n -> 100 * n.path("overhead_ms").asDouble()
                / n.path("job_ms").asDouble()).fmt("%.1f%%"),
            Stat.of(rows, n -> n.path("images_per_s").asDouble()).fmt("%.0f"), ratio);
      }
      line("");
      if (!cluster.isEmpty()) {
        line("On a loopback standalone cluster (a master and one-core workers as separate JVMs on"
            + " this 2-core machine; bash bench/cluster-sync.sh). LeNet-5 through the CLI, full"
            + " MNIST, 2 epochs at batch 64 on 2 executors; then a tiny network (784x10, compute"
            + " negligible) on 1 to 8 executors, one partition each. Beyond 2 executors the"
            + " machine's 2 cores are shared, so part of the growth is CPU contention.");
        line("");
        line("| bench | executors | sync | images/s | iteration ms | compute ms | test loss |");
        line("|---|---:|---|---:|---:|---:|---:|");
        for (JsonNode n : cluster) {
          boolean lenet = n.path("bench").asText().equals("cluster-lenet");
          line("| %s | %d | %s | %.0f | %s | %s | %s |", lenet ? "LeNet-5, 2 epochs"
                  : "tiny network", n.path("executors").asInt(), n.path("sync").asText(),
              n.path("images_per_s").asDouble(),
              lenet ? "" : String.format(Locale.ROOT, "%.2f", n.path("iteration_ms").asDouble()),
              lenet ? "" : String.format(Locale.ROOT, "%.2f", n.path("compute_ms").asDouble()),
              lenet ? String.format(Locale.ROOT, "%.4f", n.path("test_loss").asDouble()) : "");
        }
        line("");
      }
    }
  }

  // ---------------------------------------------------------------- chart

  static void chart(Map<String, List<JsonNode>> lenet, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int w = 1200;
    int h = 500;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    Font title = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    List<String> systems = lenet.entrySet().stream().filter(e -> !e.getValue().isEmpty())
        .map(Map.Entry::getKey).toList();

    // Left: training images/s, median bar with min-max whisker.
    int lx = 230;
    int lw = 300;
    int ly = 70;
    g.setColor(Color.DARK_GRAY);
    g.setFont(title);
    g.drawString("LeNet-5 training images/s (median, min-max)", 20, 30);
    double maxRate = 1;
    for (String s : systems) {
      for (JsonNode n : lenet.get(s)) {
        maxRate = Math.max(maxRate, n.path("images_per_s").asDouble());
      }
    }
    g.setFont(small);
    int barH = 40;
    for (int i = 0; i < systems.size(); i++) {
      String s = systems.get(i);
      Stat st = Stat.of(lenet.get(s), n -> n.path("images_per_s").asDouble());
      int y = ly + i * (barH + 45);
      g.setColor(Color.DARK_GRAY);
      drawWrapped(g, SYSTEMS.getOrDefault(s, s), 20, y + 16, lx - 30);
      g.setColor(COLORS.getOrDefault(s, Color.GRAY));
      int bw = (int) (lw * st.median() / maxRate);
      g.fillRect(lx, y, Math.max(bw, 1), barH);
      g.setColor(Color.BLACK);
      int x0 = lx + (int) (lw * st.min() / maxRate);
      int x1 = lx + (int) (lw * st.max() / maxRate);
      g.drawLine(x0, y + barH / 2, x1, y + barH / 2);
      g.drawLine(x0, y + barH / 2 - 6, x0, y + barH / 2 + 6);
      g.drawLine(x1, y + barH / 2 - 6, x1, y + barH / 2 + 6);
      g.drawString(String.format(Locale.ROOT, "%.0f", st.median()), Math.max(x1, lx + bw) + 6,
          y + barH / 2 + 5);
    }

    // Right: test accuracy against wall seconds, every run.
    int px = 660;
    int py = 60;
    int pw = 500;
    int ph = 370;
    double yMin = 0.94;
    double yMax = 1.0;
    double xMax = 1;
    for (String s : systems) {
      for (JsonNode n : lenet.get(s)) {
        xMax = Math.max(xMax, lastWall(n));
      }
    }
    xMax = Math.ceil(xMax / 60) * 60;
    g.setColor(Color.DARK_GRAY);
    g.setFont(title);
    g.drawString("Test accuracy vs wall time from JVM start (every run)", px - 40, 30);
    g.setFont(small);
    g.setColor(new Color(0xE3, 0xE3, 0xE3));
    for (double a = yMin; a <= yMax + 1e-9; a += 0.01) {
      int y = py + ph - (int) ((a - yMin) / (yMax - yMin) * ph);
      g.drawLine(px, y, px + pw, y);
    }
    for (int t = 0; t <= xMax; t += 60) {
      int x = px + (int) (t / xMax * pw);
      g.drawLine(x, py, x, py + ph);
    }
    g.setColor(Color.DARK_GRAY);
    for (double a = yMin; a <= yMax + 1e-9; a += 0.01) {
      int y = py + ph - (int) ((a - yMin) / (yMax - yMin) * ph);
      g.drawString(String.format(Locale.ROOT, "%.0f%%", 100 * a), px - 40, y + 4);
    }
    for (int t = 0; t <= xMax; t += 60) {
      int x = px + (int) (t / xMax * pw);
      g.drawString(t + " s", x - 10, py + ph + 18);
    }
    g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {5f, 4f}, 0f));
    g.setColor(Color.GRAY);
    for (double target : TARGETS) {
      int y = py + ph - (int) ((target - yMin) / (yMax - yMin) * ph);
      g.drawLine(px, y, px + pw, y);
    }
    int x180 = px + (int) (180 / xMax * pw);
    if (180 <= xMax) {
      g.drawLine(x180, py, x180, py + ph);
      g.drawString("3 min", x180 + 4, py + 14);
    }
    g.setStroke(new BasicStroke(2f));
    for (String s : systems) {
      g.setColor(COLORS.getOrDefault(s, Color.GRAY));
      for (JsonNode n : lenet.get(s)) {
        int prevX = -1;
        int prevY = -1;
        for (JsonNode e : n.path("evals")) {
          double acc = Math.max(yMin, e.path("test_accuracy").asDouble());
          int x = px + (int) (e.path("wall_s").asDouble() / xMax * pw);
          int y = py + ph - (int) ((acc - yMin) / (yMax - yMin) * ph);
          g.fillOval(x - 3, y - 3, 6, 6);
          if (prevX >= 0) {
            g.drawLine(prevX, prevY, x, y);
          }
          prevX = x;
          prevY = y;
        }
      }
    }
    int ky = py + ph + 40;
    int kx = px - 40;
    for (String s : systems) {
      g.setColor(COLORS.getOrDefault(s, Color.GRAY));
      g.fillRect(kx, ky - 10, 12, 12);
      g.setColor(Color.DARK_GRAY);
      String name = SYSTEMS.getOrDefault(s, s);
      g.drawString(name, kx + 16, ky);
      kx += g.getFontMetrics().stringWidth(name) + 34;
      if (kx > w - 150) {
        kx = px - 40;
        ky += 16;
      }
    }
    g.dispose();
    Files.createDirectories(png.toAbsolutePath().getParent());
    ImageIO.write(img, "png", png.toFile());
  }

  static void drawWrapped(Graphics2D g, String text, int x, int y, int width) {
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (g.getFontMetrics().stringWidth(line + " " + word) > width && line.length() > 0) {
        g.drawString(line.toString(), x, y);
        y += 15;
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    g.drawString(line.toString(), x, y);
  }

  // ---------------------------------------------------------------- input

  static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!l.isBlank()) {
        out.add(JSON.readTree(l));
      }
    }
    return out;
  }

  static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8)
        : "(missing: " + file + ")";
  }

  static String join(double[] v) {
    return Arrays.toString(v);
  }
}
