package io.spindle.spark;

import io.spindle.data.ExampleBlock;
import io.spindle.train.GradientStep;
import io.spindle.train.Metrics;
import io.spindle.train.PartitionWorker;
import java.util.Iterator;

/**
 * Executor side of every transport: one partition's summed gradient and metrics for one
 * iteration, with the partition's {@link PartitionWorker} (its epoch order) and a network's
 * buffers taken from the run's {@link ExecutorCache}.
 */
final class PartitionGradients {

  private PartitionGradients() {}

  /**
   * @param it the partition's cached data: exactly one block (or none for an empty partition);
   *     read to the end, which releases Spark's read lock on the cached block
   * @return a partial with a freshly allocated gradient, or a null gradient when the partition
   *     has no examples in this iteration
   */
  static GradientPartial compute(RunSetup run, int partition, Iterator<ExampleBlock> it,
      float[] weights, int epoch, int step, long iteration) {
    ExampleBlock block = it.hasNext() ? it.next() : null;
    if (it.hasNext()) {
      throw new IllegalStateException("partition " + partition + " holds several blocks;"
          + " pack the training RDD with BlockRdds.pack");
    }
    ExecutorCache.RunState state = ExecutorCache.state(run.runId(), run.spec());
    PartitionWorker worker = state.worker(partition, run.schedule(), run.shuffle(), run.seed());
    Metrics metrics = new Metrics();
    if (block == null && run.schedule().partitionSize(partition) > 0) {
      throw new IllegalStateException("partition " + partition + " lost its examples; the"
          + " training data must be deterministic");
    }
    if (block == null || worker.shareSize(step) == 0) {
      return new GradientPartial(null, metrics);
    }
    float[] grad = new float[run.spec().paramCount()];
    GradientStep compute = state.borrow();
    try {
      synchronized (worker) { // a speculative or zombie copy of this task could share the worker
        worker.accumulate(block, compute, weights, epoch, step, iteration, grad, metrics);
      }
    } finally {
      state.giveBack(compute);
    }
    return new GradientPartial(grad, metrics);
  }
}
