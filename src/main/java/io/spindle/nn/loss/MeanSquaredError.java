package io.spindle.nn.loss;

/**
 * Mean squared error on a linear output: per example L = mean_j (y_j - t_j)^2, so
 * dL/dy_j = 2 (y_j - t_j) / k. For one output this is the seed examples' (y - t)^2.
 */
public final class MeanSquaredError implements Loss {

  @Override
  public String name() {
    return "mse";
  }

  @Override
  public int targetSize(int outputSize) {
    return outputSize;
  }

  @Override
  public double lossAndGradient(float[] y, float[] t, int n, int k, float[] grad) {
    double sum = 0;
    double invK = 1.0 / k;
    for (int i = 0; i < n * k; i++) {
      double d = (double) y[i] - t[i];
      sum += d * d * invK;
      if (grad != null) {
        grad[i] = (float) (2.0 * d * invK);
      }
    }
    return sum;
  }

  @Override
  public int countCorrect(float[] output, float[] targets, int n, int k) {
    return 0;
  }

  @Override
  public int predictedClass(float[] output, int offset, int k) {
    return -1;
  }

  @Override
  public int trueClass(float[] targets, int offset, int k) {
    return -1;
  }

  @Override
  public void toPrediction(float[] output, int n, int k) {}

  @Override
  public boolean isClassification() {
    return false;
  }
}
