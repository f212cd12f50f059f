package io.spindle.spark;

import io.spindle.train.GradientStep;
import io.spindle.train.Metrics;
import io.spindle.train.PartitionWorker;
import org.apache.spark.TaskContext;

/**
 * Executor side of every transport: one shard's summed gradient and metrics for one iteration,
 * with the shard's {@link PartitionWorker} (its epoch order and current window of chunks) and a
 * network's buffers taken from the run's {@link ExecutorCache}.
 */
final class PartitionGradients {

  private PartitionGradients() {}

  /** A reader of the run's chunks for the calling task. */
  static CachedChunks chunks(RunSetup run, TaskContext task) {
    return new CachedChunks(run, ExecutorCache.state(run.runId(), run.spec()), task);
  }

  /**
   * @return a partial with a freshly allocated gradient, or a null gradient when the shard has
   *     no examples in this iteration; its metrics carry the bytes read from disk
   */
  static GradientPartial compute(RunSetup run, int shard, CachedChunks chunks, float[] weights,
      int epoch, int step, long iteration) {
    ExecutorCache.RunState state = ExecutorCache.state(run.runId(), run.spec());
    PartitionWorker worker = state.worker(shard, run);
    Metrics metrics = new Metrics();
    if (worker.shareSize(step) == 0) {
      return new GradientPartial(null, metrics);
    }
    float[] grad = new float[run.spec().paramCount()];
    GradientStep compute = state.borrow();
    try {
      synchronized (worker) { // a speculative or zombie copy of this task could share the worker
        worker.accumulate(chunks, compute, weights, epoch, step, iteration, grad, metrics);
      }
    } finally {
      state.giveBack(compute);
    }
    metrics.diskBytesRead += chunks.takeDiskBytes();
    return new GradientPartial(grad, metrics);
  }
}
