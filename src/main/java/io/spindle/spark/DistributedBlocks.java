package io.spindle.spark;

import io.spindle.data.ChunkLayout;
import io.spindle.data.ExampleBlock;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Driver-held examples spread over the executors: one block per partition, persisted, with
 * each block shipped once through its own broadcast.
 *
 * <p>Why not {@code sc.parallelize(blocks)}: a parallelized collection keeps its elements in
 * the RDD's partition objects, and Spark serializes a task's partition into every task of every
 * job, cached or not. With MNIST in two partitions that is 23 MB per task per iteration. Here a
 * partition holds only a broadcast handle: executors fetch their block once (and again only to
 * recompute a lost or evicted partition), and iterations ship a few hundred bytes.
 *
 * <p>Close it to unpersist the RDD and destroy the broadcasts.
 */
public final class DistributedBlocks implements AutoCloseable {

  private final JavaRDD<ExampleBlock> rdd;
  private final int[] shardStart;
  private final List<Broadcast<ExampleBlock>> broadcasts;

  private DistributedBlocks(JavaRDD<ExampleBlock> rdd, int[] shardStart,
      List<Broadcast<ExampleBlock>> broadcasts) {
    this.rdd = rdd;
    this.shardStart = shardStart;
    this.broadcasts = broadcasts;
  }

  /**
   * Training data cut as {@link ChunkLayout#split} cuts it (the single-process trainer's rule):
   * {@code shards} contiguous shards of chunks of at most {@code chunkBytes}, mixed once with
   * {@code seed} when {@code mix} and a shard has several chunks; one chunk per partition.
   */
  public static DistributedBlocks chunked(JavaSparkContext sc, ExampleBlock data, int shards,
      long chunkBytes, boolean mix, long seed, StorageLevel level, String name) {
    ExampleBlock[][] split = ChunkLayout.split(data, shards, chunkBytes, mix, seed);
    ChunkLayout layout = ChunkLayout.of(split);
    return of(sc, java.util.Arrays.stream(split).flatMap(java.util.Arrays::stream)
        .toArray(ExampleBlock[]::new), layout.shardStarts(), level, name + " (" + data.count() + " examples in "
        + layout.chunks() + " chunks)");
  }

  /**
   * Splits {@code data} into {@code partitions} contiguous blocks (sizes differ by at most one);
   * partition p holds exactly {@code data.split(partitions)[p]}, persisted at {@code level}.
   */
  public static DistributedBlocks of(JavaSparkContext sc, ExampleBlock data, int partitions,
      StorageLevel level, String name) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    if (partitions > data.count()) {
      throw new IllegalArgumentException("cannot split " + data.count() + " examples into "
          + partitions + " partitions; use fewer partitions");
    }
    return of(sc, data.split(partitions), ChunkLayout.evenShards(partitions, partitions), level,
        name + " (" + data.count() + " examples)");
  }

  private static DistributedBlocks of(JavaSparkContext sc, ExampleBlock[] blocks,
      int[] shardStart, StorageLevel level, String name) {
    List<Broadcast<ExampleBlock>> handles = new ArrayList<>(blocks.length);
    for (ExampleBlock block : blocks) {
      handles.add(sc.broadcast(block));
    }
    // n handles in n slices: ParallelCollectionRDD gives slice i exactly element i.
    JavaRDD<ExampleBlock> rdd = sc.parallelize(handles, blocks.length)
        .map(Broadcast::value)
        .setName(name)
        .persist(level);
    return new DistributedBlocks(rdd, shardStart, handles);
  }

  /** The partitions as training data: chunks and their shards. */
  public TrainingBlocks training() {
    return new TrainingBlocks(rdd, shardStart);
  }

  /** One block per partition, persisted. */
  public JavaRDD<ExampleBlock> rdd() {
    return rdd;
  }

  @Override
  public void close() {
    rdd.unpersist(false);
    for (Broadcast<ExampleBlock> b : broadcasts) {
      b.destroy();
    }
    broadcasts.clear();
  }
}
