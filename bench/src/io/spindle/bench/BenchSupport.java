package io.spindle.bench;

import io.spindle.data.MnistIdx;
import io.spindle.nn.NetworkSpec;
import io.spindle.spark.SparkConfs;
import io.spindle.tensor.Blas;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Shared pieces of the bench programs: networks, MNIST, Spark contexts. */
final class BenchSupport {

  private BenchSupport() {}

  static final Path MNIST = Path.of(System.getProperty("spindle.mnist", "data/mnist"));

  /** LeNet-5 as in issue 2: conv 6@5x5 pad 2, pool, conv 16@5x5, pool, 120, 84, 10. */
  static NetworkSpec lenet5() {
    return NetworkSpec.builder().input(1, 28, 28)
        .conv(6, 5).pad(2).relu().maxPool(2)
        .conv(16, 5).relu().maxPool(2)
        .dense(120).relu().dense(84).relu().dense(10).build();
  }

  /** A dense stand-in of similar parameter count, for when the conv kernels are missing. */
  static NetworkSpec mlp() {
    return NetworkSpec.builder().input(1, 28, 28).dense(128).relu().dense(64).relu().dense(10)
        .build();
  }

  /** A CNN of about 1M parameters: two 3x3 conv blocks (32, 64 filters), dense 300, 10. */
  static NetworkSpec cnn1m() {
    return NetworkSpec.builder().input(1, 28, 28)
        .conv(32, 3).pad(1).relu().maxPool(2)
        .conv(64, 3).pad(1).relu().maxPool(2)
        .dense(300).relu().dense(10).build();
  }

  /** An MLP of about 10M parameters: 784-2048-2048-2048-10. */
  static NetworkSpec mlp10m() {
    return NetworkSpec.builder().input(1, 28, 28).dense(2048).relu().dense(2048).relu()
        .dense(2048).relu().dense(10).build();
  }

  static NetworkSpec network(String name) {
    return switch (name) {
      case "lenet5" -> lenet5();
      case "mlp" -> mlp();
      case "cnn1m" -> cnn1m();
      case "mlp10m" -> mlp10m();
      // Compute is negligible: what an iteration costs is synchronization.
      case "tiny" -> NetworkSpec.builder().input(1, 28, 28).dense(10).build();
      default -> throw new IllegalArgumentException("network must be lenet5, mlp, cnn1m,"
          + " mlp10m or tiny, got " + name);
    };
  }

  static MnistIdx.Dataset train(int limit) {
    return MnistIdx.load(MNIST.resolve("train-images-idx3-ubyte.gz"),
        MNIST.resolve("train-labels-idx1-ubyte.gz"), limit);
  }

  static MnistIdx.Dataset test() {
    return MnistIdx.load(MNIST.resolve("t10k-images-idx3-ubyte.gz"),
        MNIST.resolve("t10k-labels-idx1-ubyte.gz"));
  }

  static JavaSparkContext spark(String master, String app, String... settings) {
    SparkConf conf = SparkConfs.withDefaults(new SparkConf().setMaster(master).setAppName(app)
        .set("spark.ui.enabled", "false"));
    for (int i = 0; i + 1 < settings.length; i += 2) {
      conf.set(settings[i], settings[i + 1]);
    }
    return new JavaSparkContext(conf);
  }

  static void header(String what) {
    System.out.printf(Locale.ROOT, "%s%nBLAS backend: %s; JVM max heap %d MiB; cores %d%n", what,
        Blas.backendName(), Runtime.getRuntime().maxMemory() >> 20,
        Runtime.getRuntime().availableProcessors());
  }
}
