package io.spindle.spark;

import io.spindle.data.ExampleBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * Training data as Spark holds it: an RDD with exactly one packed {@link ExampleBlock} per
 * partition (compact uint8 or float features plus targets), persisted so it is built once and
 * then read by every iteration. MEMORY_AND_DISK by default, so a set larger than storage
 * memory spills to disk instead of failing.
 *
 * <p>Build training RDDs from storage (files, tables) or with {@link #distribute}, not with
 * {@code sc.parallelize} of the examples themselves: Spark ships a parallelized partition's
 * elements inside every task of every job, even once cached.
 */
public final class BlockRdds {

  public static final StorageLevel DEFAULT_STORAGE = StorageLevel.MEMORY_AND_DISK();

  private BlockRdds() {}

  /**
   * Splits in-memory data into {@code partitions} contiguous blocks (sizes differ by at most
   * one), one per partition, at {@code level}: partition p holds {@code data.split(partitions)[p]}.
   *
   * <p>For a single pass (evaluation, prediction) only: the blocks travel inside the tasks, which
   * is fine once but happens again for every job. Training, which runs a job per iteration, uses
   * {@link #distribute}.
   */
  public static JavaRDD<ExampleBlock> parallelize(JavaSparkContext sc, ExampleBlock data,
      int partitions, StorageLevel level) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    if (partitions > data.count()) {
      throw new IllegalArgumentException("cannot split " + data.count() + " examples into "
          + partitions + " partitions; use fewer partitions");
    }
    // n blocks in n slices: ParallelCollectionRDD gives slice i exactly element i.
    JavaRDD<ExampleBlock> rdd = sc.parallelize(Arrays.asList(data.split(partitions)), partitions)
        .setName("spindle blocks (" + data.count() + " examples)");
    return level.equals(StorageLevel.NONE()) ? rdd : rdd.persist(level);
  }

  /**
   * Driver-held data as one persisted block per partition, for repeated jobs (training); see {@link DistributedBlocks} (close
   * it when done).
   */
  public static DistributedBlocks distribute(JavaSparkContext sc, ExampleBlock data,
      int partitions, StorageLevel level) {
    return DistributedBlocks.of(sc, data, partitions, level, "spindle blocks");
  }

  /**
   * Packs whatever blocks each partition holds (e.g. one per example, or chunks read from
   * files) into one block per partition, persisted at {@code level}. Partitions keep their
   * examples, in order; repartition the input first to change how they are spread.
   */
  public static JavaRDD<ExampleBlock> pack(JavaRDD<ExampleBlock> pieces, StorageLevel level) {
    return pieces.mapPartitions(BlockRdds::packPartition, true)
        .setName("spindle packed blocks").persist(level);
  }

  private static Iterator<ExampleBlock> packPartition(Iterator<ExampleBlock> it) {
    List<ExampleBlock> parts = new ArrayList<>();
    it.forEachRemaining(parts::add);
    return parts.isEmpty() ? java.util.Collections.emptyIterator()
        : List.of(ExampleBlock.concat(parts)).iterator();
  }

  /**
   * Examples per partition; -1 where a partition holds more than one block (not packed). Runs
   * a job, which also materializes a persisted RDD.
   */
  public static long[] partitionSizes(JavaRDD<ExampleBlock> blocks) {
    List<long[]> sizes = blocks.mapPartitionsWithIndex((index, it) -> {
      long count = 0;
      int n = 0;
      while (it.hasNext()) {
        count += it.next().count();
        n++;
      }
      return List.of(new long[] {index, n > 1 ? -1 : count}).iterator();
    }, true).collect();
    long[] out = new long[blocks.getNumPartitions()];
    for (long[] s : sizes) {
      out[(int) s[0]] = s[1];
    }
    return out;
  }

  /** Whether every partition holds at most one block. */
  static boolean isPacked(long[] sizes) {
    return Arrays.stream(sizes).allMatch(s -> s >= 0);
  }
}
