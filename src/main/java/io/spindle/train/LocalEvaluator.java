package io.spindle.train;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;

/** Loss and accuracy over an in-memory block, in this process. */
public final class LocalEvaluator implements Evaluator {

  /** Examples per forward pass; bounds the network's buffers. */
  public static final int BATCH = 256;

  private final ExampleBlock data;
  private final GradientStep step;

  public LocalEvaluator(NetworkSpec spec, ExampleBlock data) {
    PartitionWorker.checkCompatible(spec, data);
    this.data = data;
    this.step = new GradientStep(spec);
  }

  @Override
  public Metrics evaluate(float[] params, Progress progress) {
    Metrics m = new Metrics();
    step.evaluate(params, data, BATCH, m);
    return m;
  }

  /** Convenience: evaluate once, outside training. */
  public Metrics evaluate(float[] params) {
    return evaluate(params, null);
  }
}
