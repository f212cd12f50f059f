package io.spindle.nn.loss;

import java.io.Serializable;

/**
 * A loss on the network's raw output (logits for the fused classification losses).
 *
 * <p>Everything is in <em>sum</em> form: the loss returned is the sum of per-example losses and
 * the gradient written is that of the sum. The caller divides by the example count, so that
 * partitions can add their sums and the driver divides once by the global count.
 */
public interface Loss extends Serializable {

  /** Config name: {@code mse}, {@code binary-cross-entropy}, {@code softmax-cross-entropy}. */
  String name();

  /** Floats per example in the target array for a network output of {@code outputSize}. */
  int targetSize(int outputSize);

  /**
   * Sum over n examples of the per-example loss. When {@code gradOutput} is non-null it receives
   * d(sum)/d(output), n x k floats.
   *
   * @throws IllegalArgumentException on a target the loss cannot take (e.g. label out of range)
   */
  double lossAndGradient(float[] output, float[] targets, int n, int k, float[] gradOutput);

  /** Examples predicted correctly, for accuracy; 0 for regression. */
  int countCorrect(float[] output, float[] targets, int n, int k);

  /** The predicted class of one example for classifiers (used by confusion matrices), else -1. */
  int predictedClass(float[] output, int offset, int k);

  /** The true class of one example for classifiers, else -1. */
  int trueClass(float[] targets, int offset, int k);

  /** Turns raw outputs into user-facing predictions (probabilities or values), in place. */
  void toPrediction(float[] output, int n, int k);

  boolean isClassification();

  static Loss fromName(String name) {
    return switch (name) {
      case "mse" -> new MeanSquaredError();
      case "binary-cross-entropy" -> new SigmoidBinaryCrossEntropy();
      case "softmax-cross-entropy" -> new SoftmaxCrossEntropy();
      default -> throw new IllegalArgumentException("unknown loss '" + name
          + "'; use one of mse, binary-cross-entropy, softmax-cross-entropy");
    };
  }
}
