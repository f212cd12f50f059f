package io.spindle.train;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import java.util.SplittableRandom;

/** Synthetic, learnable data and small networks for trainer tests. */
public final class TestData {

  private TestData() {}

  /**
   * {@code n} examples of {@code features} uint8 pixels (scale 1/255) labelled by a random
   * linear teacher into {@code classes} classes: learnable, but not trivially.
   */
  public static ExampleBlock classification(int n, int features, int classes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] teacher = new float[classes][features];
    for (float[] row : teacher) {
      for (int i = 0; i < features; i++) {
        row[i] = (float) rng.nextGaussian();
      }
    }
    byte[] x = new byte[n * features];
    float[] y = new float[n];
    for (int e = 0; e < n; e++) {
      int best = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      float[] v = new float[features];
      for (int i = 0; i < features; i++) {
        int pixel = rng.nextInt(256);
        x[e * features + i] = (byte) pixel;
        v[i] = pixel / 255f - 0.5f;
      }
      for (int c = 0; c < classes; c++) {
        double s = 0;
        for (int i = 0; i < features; i++) {
          s += teacher[c][i] * v[i];
        }
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      y[e] = best;
    }
    return ExampleBlock.ofBytes(x, 1f / 255, y, n, features, 1);
  }

  /** Dense layers with each activation kind and a dropout, softmax cross-entropy. */
  public static NetworkSpec mlp(int features, int classes) {
    return NetworkSpec.builder().input(features)
        .dense(24).tanh()
        .dense(16).relu().dropout(0.1)
        .dense(12).sigmoid()
        .dense(classes).build();
  }

  /** {@code n} examples of float features in [-1, 1] with target sum_i sin(2 x_i). */
  public static ExampleBlock regression(int n, int features, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n * features];
    float[] y = new float[n];
    for (int e = 0; e < n; e++) {
      double t = 0;
      for (int i = 0; i < features; i++) {
        float v = (float) (rng.nextDouble() * 2 - 1);
        x[e * features + i] = v;
        t += Math.sin(2 * v);
      }
      y[e] = (float) t;
    }
    return ExampleBlock.ofFloats(x, y, n, features, 1);
  }

  /**
   * A tanh regression net with squared error. At a learning rate of 1e6 it blows up for sure:
   * the output layer's update multiplies its weights by about lr x |hidden|^2 every step, and
   * saturated tanh units do not vanish. (Softmax classifiers may not: their logit gradient is
   * bounded and ReLUs die, so the loss can stay huge but finite.)
   */
  public static NetworkSpec tanhRegression(int features) {
    return NetworkSpec.builder().input(features).dense(16).tanh().dense(1)
        .loss(new io.spindle.nn.loss.MeanSquaredError()).build();
  }

  /**
   * A small CNN on 1x8x8 inputs (e.g. {@code classification(n, 64, classes, seed)}): padded
   * conv, max pooling, a second conv, average pooling, dropout, dense.
   */
  public static NetworkSpec cnn(int classes) {
    return NetworkSpec.builder().input(1, 8, 8)
        .conv(4, 3).pad(1).relu().maxPool(2)
        .conv(6, 3).tanh().avgPool(2)
        .dropout(0.1).dense(classes).build();
  }

  /**
   * A small residual network on 1x8x8 inputs: conv + batch norm, an identity block, a
   * projection block (stride 2), global average pooling and a dense classifier.
   */
  public static NetworkSpec resnet(int classes) {
    return NetworkSpec.builder().input(1, 8, 8)
        .conv(4, 3).pad(1).batchNorm().relu()
        .residual(b -> b.conv(4, 3).pad(1).batchNorm().relu().conv(4, 3).pad(1).batchNorm())
        .relu()
        .residual(b -> b.conv(6, 3).pad(1).stride(2).batchNorm().relu().conv(6, 3).pad(1)
            .batchNorm())
        .relu().globalAvgPool().dense(classes).build();
  }

  /**
   * Max over i of |a_i - b_i| / max(|a_i|, |b_i|, 1e-3): relative error, with values below
   * 1e-3 compared absolutely (their relative error is noise).
   */
  public static double maxRelativeError(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]);
      double scale = Math.max(Math.max(Math.abs(a[i]), Math.abs(b[i])), 1e-3);
      double r = d / scale;
      if (!(r <= worst)) { // also catches NaN
        worst = Double.isNaN(r) ? Double.POSITIVE_INFINITY : r;
      }
    }
    return worst;
  }

  /**
   * A probe that reveals which examples a gradient source used: example i is the one-hot vector
   * e_i (float features), target 0, through input(n) -> dense(1) with squared error. With all
   * weights 1 and bias 0 every output is 1, so d(sum loss)/d w_i = 2 x (times example i was in
   * the batch): the gradient spells out the batch.
   */
  public static ExampleBlock oneHotProbe(int n) {
    float[] x = new float[n * n];
    for (int i = 0; i < n; i++) {
      x[i * n + i] = 1f;
    }
    return ExampleBlock.ofFloats(x, new float[n], n, n, 1);
  }

  public static NetworkSpec probeNetwork(int n) {
    return NetworkSpec.builder().input(n).dense(1)
        .loss(new io.spindle.nn.loss.MeanSquaredError()).build();
  }

  public static float[] probeParams(int n) {
    float[] p = new float[n + 1];
    java.util.Arrays.fill(p, 0, n, 1f);
    return p;
  }

  /**
   * Runs {@code epochs} epochs of a probe source and returns, per iteration, how many times
   * each example was used (from the gradient, see {@link #oneHotProbe}).
   */
  public static int[][] recordBatches(GradientSource source, int n, int epochs) {
    int steps = source.schedule().iterationsPerEpoch();
    int[][] uses = new int[epochs * steps][n];
    float[] params = probeParams(n);
    for (int e = 0; e < epochs; e++) {
      for (int s = 0; s < steps; s++) {
        float[] grad = new float[n + 1];
        long it = (long) e * steps + s;
        Metrics m = source.accumulate(new Progress(e, epochs, s, steps, it), params, grad);
        int total = 0;
        for (int i = 0; i < n; i++) {
          float g = grad[i] / 2f;
          if (g != Math.round(g)) {
            throw new AssertionError("probe gradient is not a count: " + grad[i]);
          }
          uses[(int) it][i] = Math.round(g);
          total += uses[(int) it][i];
        }
        if (total != m.count) {
          throw new AssertionError("metrics count " + m.count + " but " + total + " examples used");
        }
      }
    }
    return uses;
  }

  public static boolean allFinite(float[] v) {
    for (float f : v) {
      if (!Float.isFinite(f)) {
        return false;
      }
    }
    return true;
  }
}
