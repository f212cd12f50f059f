package io.spindle.train;

/** Inference-mode loss and accuracy of given parameters over a data set (e.g. the test set). */
public interface Evaluator extends AutoCloseable {

  Metrics evaluate(float[] params, Progress progress);

  @Override
  default void close() {}
}
