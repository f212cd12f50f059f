package io.spindle.train;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Optimizer;

/**
 * Single-process training over in-memory data: the {@link Trainer} loop with a
 * {@link LocalGradientSource} and, when test data is given, a {@link LocalEvaluator}. For
 * example:
 *
 * <pre>{@code
 * TrainingResult r = new LocalTrainer(spec, new Sgd(0.1),
 *     TrainingOptions.builder().epochs(2).batchSize(64).build())
 *     .fit(train, test, spec.initParams(seed));
 * }</pre>
 */
public final class LocalTrainer {

  private final NetworkSpec spec;
  private final Optimizer optimizer;
  private final TrainingOptions options;
  private int partitions = 1;

  public LocalTrainer(NetworkSpec spec, Optimizer optimizer, TrainingOptions options) {
    this.spec = spec;
    this.optimizer = optimizer;
    this.options = options;
  }

  /**
   * Splits the training data into this many blocks, each taking its proportional share of every
   * batch, as Spark partitions would (default 1: plain mini-batch SGD over one shuffled set).
   */
  public LocalTrainer partitions(int partitions) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    this.partitions = partitions;
    return this;
  }

  /**
   * @param test validation data, or null
   * @param initialParams starting parameters (not modified), e.g. {@code spec.initParams(seed)}
   */
  public TrainingResult fit(ExampleBlock train, ExampleBlock test, float[] initialParams) {
    if (partitions > train.count()) {
      throw new IllegalArgumentException("cannot split " + train.count() + " examples into "
          + partitions + " partitions; use fewer partitions");
    }
    try (LocalGradientSource source = LocalGradientSource.of(spec, train, partitions, options);
        Evaluator validation = test == null ? null : new LocalEvaluator(spec, test)) {
      return new Trainer(spec, optimizer, options).fit(source, validation, initialParams);
    }
  }
}
