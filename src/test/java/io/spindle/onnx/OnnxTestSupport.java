package io.spindle.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.spindle.data.ExampleBlock;
import io.spindle.data.MnistIdx;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import io.spindle.tensor.Shape;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** MNIST images, ONNX Runtime and Spindle side by side, for the ONNX tests. */
final class OnnxTestSupport {

  static final Path MNIST = Path.of("data/mnist");
  /** The bar: logits within 1e-4 of Spindle's, the same argmax. */
  static final double TOLERANCE = 1e-4;

  private OnnxTestSupport() {}

  static ExampleBlock mnistTest(int n) {
    return MnistIdx.load(MNIST.resolve("t10k-images-idx3-ubyte.gz"),
        MNIST.resolve("t10k-labels-idx1-ubyte.gz"), n).block();
  }

  static ExampleBlock mnistTrain(int n) {
    return MnistIdx.load(MNIST.resolve("train-images-idx3-ubyte.gz"),
        MNIST.resolve("train-labels-idx1-ubyte.gz"), n).block();
  }

  /** The block's features as floats (pixel / 255 for MNIST), and its labels. */
  static float[] features(ExampleBlock b) {
    float[] x = new float[b.count() * b.featureSize()];
    float[] y = new float[b.count() * b.targetSize()];
    b.gatherRange(0, b.count(), x, y);
    return x;
  }

  static float[] labels(ExampleBlock b) {
    float[] x = new float[b.count() * b.featureSize()];
    float[] y = new float[b.count() * b.targetSize()];
    b.gatherRange(0, b.count(), x, y);
    return y;
  }

  /** Spindle's raw outputs (logits) for n examples. */
  static float[] spindle(SpindleModel m, float[] x, int n) {
    return m.spec().instantiate().forward(m.params(), x, n, false).clone();
  }

  /** The ONNX input shape for n examples of a network's input. */
  static long[] inputShape(NetworkSpec spec, int n) {
    Shape s = spec.inputShape();
    return s.isVector() ? new long[] {n, s.size()} : new long[] {n, s.channels(), s.height(), s.width()};
  }

  /** ONNX Runtime's outputs by name (float [N, k] each) for n examples. */
  static Map<String, float[][]> ort(byte[] model, NetworkSpec spec, float[] x, int n)
      throws OrtException {
    return ort(model, Onnx.INPUT, spec, x, n);
  }

  static Map<String, float[][]> ort(byte[] model, String inputName, NetworkSpec spec, float[] x,
      int n) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model, options);
        OnnxTensor input = OnnxTensor.createTensor(env,
            FloatBuffer.wrap(x, 0, n * spec.inputShape().size()), inputShape(spec, n));
        OrtSession.Result result = session.run(Map.of(inputName, input))) {
      Map<String, float[][]> out = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, OnnxValue> e : result) {
        out.put(e.getKey(), (float[][]) e.getValue().getValue());
      }
      return out;
    }
  }

  /**
   * Asserts ORT's {@code actual} [n][k] equals Spindle's {@code expected} (n x k, flat) within
   * the tolerance, with the same argmax per row; returns the largest difference.
   */
  static double assertClose(String what, float[] expected, float[][] actual, int n, int k) {
    assertEquals(n, actual.length, what + ": rows");
    double max = 0;
    for (int i = 0; i < n; i++) {
      assertEquals(k, actual[i].length, what + ": columns");
      int a = 0;
      int b = 0;
      for (int j = 0; j < k; j++) {
        max = Math.max(max, Math.abs(expected[i * k + j] - actual[i][j]));
        a = expected[i * k + j] > expected[i * k + a] ? j : a;
        b = actual[i][j] > actual[i][b] ? j : b;
      }
      assertEquals(a, b, what + ": argmax of example " + i);
    }
    final double worst = max;
    assertTrue(worst <= TOLERANCE, () -> what + ": max abs difference " + worst);
    return worst;
  }

  static Optional<float[][]> output(Map<String, float[][]> outputs, String name) {
    return Optional.ofNullable(outputs.get(name));
  }
}
