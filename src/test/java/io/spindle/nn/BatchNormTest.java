package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.layers.BatchNorm;
import io.spindle.nn.loss.MeanSquaredError;
import io.spindle.tensor.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Batch normalization's forward pass against a naive double-precision computation written from
 * the definition (train mode: the batch's mean and biased variance per channel over examples
 * and pixels; inference: the running statistics), and the driver-side update of the running
 * statistics.
 */
class BatchNormTest {

  private static final double MOMENTUM = 0.2;
  private static final double EPS = 1e-3;

  @Test
  void trainModeForwardMatchesANaiveDoubleComputationPerChannel() {
    Shape shape = Shape.of(3, 4, 5);
    int n = 6;
    NetworkSpec spec = new NetworkSpec(shape, List.of(new BatchNorm(MOMENTUM, EPS)),
        new MeanSquaredError());
    float[] model = randomModel(spec, 1);
    float[] x = randomInput(n * shape.size(), 2, 3.0, 1.5);
    float[] y = spec.instantiate().forward(model, x, n, true);
    double[] expected = naive(x, n, 3, 20, model, true);
    assertClose(expected, y, n * shape.size());
  }

  @Test
  void trainModeForwardOnVectorsNormalizesEachFeatureOverTheBatch() {
    Shape shape = Shape.vector(7);
    int n = 5;
    NetworkSpec spec = new NetworkSpec(shape, List.of(new BatchNorm(MOMENTUM, EPS)),
        new MeanSquaredError());
    float[] model = randomModel(spec, 3);
    float[] x = randomInput(n * 7, 4, -2.0, 4.0);
    float[] y = spec.instantiate().forward(model, x, n, true);
    assertClose(naive(x, n, 7, 1, model, true), y, n * 7);
  }

  /**
   * Inference uses the running statistics stored after the parameters: with running
   * statistics far from the batch's, a layer that normalized with the batch statistics would
   * give other outputs (for one example: beta everywhere).
   */
  @Test
  void inferenceUsesTheRunningStatisticsNotTheBatchs() {
    Shape shape = Shape.of(2, 3, 3);
    NetworkSpec spec = new NetworkSpec(shape, List.of(new BatchNorm(MOMENTUM, EPS)),
        new MeanSquaredError());
    float[] model = randomModel(spec, 5);
    float[] x = randomInput(4 * shape.size(), 6, 0.5, 2.0);
    Network net = spec.instantiate();
    float[] y = net.forward(model, x, 4, false).clone();
    assertClose(naive(x, 4, 2, 9, model, false), y, 4 * shape.size());
    // One example at a time gives the same outputs: nothing depends on the batch.
    float[] one = net.forward(model, java.util.Arrays.copyOf(x, shape.size()), 1, false);
    for (int i = 0; i < shape.size(); i++) {
      assertEquals(y[i], one[i], 1e-6);
    }
    double[] batchStats = naive(x, 4, 2, 9, model, true);
    double differs = 0;
    for (int i = 0; i < 4 * shape.size(); i++) {
      differs = Math.max(differs, Math.abs(batchStats[i] - y[i]));
    }
    assertTrue(differs > 0.1, "the running statistics differ from the batch's: " + differs);
  }

