package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.data.MnistIdx;
import io.spindle.io.SpindleModel;
import io.spindle.onnx.ScoreMnistWithOnnxRuntime;
import io.spindle.train.LocalEvaluator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/onnx.md's worked example, shortened: train LeNet-5 with the CLI, export it with the CLI,
 * score the 10,000 MNIST test images with ScoreMnistWithOnnxRuntime (ONNX Runtime and the JDK
 * only). Its accuracy is Spindle's own on the same images.
 */
class OnnxWorkedExampleTest {

  static final Path MNIST = Path.of("data/mnist");

  @TempDir
  Path tmp;

  @Test
  void trainWithTheCliExportAndScoreMnistInOnnxRuntime() throws Exception {
    Path run = tmp.resolve("lenet5");
    CliErrorsTest.Run t = CliErrorsTest.cli("train", "--config", "conf/lenet5-mnist.conf",
        "--output", run.toString(), "--set", "training.epochs=1", "--set", "data.limit=4000",
        "--set", "training.eval-every-epochs=0", "--set", "spark.master=local[2]");
    assertEquals(0, t.code(), t.err());
    Path onnx = run.resolve("model.onnx");
    CliErrorsTest.Run e = CliErrorsTest.cli("export", "--model", run.resolve("model").toString(),
        "--output", onnx.toString());
    assertEquals(0, e.code(), e.err());

    Path images = MNIST.resolve("t10k-images-idx3-ubyte.gz");
    Path labels = MNIST.resolve("t10k-labels-idx1-ubyte.gz");
    double ort = ScoreMnistWithOnnxRuntime.accuracy(onnx, images, labels);
    SpindleModel model = SpindleModel.load(run.resolve("model"));
    ExampleBlock test = MnistIdx.load(images, labels).block();
    double spindle = new LocalEvaluator(model.spec(), test).evaluate(model.params()).accuracy();
    System.out.printf("worked example: LeNet-5, 1 epoch on 4,000 images; accuracy on the 10,000 "
        + "MNIST test images: ONNX Runtime %.2f%%, Spindle %.2f%%%n", 100 * ort, 100 * spindle);
    assertEquals(spindle, ort, 1e-12, "the same predictions in ONNX Runtime as in Spindle");
    assertTrue(ort > 0.85, "a trained LeNet-5, not chance: " + ort);
  }
}
