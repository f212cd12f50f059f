package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.layers.Dropout;
import io.spindle.tensor.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What inverted dropout promises, measured on the layer itself over many elements (the gradient
 * check cannot see it: it uses the same mask on both sides). A dropout that drops nothing, one
 * missing the 1/(1-p) scaling, or one left on at inference fails here. Inference through
 * {@code evaluate}, {@code predict} and the ML {@code transform} is cli.DropoutInferenceCliTest
 * and ml.SpindleClassifierTest#transformIgnoresDropout.
 */
class DropoutTest {

  /** 50 examples of 2,000 values: 100,000 independent draws per forward pass. */
  private static final Shape SHAPE = Shape.vector(2_000);
  private static final int N = 50;
  private static final int LEN = N * SHAPE.size();

  private static Layer layer(double rate) {
    return new Dropout(rate).instantiate(SHAPE, 0);
  }

  private static float[] input(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[LEN];
    for (int i = 0; i < LEN; i++) {
      x[i] = (float) (0.5 + rng.nextDouble()); // in [0.5, 1.5): never zero
    }
    return x;
  }

  @Test
  void dropsEachValueWithProbabilityRate() {
    for (double p : new double[] {0.1, 0.25, 0.5, 0.8}) {
      Layer l = layer(p);
      float[] x = input(1);
      for (long seed = 0; seed < 3; seed++) {
        l.reseed(seed);
        float[] y = l.forward(new float[0], x, N, true);
        int dropped = 0;
        for (int i = 0; i < LEN; i++) {
          dropped += y[i] == 0f ? 1 : 0;
        }
        // Binomial(LEN, p): 5 standard deviations (about 670 of 100,000 at p = 0.5).
        double sd = Math.sqrt(LEN * p * (1 - p));
        assertEquals(LEN * p, dropped, 5 * sd,
            "rate " + p + ", seed " + seed + ": dropped " + dropped + " of " + LEN);
      }
    }
  }

  @Test
  void survivorsAreScaledSoTheMeanIsPreserved() {
    for (double p : new double[] {0.2, 0.5, 0.75}) {
      Layer l = layer(p);
      float[] x = input(2);
      l.reseed(11);
      float[] y = l.forward(new float[0], x, N, true);
      double scale = 1.0 / (1.0 - p);
      double inSum = 0;
      double outSum = 0;
      for (int i = 0; i < LEN; i++) {
        if (y[i] != 0f) {
          assertEquals(x[i] * scale, y[i], 1e-6 * y[i], "rate " + p + ": survivor " + i);
        }
        inSum += x[i];
        outSum += y[i];
      }
      double inMean = inSum / LEN;
      double outMean = outSum / LEN;
      // The difference of the means has standard deviation sqrt(mean(x^2) p / ((1 - p) LEN)),
      // 0.0057 at p = 0.75: 0.03 is over 5 of them, and far below the factor (1 - p) that a
      // missing scaling would leave.
      assertEquals(inMean, outMean, 0.03 * inMean,
          "rate " + p + ": mean " + outMean + " vs input mean " + inMean);
    }
  }

  @Test
  void backwardMasksAndScalesTheGradientLikeTheForwardPass() {
    double p = 0.3;
    Layer l = layer(p);
    float[] x = input(3);
    l.reseed(5);
    float[] y = l.forward(new float[0], x, N, true).clone();
    float[] dy = input(4);
    float[] dx = l.backward(new float[0], new float[0], x, dy, N, true);
    for (int i = 0; i < LEN; i++) {
      // dy/dx of y = x m is m = y / x.
      assertEquals(dy[i] * (y[i] / x[i]), dx[i], 1e-5 * Math.abs(dy[i] / (1 - p)), "element " + i);
    }
  }

  @Test
  void eachSeedDrawsAnotherMask() {
    Layer l = layer(0.5);
    float[] x = input(5);
    l.reseed(1);
    float[] a = l.forward(new float[0], x, N, true).clone();
    l.reseed(2);
    float[] b = l.forward(new float[0], x, N, true).clone();
    l.reseed(1);
    float[] again = l.forward(new float[0], x, N, true).clone();
    assertFalse(Arrays.equals(a, b), "another seed, another mask");
    assertTrue(Arrays.equals(a, again), "the same seed, the same mask");
  }

  @Test
  void inferenceIsTheIdentity() {
    for (double p : new double[] {0.0, 0.5, 0.9}) {
      Layer l = layer(p);
      float[] x = input(6);
      l.reseed(3);
      float[] y = l.forward(new float[0], x, N, false);
      assertTrue(Arrays.equals(x, Arrays.copyOf(y, LEN)), "rate " + p + ": inference output");
      float[] dy = input(7);
      assertSame(dy, l.backward(new float[0], new float[0], x, dy, N, true));
    }
  }
}
