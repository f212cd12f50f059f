package io.spindle.train;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;

/**
 * Gradients computed in this process over in-memory blocks, one {@link PartitionWorker} per
 * block, all sharing one {@link GradientStep} (one set of network buffers). With the same
 * blocks, batch size, shuffle flag and seed it computes exactly the batches the Spark source
 * computes over the same partitioning, so it is also the reference in equivalence tests.
 */
public final class LocalGradientSource implements GradientSource {

  private final ExampleBlock[] blocks;
  private final PartitionWorker[] workers;
  private final BatchSchedule schedule;
  private final GradientStep step;

  public LocalGradientSource(NetworkSpec spec, ExampleBlock[] blocks, int batchSize,
      boolean shuffle, long seed) {
    if (blocks.length == 0) {
      throw new IllegalArgumentException("no training data: give at least one block");
    }
    long[] sizes = new long[blocks.length];
    for (int p = 0; p < blocks.length; p++) {
      PartitionWorker.checkCompatible(spec, blocks[p]);
      sizes[p] = blocks[p].count();
    }
    this.blocks = blocks.clone();
    this.schedule = new BatchSchedule(sizes, batchSize);
    this.step = new GradientStep(spec);
    this.workers = new PartitionWorker[blocks.length];
    for (int p = 0; p < blocks.length; p++) {
      workers[p] = new PartitionWorker(p, schedule, shuffle, seed);
    }
  }

  /** The data split into {@code partitions} contiguous blocks, with the options' batch and seed. */
  public static LocalGradientSource of(NetworkSpec spec, ExampleBlock data, int partitions,
      TrainingOptions options) {
    return new LocalGradientSource(spec, data.split(partitions), options.batchSize(),
        options.shuffle(), options.seed());
  }

  @Override
  public BatchSchedule schedule() {
    return schedule;
  }

  @Override
  public Metrics accumulate(Progress progress, float[] params, float[] gradSum) {
    Metrics metrics = new Metrics();
    for (int p = 0; p < workers.length; p++) {
      workers[p].accumulate(blocks[p], step, params, progress.epoch(), progress.step(),
          progress.iteration(), gradSum, metrics);
    }
    return metrics;
  }
}
