package io.spindle.nn.loss;

import io.spindle.nn.layers.Sigmoid;

/**
 * Sigmoid fused with binary cross-entropy, on logits z, for k independent binary outputs with
 * targets in [0, 1]. Per output: L = max(z, 0) - z t + log(1 + e^-|z|), which equals
 * -(t log s + (1-t) log(1-s)) with s = sigmoid(z) but never overflows; dL/dz = s - t.
 * The per-example loss is the mean over the k outputs.
 */
public final class SigmoidBinaryCrossEntropy implements Loss {

  @Override
  public String name() {
    return "binary-cross-entropy";
  }

  @Override
  public int targetSize(int outputSize) {
    return outputSize;
  }

  @Override
  public double lossAndGradient(float[] z, float[] t, int n, int k, float[] grad) {
    double sum = 0;
    double invK = 1.0 / k;
    for (int i = 0; i < n * k; i++) {
      double zi = z[i];
      double ti = t[i];
      if (!(ti >= 0.0 && ti <= 1.0)) {
        throw new IllegalArgumentException("binary-cross-entropy: target " + ti
            + " of example " + (i / k) + " is outside [0, 1]");
      }
      sum += (Math.max(zi, 0.0) - zi * ti + Math.log1p(Math.exp(-Math.abs(zi)))) * invK;
      if (grad != null) {
        grad[i] = (float) ((Sigmoid.sigmoid(zi) - ti) * invK);
      }
    }
    return sum;
  }

  @Override
  public int countCorrect(float[] z, float[] t, int n, int k) {
    int correct = 0;
    for (int j = 0; j < n; j++) {
      boolean all = true;
      for (int i = 0; i < k; i++) {
        all &= (z[j * k + i] > 0f) == (t[j * k + i] > 0.5f);
      }
      correct += all ? 1 : 0;
    }
    return correct;
  }

  @Override
  public int predictedClass(float[] z, int offset, int k) {
    return k == 1 ? (z[offset] > 0f ? 1 : 0) : -1;
  }

  @Override
  public int trueClass(float[] t, int offset, int k) {
    return k == 1 ? (t[offset] > 0.5f ? 1 : 0) : -1;
  }

  @Override
  public void toPrediction(float[] z, int n, int k) {
    for (int i = 0; i < n * k; i++) {
      z[i] = (float) Sigmoid.sigmoid(z[i]);
    }
  }

  @Override
  public boolean isClassification() {
    return true;
  }
}
