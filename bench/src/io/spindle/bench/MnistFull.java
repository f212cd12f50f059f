package io.spindle.bench;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Adam;
import io.spindle.optim.LearningRateSchedule;
import io.spindle.spark.DistributedTrainer;
import io.spindle.train.EpochSummary;
import io.spindle.train.MetricsFileListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * LeNet-5 on the full MNIST training set with the distributed trainer (issue 3's 98.5% check).
 * Args: network, master, epochs, global batch, Adam learning rate (peak), output directory,
 * schedule ({@code cosine}, the default: decay to lr/100 over the run; or {@code constant}),
 * seed.
 */
public final class MnistFull {

  public static void main(String[] args) throws Exception {
    String net = args.length > 0 ? args[0] : "lenet5";
    String master = args.length > 1 ? args[1] : "local[2]";
    int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    double lr = args.length > 4 ? Double.parseDouble(args[4]) : 2e-3;
    Path out = Path.of(args.length > 5 ? args[5] : "bench/results/mnist-full");
    String schedule = args.length > 6 ? args[6] : "cosine";
    long seed = args.length > 7 ? Long.parseLong(args[7]) : 1L;
    NetworkSpec spec = BenchSupport.network(net);
    BenchSupport.header(String.format(Locale.ROOT, "MNIST full: %s (%d parameters), %s, %d"
        + " epochs, global batch %d, Adam %.0e, %s schedule", net, spec.paramCount(), master,
        epochs, batch, lr, schedule));
    ExampleBlock train = BenchSupport.train(Integer.MAX_VALUE).block();
    ExampleBlock test = BenchSupport.test().block();
    Files.createDirectories(out);
    Files.deleteIfExists(out.resolve("metrics.csv"));
    Files.deleteIfExists(out.resolve("metrics.jsonl"));
    TrainingOptions options = TrainingOptions.builder().epochs(epochs).batchSize(batch).seed(seed)
        .logEvery(200)
        .listener(new MetricsFileListener(out.resolve("metrics.csv"), out.resolve("metrics.jsonl")))
        .build();
    long iterations = (long) epochs * ((train.count() + batch - 1) / batch);
    LearningRateSchedule rates = switch (schedule) {
      case "cosine" -> LearningRateSchedule.cosine(lr, lr / 100, iterations);
      case "constant" -> LearningRateSchedule.constant(lr);
      default -> throw new IllegalArgumentException("schedule must be cosine or constant");
    };
    try (JavaSparkContext sc = BenchSupport.spark(master, "spindle-mnist-full")) {
      TrainingResult r = new DistributedTrainer(sc, spec,
          Adam.adam(rates, 0.9, 0.999, 1e-8, 0, spec.paramCount()),
          options).fit(train, test, spec.initParams(seed));
      EpochSummary last = r.lastEpoch();
      System.out.printf(Locale.ROOT, "%nRESULT %s %s: test accuracy %.2f%% (target >= 98.5%%),"
              + " test loss %.4f, %d iterations, %.1f s training (%.0f images/s), %.1f s total%n",
          net, master, 100 * last.testAccuracy(), last.testLoss(), r.iterations(),
          r.trainSeconds(), r.imagesPerSecond(), r.elapsedSeconds());
      System.out.println("metrics: " + out.resolve("metrics.csv"));
    }
  }
}
