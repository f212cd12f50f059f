package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.layers.Softmax;
import io.spindle.nn.loss.SoftmaxCrossEntropy;
import io.spindle.tensor.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The softmax layer and the softmax cross-entropy loss against an independent double-precision
 * computation of their values (the gradient checks compare them only with their own forward
 * pass). The reference is the textbook formula, exp(z_i) / sum_j exp(z_j) and
 * log(sum_j exp(z_j)) - z_label, on logits small enough to need no shift; large logits are
 * checked through the shift invariance of both (adding c to every logit changes neither).
 */
class SoftmaxReferenceTest {

  private static final int K = 6;
  private static final int N = 9;
  /** Shifts that overflow exp in float (and 1000 in double) unless the max is subtracted. */
  private static final float[] SHIFTS = {0f, 100f, -100f, 1000f};

  /**
   * N examples of K logits in [-8, 8], multiples of 1/64 so that adding any of the shifts is
   * exact in float.
   */
  private static float[] logits(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] z = new float[N * K];
    for (int i = 0; i < z.length; i++) {
      z[i] = (rng.nextInt(1025) - 512) / 64f;
    }
    return z;
  }

  private static float[] shifted(float[] z, float c) {
    float[] s = z.clone();
    for (int i = 0; i < s.length; i++) {
      s[i] += c;
    }
    return s;
  }

  private static double[] referenceSoftmax(float[] z, int j) {
    double[] p = new double[K];
    double sum = 0;
    for (int i = 0; i < K; i++) {
      p[i] = Math.exp(z[j * K + i]);
      sum += p[i];
    }
    for (int i = 0; i < K; i++) {
      p[i] /= sum;
    }
    return p;
  }

  private static double referenceLoss(float[] z, int j, int label) {
    double sum = 0;
    for (int i = 0; i < K; i++) {
      sum += Math.exp(z[j * K + i]);
    }
    return Math.log(sum) - z[j * K + label];
  }

  private static float[] labels(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] y = new float[N];
    for (int j = 0; j < N; j++) {
      y[j] = rng.nextInt(K);
    }
    return y;
  }

  @Test
  void aWorkedExample() {
    // softmax(1, 2, 3) = e^i / (e + e^2 + e^3); log(e + e^2 + e^3) = 3.40760596444438.
    Layer softmax = new Softmax().instantiate(Shape.vector(3), 0);
    float[] y = softmax.forward(new float[0], new float[] {1, 2, 3}, 1, false);
    assertEquals(0.0900305731703805, y[0], 1e-7);
    assertEquals(0.2447284710547976, y[1], 1e-7);
    assertEquals(0.6652409557748219, y[2], 1e-7);
    double loss = new SoftmaxCrossEntropy().lossAndGradient(new float[] {1, 2, 3},
        new float[] {0}, 1, 3, null);
    assertEquals(3.40760596444438 - 1, loss, 1e-6);
  }

  @Test
  void softmaxLayerMatchesTheDoubleReference() {
    float[] z = logits(1);
    Layer layer = new Softmax().instantiate(Shape.vector(K), 0);
    for (float c : SHIFTS) {
      float[] y = layer.forward(new float[0], shifted(z, c), N, true);
      for (int j = 0; j < N; j++) {
        double[] p = referenceSoftmax(z, j);
        for (int i = 0; i < K; i++) {
          assertEquals(p[i], y[j * K + i], 1e-6 * Math.max(p[i], 1e-3),
              "shift " + c + ", example " + j + ", output " + i);
        }
      }
    }
  }

  @Test
  void crossEntropyLossGradientAndProbabilitiesMatchTheDoubleReference() {
    float[] z = logits(2);
    float[] labels = labels(3);
    SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
    double spread = 0;
    for (float c : SHIFTS) {
      float[] grad = new float[N * K];
      double sum = loss.lossAndGradient(shifted(z, c), labels, N, K, grad);
      double expected = 0;
      for (int j = 0; j < N; j++) {
        int label = (int) labels[j];
        double l = referenceLoss(z, j, label);
        expected += l;
        spread = Math.max(spread, l);
        double[] p = referenceSoftmax(z, j);
        for (int i = 0; i < K; i++) {
          double g = p[i] - (i == label ? 1 : 0);
          assertEquals(g, grad[j * K + i], 1e-6, "shift " + c + ", example " + j + ", dz " + i);
        }
      }
      assertEquals(expected, sum, 1e-5 * expected, "shift " + c + ": summed loss");

      float[] probs = shifted(z, c);
      loss.toPrediction(probs, N, K);
      for (int j = 0; j < N; j++) {
        double[] p = referenceSoftmax(z, j);
        for (int i = 0; i < K; i++) {
          assertEquals(p[i], probs[j * K + i], 1e-6 * Math.max(p[i], 1e-3),
              "shift " + c + ": probability " + j + "," + i);
        }
      }
    }
    assertTrue(spread > 1, "some examples have a large loss: " + spread);
  }

  @Test
  void aConfidentWrongPredictionCostsItsMargin() {
    // logsumexp(1000, 0, -1000) = 1000 + log(1 + e^-1000 + e^-2000) = 1000 in double.
    double l = new SoftmaxCrossEntropy().lossAndGradient(new float[] {1000, 0, -1000},
        new float[] {1}, 1, 3, null);
    assertEquals(1000.0, l, 1e-9);
  }
}
