package io.spindle.nn.loss;

import io.spindle.nn.layers.Softmax;

/**
 * Softmax fused with cross-entropy on logits, with integer class labels (one float per
 * example). L = logsumexp(z) - z_label, computed after subtracting max(z) so it never
 * overflows; dL/dz = softmax(z) - onehot(label).
 */
public final class SoftmaxCrossEntropy implements Loss {

  @Override
  public String name() {
    return "softmax-cross-entropy";
  }

  @Override
  public int targetSize(int outputSize) {
    return 1;
  }

  @Override
  public double lossAndGradient(float[] z, float[] labels, int n, int k, float[] grad) {
    double sum = 0;
    for (int j = 0; j < n; j++) {
      int off = j * k;
      int label = label(labels, j, k);
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < k; i++) {
        max = Math.max(max, z[off + i]);
      }
      double sumExp = 0;
      for (int i = 0; i < k; i++) {
        sumExp += Math.exp(z[off + i] - max);
      }
      double logSumExp = max + Math.log(sumExp);
      sum += logSumExp - z[off + label];
      if (grad != null) {
        for (int i = 0; i < k; i++) {
          grad[off + i] = (float) Math.exp(z[off + i] - logSumExp);
        }
        grad[off + label] -= 1f;
      }
    }
    return sum;
  }

  private static int label(float[] labels, int j, int k) {
    float v = labels[j];
    int label = (int) v;
    if (label != v || label < 0 || label >= k) {
      throw new IllegalArgumentException("softmax-cross-entropy: label " + v + " of example " + j
          + " is not an integer in [0, " + k + "); check the label column and the output units");
    }
    return label;
  }

  @Override
  public int countCorrect(float[] z, float[] labels, int n, int k) {
    int correct = 0;
    for (int j = 0; j < n; j++) {
      correct += predictedClass(z, j * k, k) == (int) labels[j] ? 1 : 0;
    }
    return correct;
  }

  @Override
  public int predictedClass(float[] z, int offset, int k) {
    int best = 0;
    for (int i = 1; i < k; i++) {
      if (z[offset + i] > z[offset + best]) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public int trueClass(float[] labels, int offset, int k) {
    return (int) labels[offset];
  }

  @Override
  public void toPrediction(float[] z, int n, int k) {
    for (int j = 0; j < n; j++) {
      Softmax.softmax(z, z, j * k, k);
    }
  }

  @Override
  public boolean isClassification() {
    return true;
  }
}
