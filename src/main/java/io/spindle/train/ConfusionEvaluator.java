package io.spindle.train;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.Loss;
import java.io.Serializable;

/**
 * Runs a network in inference mode over an {@link ExampleBlock}, batch by batch, and fills loss
 * and accuracy sums ({@link Metrics}) and, for single-label classifiers, a
 * {@link ConfusionMatrix}. Batch buffers are allocated once per evaluator, so evaluating
 * allocates nothing per example or per batch; use one instance per thread or Spark task, and
 * merge the {@link Result}s.
 */
public final class ConfusionEvaluator {

  public static final int DEFAULT_BATCH = 256;

  private final NetworkSpec spec;
  private final Loss loss;
  private final GradientStep step;
  private final int outSize;
  private final int targetSize;
  private final int classes;
  private final int batch;
  private final float[] x;
  private final float[] y;

  /**
   * Loss, accuracy and confusion counts of one evaluation; merge partitions' results. A class,
   * not a record: it is a Spark task result, and Kryo cannot serialize records.
   */
  public static final class Result implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Metrics metrics;
    private final ConfusionMatrix confusion;

    /** @param confusion null for regression networks */
    public Result(Metrics metrics, ConfusionMatrix confusion) {
      this.metrics = metrics;
      this.confusion = confusion;
    }

    public Metrics metrics() {
      return metrics;
    }

    /** The confusion matrix, or null for regression networks. */
    public ConfusionMatrix confusion() {
      return confusion;
    }

    /** Adds {@code other} into this result; returns this. */
    public Result merge(Result other) {
      metrics.merge(other.metrics);
      if (confusion != null && other.confusion != null) {
        confusion.merge(other.confusion);
      }
      return this;
    }
  }

  public ConfusionEvaluator(NetworkSpec spec) {
    this(spec, DEFAULT_BATCH);
  }

  /** @param batch examples per forward pass (bounds the network's buffers) */
  public ConfusionEvaluator(NetworkSpec spec, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("evaluation batch size must be positive, got " + batch);
    }
    this.spec = spec;
    this.loss = spec.loss();
    this.step = new GradientStep(spec);
    this.outSize = spec.outputShape().size();
    this.targetSize = spec.targetSize();
    this.classes = classesOf(spec);
    this.batch = batch;
    this.x = new float[Math.multiplyExact(batch, spec.inputShape().size())];
    this.y = new float[batch * targetSize];
  }

  /**
   * Classes a confusion matrix of this network has: its outputs for softmax, 2 for one sigmoid
   * output; 0 when predictions are not single classes (regression, multi-label).
   */
  public static int classesOf(NetworkSpec spec) {
    Loss loss = spec.loss();
    int k = spec.outputShape().size();
    if (!loss.isClassification()) {
      return 0;
    }
    float[] probe = new float[k];
    if (loss.predictedClass(probe, 0, k) < 0) {
      return 0; // e.g. several independent sigmoid outputs
    }
    return k == 1 ? 2 : k;
  }

  /** Classes of the confusion matrix, or 0 when this network has none. */
  public int classes() {
    return classes;
  }

  /** A fresh, empty result for this network (its confusion matrix is null without classes). */
  public Result newResult() {
    return new Result(new Metrics(), classes > 0 ? new ConfusionMatrix(classes) : null);
  }

  /** Evaluates every example of {@code block} into a new result. */
  public Result evaluate(float[] params, ExampleBlock block) {
    Result r = newResult();
    evaluate(params, block, r.metrics(), r.confusion());
    return r;
  }

  /**
   * Adds loss and accuracy sums over {@code block} into {@code metrics}, and each example's
   * (true, predicted) pair into {@code confusion} when it is not null.
   */
  public void evaluate(float[] params, ExampleBlock block, Metrics metrics,
      ConfusionMatrix confusion) {
    checkCompatible(block, confusion);
    for (int from = 0; from < block.count(); from += batch) {
      int n = Math.min(batch, block.count() - from);
      block.gatherRange(from, n, x, y);
      float[] out = step.predictRaw(params, x, n);
      double lossSum = loss.lossAndGradient(out, y, n, outSize, null);
      metrics.add(lossSum, loss.countCorrect(out, y, n, outSize), n);
      if (confusion != null) {
        for (int j = 0; j < n; j++) {
          confusion.add(loss.trueClass(y, j * targetSize, outSize),
              loss.predictedClass(out, j * outSize, outSize));
        }
      }
    }
  }

  private void checkCompatible(ExampleBlock block, ConfusionMatrix confusion) {
    if (block.featureSize() != spec.inputShape().size()) {
      throw new IllegalArgumentException("examples have " + block.featureSize()
          + " features but the network input " + spec.inputShape() + " needs "
          + spec.inputShape().size() + "; fix data.input-shape or the data");
    }
    if (block.targetSize() != targetSize) {
      throw new IllegalArgumentException("examples have " + block.targetSize()
          + " target values but the loss " + loss.name() + " needs " + targetSize);
    }
    if (confusion != null && confusion.classes() != classes) {
      throw new IllegalArgumentException("the confusion matrix has " + confusion.classes()
          + " classes but the network predicts "
          + (classes == 0 ? "no single classes" : classes + " classes"));
    }
  }
}
