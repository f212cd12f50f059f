package io.spindle.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The worked example of docs/onnx.md: scores MNIST with a model Spindle exported, using nothing
 * but ONNX Runtime and the JDK (no Spindle, no Spark). Runs as a single source file:
 *
 * <pre>
 * java -cp onnxruntime-1.20.0.jar src/test/java/io/spindle/onnx/ScoreMnistWithOnnxRuntime.java \
 *     runs/lenet5/model.onnx data/mnist/t10k-images-idx3-ubyte.gz data/mnist/t10k-labels-idx1-ubyte.gz
 * </pre>
 */
public final class ScoreMnistWithOnnxRuntime {

  public static void main(String[] args) throws Exception {
    double accuracy = accuracy(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
    System.out.printf("accuracy %.2f%%%n", 100 * accuracy);
  }

  /** Top-1 accuracy of the model on an idx images/labels pair (gzip). */
  public static double accuracy(Path model, Path images, Path labels) throws Exception {
    byte[] pixels = idx(images, 0x803);
    byte[] truth = idx(labels, 0x801);
    int n = truth.length;
    float[] x = new float[pixels.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (pixels[i] & 0xFF) / 255f; // what the network saw in training
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int correct = 0;
    try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
      int batch = 1000;
      for (int from = 0; from < n; from += batch) {
        int rows = Math.min(batch, n - from);
        try (OnnxTensor input = OnnxTensor.createTensor(env,
                FloatBuffer.wrap(x, from * 784, rows * 784), new long[] {rows, 1, 28, 28});
            OrtSession.Result out = session.run(Map.of("input", input))) {
          float[][] logits = (float[][]) out.get("logits").get().getValue();
          for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < logits[r].length; c++) {
              best = logits[r][c] > logits[r][best] ? c : best;
            }
            correct += best == truth[from + r] ? 1 : 0;
          }
        }
      }
    }
    return (double) correct / n;
  }

  /** The payload of an idx file: after the magic, the dimension sizes. */
  private static byte[] idx(Path file, int magic) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != magic) {
        throw new IOException(file + " is not an idx file with magic " + Integer.toHexString(magic));
      }
      long size = in.readInt();
      for (int d = 1; d < (magic & 0xFF); d++) {
        size *= in.readInt();
      }
      return in.readNBytes((int) size);
    }
  }
}
