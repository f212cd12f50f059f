package io.spindle.bench;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Adam;
import io.spindle.optim.LearningRateSchedule;
import io.spindle.spark.DistributedTrainer;
import io.spindle.train.EpochSummary;
import io.spindle.train.TargetAccuracyStop;
import io.spindle.train.TrainingContext;
import io.spindle.train.TrainingListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * LeNet-5 on MNIST with Spindle's distributed trainer, for the side-by-side race against
 * Deeplearning4j (bench/dl4j, same flags and the same JSON line). Trains until the planned
 * epochs, the training-time budget (checked at epoch ends) or the target test accuracy,
 * validating after every epoch; wall seconds count from JVM start, so data loading and Spark's
 * start are included.
 *
 * <p>Flags: --batch 64 --lr 1e-3 --epochs 3 --budget-seconds 180 --stop-at 0.99 --seed 1
 * --master local[2] --schedule constant|cosine --warmup-epochs 0 --out FILE --run N
 * --label NAME
 */
public final class LeNetRace {

  public static void main(String[] args) throws Exception {
    Map<String, String> a = flags(args);
    int batch = Integer.parseInt(a.getOrDefault("batch", "64"));
    double lr = Double.parseDouble(a.getOrDefault("lr", "1e-3"));
    int epochs = Integer.parseInt(a.getOrDefault("epochs", "3"));
    double budget = Double.parseDouble(a.getOrDefault("budget-seconds", "180"));
    double stopAt = Double.parseDouble(a.getOrDefault("stop-at", "0.99"));
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    String master = a.getOrDefault("master", "local[2]");
    String scheduleName = a.getOrDefault("schedule", "constant");
    double warmupEpochs = Double.parseDouble(a.getOrDefault("warmup-epochs", "0"));
    String label = a.getOrDefault("label", "spindle");
    int run = Integer.parseInt(a.getOrDefault("run", "1"));

    NetworkSpec spec = BenchSupport.lenet5();
    BenchSupport.header(String.format(Locale.ROOT, "LeNet-5 race (%s): %s, batch %d, Adam %.1e"
            + " %s (warm-up %.1f epochs), up to %d epochs / %.0f s training, stop at %.3f",
        label, master, batch, lr, scheduleName, warmupEpochs, epochs, budget, stopAt));
    ExampleBlock train = BenchSupport.train(Integer.MAX_VALUE).block();
    ExampleBlock test = BenchSupport.test().block();
    long perEpoch = (train.count() + batch - 1) / batch;
    long warmup = Math.round(warmupEpochs * perEpoch);
    LearningRateSchedule rates = switch (scheduleName) {
      case "constant" -> LearningRateSchedule.constant(lr);
      case "cosine" -> LearningRateSchedule.cosine(lr, lr / 100, epochs * perEpoch - warmup);
      default -> throw new IllegalArgumentException("--schedule must be constant or cosine");
    };
    rates = rates.withWarmup(warmup);

    List<String> evals = new ArrayList<>();
    TrainingListener recorder = new TrainingListener() {
      @Override
      public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
        evals.add(String.format(Locale.ROOT, "{\"epoch\":%d,\"iterations\":%d,\"train_s\":%.3f,"
                + "\"wall_s\":%.3f,\"test_accuracy\":%.5f}", s.epoch(), s.iterations(),
            ctx.trainSeconds(), sinceJvmStart(), s.testAccuracy()));
        System.out.printf(Locale.ROOT, "epoch %d: %d iterations, %.1f s training, %.1f s wall,"
                + " test accuracy %.4f, %.0f images/s so far%n", s.epoch(), s.iterations(),
            ctx.trainSeconds(), sinceJvmStart(), s.testAccuracy(), ctx.imagesPerSecond());
        if (ctx.trainSeconds() >= budget) {
          ctx.requestStop(String.format(Locale.ROOT, "training-time budget of %.0f s spent",
              budget));
        }
      }
    };
    TrainingOptions.Builder options = TrainingOptions.builder().epochs(epochs).batchSize(batch)
        .seed(seed).logEvery(0).listener(recorder);
    if (stopAt > 0) {
      options.listener(new TargetAccuracyStop(stopAt));
    }
    try (JavaSparkContext sc = BenchSupport.spark(master, "spindle-lenet-race")) {
      TrainingResult r = new DistributedTrainer(sc, spec,
          Adam.adam(rates, 0.9, 0.999, 1e-8, 0, spec.paramCount()), options.build())
          .fit(train, test, spec.initParams(seed));
      String json = String.format(Locale.ROOT, "{\"system\":\"%s\",\"mode\":\"spark\","
              + "\"version\":\"spindle\",\"master\":\"%s\",\"run\":%d,\"batch\":%d,\"lr\":%s,"
              + "\"schedule\":\"%s\",\"warmup_epochs\":%s,\"seed\":%d,\"epochs_planned\":%d,"
              + "\"budget_s\":%s,\"iterations\":%d,\"images\":%d,\"train_s\":%.3f,"
              + "\"images_per_s\":%.1f,\"evals\":[%s],\"final_test_accuracy\":%.5f}",
          label, master, run, batch, lr, scheduleName, warmupEpochs, seed, epochs, budget,
          r.iterations(), r.examples(), r.trainSeconds(), r.imagesPerSecond(),
          String.join(",", evals), r.lastEpoch().testAccuracy());
      System.out.println("RESULT " + json);
      if (a.containsKey("out")) {
        Path out = Path.of(a.get("out"));
        if (out.getParent() != null) {
          Files.createDirectories(out.getParent());
        }
        Files.writeString(out, json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    }
  }

  static double sinceJvmStart() {
    return (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime())
        / 1000.0;
  }

  /** {@code --key value} pairs. */
  static Map<String, String> flags(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --key value pairs, got '" + args[i] + "'");
      }
      m.put(args[i].substring(2), args[++i]);
    }
    return m;
  }
}
