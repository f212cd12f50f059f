package io.spindle.spark;

import io.spindle.train.Metrics;
import java.io.Serializable;

/**
 * A partition's (then a subtree's) contribution to one iteration: the summed gradient and the
 * loss/accuracy sums. Allocated on the executor and combined by {@code treeReduce}, so no
 * large zero value travels in the closure. A partition with no examples in the batch sends
 * a null gradient instead of a vector of zeros.
 */
final class GradientPartial implements Serializable {

  private static final long serialVersionUID = 1L;

  float[] grad;
  final Metrics metrics;

  GradientPartial(float[] grad, Metrics metrics) {
    this.grad = grad;
    this.metrics = metrics;
  }

  /** Adds {@code other} into this one (in place) and returns this. */
  GradientPartial merge(GradientPartial other) {
    metrics.merge(other.metrics);
    if (other.grad != null) {
      if (grad == null) {
        grad = other.grad;
      } else {
        float[] g = grad;
        float[] o = other.grad;
        for (int i = 0; i < g.length; i++) {
          g[i] += o[i];
        }
      }
    }
    return this;
  }

  /** Left fold in index order: ((p0 + p1) + p2) + ...; merges into {@code partials[0]}. */
  static GradientPartial foldInOrder(GradientPartial[] partials) {
    GradientPartial acc = partials[0];
    for (int i = 1; i < partials.length; i++) {
      acc = acc.merge(partials[i]);
    }
    return acc;
  }

  /** Adds the gradient (if any) into {@code gradSum}. */
  void addGradientTo(float[] gradSum) {
    if (grad != null) {
      float[] g = grad;
      for (int i = 0; i < g.length; i++) {
        gradSum[i] += g[i];
      }
    }
  }
}
