package io.spindle.spark;

import io.spindle.data.ChunkLayout;
import io.spindle.data.ExampleBlock;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;

/**
 * Training data as the Spark trainers read it: an RDD with one {@link ExampleBlock} per
 * partition, each partition a <em>chunk</em> of a few MiB (its own cached Spark block, spilled,
 * evicted and read back on its own), and the grouping of those chunks into contiguous
 * <em>shards</em>, the schedule's partitions ({@link ChunkLayout}). An epoch reads a shard's
 * chunks one window at a time, so data larger than memory is read from disk about once per
 * epoch instead of once per iteration.
 *
 * @param chunks one block per partition, persisted
 * @param shardStart shard s holds chunk partitions [shardStart[s], shardStart[s+1])
 */
public record TrainingBlocks(JavaRDD<ExampleBlock> chunks, int[] shardStart) {

  public TrainingBlocks {
    if (shardStart.length < 2 || shardStart[0] != 0
        || shardStart[shardStart.length - 1] != chunks.getNumPartitions()) {
      throw new IllegalArgumentException("shard starts " + Arrays.toString(shardStart)
          + " do not cover the " + chunks.getNumPartitions() + " chunk partitions");
    }
    shardStart = shardStart.clone();
  }

  /** Each partition of {@code packed} (one block each) a shard of one chunk. */
  public static TrainingBlocks onePerPartition(JavaRDD<ExampleBlock> packed) {
    return new TrainingBlocks(packed, ChunkLayout.evenShards(packed.getNumPartitions(),
        packed.getNumPartitions()));
  }

  public int shards() {
    return shardStart.length - 1;
  }
}
