package io.spindle.train;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ChunkLayout;
import io.spindle.data.ChunkSource;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import java.util.Arrays;

/**
 * Gradients computed in this process over in-memory chunks, one {@link PartitionWorker} per
 * shard, all sharing one {@link GradientStep} (one set of network buffers). With the same
 * shards and chunks, batch size, window, shuffle flag and seed it computes exactly the batches
 * the Spark sources compute, so it is also the reference in equivalence tests.
 */
public final class LocalGradientSource implements GradientSource {

  private final ChunkSource chunks;
  private final PartitionWorker[] workers;
  private final BatchSchedule schedule;
  private final GradientStep step;

  /** One shard per block, each a single chunk. */
  public LocalGradientSource(NetworkSpec spec, ExampleBlock[] blocks, int batchSize,
      boolean shuffle, long seed) {
    this(spec, Arrays.stream(blocks).map(b -> new ExampleBlock[] {b})
        .toArray(ExampleBlock[][]::new), batchSize, 1, shuffle, seed);
  }

  /**
   * @param shards per shard, its chunks ({@link ChunkLayout#split})
   * @param window chunks shuffled together
   */
  public LocalGradientSource(NetworkSpec spec, ExampleBlock[][] shards, int batchSize,
      int window, boolean shuffle, long seed) {
    if (shards.length == 0) {
      throw new IllegalArgumentException("no training data: give at least one block");
    }
    ChunkLayout layout = ChunkLayout.of(shards);
    ExampleBlock[] all = Arrays.stream(shards).flatMap(Arrays::stream)
        .toArray(ExampleBlock[]::new);
    for (ExampleBlock b : all) {
      PartitionWorker.checkCompatible(spec, b);
    }
    this.chunks = ChunkSource.of(all);
    this.schedule = new BatchSchedule(layout.shardSizes(), batchSize);
    this.step = new GradientStep(spec);
    this.workers = new PartitionWorker[shards.length];
    for (int p = 0; p < shards.length; p++) {
      workers[p] = new PartitionWorker(p, schedule, layout, window, shuffle, seed);
    }
  }

  /**
   * The data cut into {@code partitions} shards of chunks ({@link ChunkLayout#split}, as
   * {@code DistributedTrainer} cuts it), with the options' batch, chunk size, window and seed.
   */
  public static LocalGradientSource of(NetworkSpec spec, ExampleBlock data, int partitions,
      TrainingOptions options) {
    return new LocalGradientSource(spec, ChunkLayout.split(data, partitions,
        options.chunkBytes(), options.shuffle(), options.seed()), options.batchSize(),
        options.shuffleWindow(), options.shuffle(), options.seed());
  }

  @Override
  public BatchSchedule schedule() {
    return schedule;
  }

  @Override
  public Metrics accumulate(Progress progress, float[] params, float[] gradSum) {
    Metrics metrics = new Metrics();
    for (PartitionWorker worker : workers) {
      worker.accumulate(chunks, step, params, progress.epoch(), progress.step(),
          progress.iteration(), gradSum, metrics);
    }
    return metrics;
  }
}