  @Test
  void inferenceWithoutTheStateIsRefusedWithAClearMessage() {
    NetworkSpec spec = new NetworkSpec(Shape.vector(3), List.of(new BatchNorm()),
        new MeanSquaredError());
    float[] paramsOnly = java.util.Arrays.copyOf(spec.initParams(1), spec.paramCount());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> spec.instantiate().forward(paramsOnly, new float[3], 1, false));
    assertTrue(e.getMessage().contains("model vector"), e.getMessage());
  }

  /**
   * The driver's update: running = (1 - momentum) running + momentum batch, with the batch's
   * mean and unbiased variance from the summed statistics of every share, so splitting a batch
   * in shares changes nothing.
   */
  @Test
  void runningStatisticsFollowTheGlobalBatchWhateverTheShares() {
    Shape shape = Shape.of(2, 2, 3);
    int n = 8;
    NetworkSpec spec = new NetworkSpec(shape, List.of(new BatchNorm(MOMENTUM, EPS)),
        new MeanSquaredError());
    float[] model = randomModel(spec, 7);
    float[] x = randomInput(n * shape.size(), 8, 1.0, 3.0);
    float[] whole = updatedState(spec, model, x, new int[] {n});
    float[] shares = updatedState(spec, model, x, new int[] {3, 5});
    float[] state0 = java.util.Arrays.copyOfRange(model, spec.paramCount(), spec.modelSize());
    int pixels = 6;
    for (int c = 0; c < 2; c++) {
      double s = 0;
      double sq = 0;
      for (int j = 0; j < n; j++) {
        for (int p = 0; p < pixels; p++) {
          double v = x[j * 12 + c * pixels + p];
          s += v;
        }
      }
      double mean = s / (n * pixels);
      for (int j = 0; j < n; j++) {
        for (int p = 0; p < pixels; p++) {
          double d = x[j * 12 + c * pixels + p] - mean;
          sq += d * d;
        }
      }
      double unbiased = sq / (n * pixels - 1);
      assertEquals((1 - MOMENTUM) * state0[c] + MOMENTUM * mean, whole[c], 1e-5);
      assertEquals((1 - MOMENTUM) * state0[2 + c] + MOMENTUM * unbiased, whole[2 + c], 1e-5);
    }
    for (int i = 0; i < whole.length; i++) {
      assertEquals(whole[i], shares[i], 1e-5, "state " + i);
    }
  }

  @Test
  void aFreshModelStartsWithRunningMeanZeroAndVarianceOne() {
    NetworkSpec spec = NetworkSpec.builder().input(3).dense(2).batchNorm().build();
    float[] model = spec.initParams(1);
    assertEquals(spec.paramCount() + 4, model.length);
    assertArrayEquals(new float[] {0, 0, 1, 1},
        java.util.Arrays.copyOfRange(model, spec.paramCount(), model.length));
    // gamma 1, beta 0
    int bn = spec.paramOffset(1);
    assertArrayEquals(new float[] {1, 1, 0, 0}, java.util.Arrays.copyOfRange(model, bn, bn + 4));
  }

  /** Forward over the given shares in train mode, statistics summed, one driver update. */
  private static float[] updatedState(NetworkSpec spec, float[] model, float[] x, int[] shares) {
    Network net = spec.instantiate();
    double[] stats = new double[spec.stateCount()];
    int size = spec.inputShape().size();
    int from = 0;
    for (int share : shares) {
      float[] part = java.util.Arrays.copyOfRange(x, from * size, (from + share) * size);
      net.forward(model, part, share, true);
      net.addBatchStatistics(stats);
      from += share;
    }
    float[] state = java.util.Arrays.copyOfRange(model, spec.paramCount(), spec.modelSize());
    spec.updateState(state, stats, from);
    return state;
  }

  /** y = gamma (x - mean) / sqrt(var + eps) + beta, everything in double. */
  private static double[] naive(float[] x, int n, int channels, int pixels, float[] model,
      boolean training) {
    int gamma = 0;
    int beta = channels;
    int runMean = 2 * channels;
    int runVar = 3 * channels;
    double[] y = new double[n * channels * pixels];
    for (int c = 0; c < channels; c++) {
      double mean;
      double var;
      if (training) {
        double s = 0;
        for (int j = 0; j < n; j++) {
          for (int p = 0; p < pixels; p++) {
            s += x[(j * channels + c) * pixels + p];
          }
        }
        mean = s / (n * pixels);
        double sq = 0;
        for (int j = 0; j < n; j++) {
          for (int p = 0; p < pixels; p++) {
            double d = x[(j * channels + c) * pixels + p] - mean;
            sq += d * d;
          }
        }
        var = sq / (n * pixels);
      } else {
        mean = model[runMean + c];
        var = model[runVar + c];
      }
      for (int j = 0; j < n; j++) {
        for (int p = 0; p < pixels; p++) {
          int i = (j * channels + c) * pixels + p;
          y[i] = model[gamma + c] * (x[i] - mean) / Math.sqrt(var + EPS) + model[beta + c];
        }
      }
    }
    return y;
  }

  /** Gamma, beta and the running statistics drawn away from their initial values. */
  private static float[] randomModel(NetworkSpec spec, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] m = spec.initParams(seed);
    int c = spec.inputShape().channels();
    for (int i = 0; i < c; i++) {
      m[i] = (float) (0.5 + rng.nextDouble());             // gamma
      m[c + i] = (float) (rng.nextDouble() - 0.5);         // beta
      m[2 * c + i] = (float) (2 * rng.nextDouble() - 1);   // running mean
      m[3 * c + i] = (float) (0.2 + rng.nextDouble());     // running variance
    }
    return m;
  }

  private static float[] randomInput(int len, long seed, double offset, double scale) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = (float) (offset + scale * (rng.nextDouble() * 2 - 1));
    }
    return x;
  }

  private static void assertClose(double[] expected, float[] actual, int len) {
    for (int i = 0; i < len; i++) {
      assertEquals(expected[i], actual[i], 2e-5 * Math.max(1, Math.abs(expected[i])),
          "value " + i);
    }
  }
}
