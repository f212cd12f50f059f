package io.spindle.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How training data is stored: a sequence of <em>chunks</em> (each a block of a few MiB, and on
 * Spark each its own cached block, so Spark spills, evicts and reads back one chunk at a time),
 * grouped into contiguous <em>shards</em>. A shard is what the {@link BatchSchedule} calls a
 * partition: it contributes its proportional share to every iteration, and an epoch reads its
 * chunks one window at a time ({@code io.spindle.train.PartitionWorker}), so each chunk is read
 * about once per epoch however small the batch.
 *
 * <p>In-memory data is cut with {@link #split}, the single rule that both the single-process
 * trainer and Spark's {@code DistributedBlocks} use, so their shards and chunks are identical.
 */
public final class ChunkLayout implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Target size of one chunk (a Spark block): small enough to read ahead, big enough to stream. */
  public static final long DEFAULT_CHUNK_BYTES = 4L << 20;
  /** Chunks whose examples an epoch shuffles together (a window is read, used, then dropped). */
  public static final int DEFAULT_WINDOW = 4;

  private final long[] chunkSizes;
  private final int[] shardStart;

  /**
   * @param chunkSizes examples per chunk
   * @param shardStart shard s holds chunks [shardStart[s], shardStart[s+1]); starts at 0, ends at
   *     the chunk count, non-decreasing
   */
  public ChunkLayout(long[] chunkSizes, int[] shardStart) {
    if (shardStart.length < 2 || shardStart[0] != 0
        || shardStart[shardStart.length - 1] != chunkSizes.length) {
      throw new IllegalArgumentException("shard starts " + Arrays.toString(shardStart)
          + " do not cover " + chunkSizes.length + " chunks");
    }
    for (int s = 1; s < shardStart.length; s++) {
      if (shardStart[s] < shardStart[s - 1]) {
        throw new IllegalArgumentException("shard starts must not decrease: "
            + Arrays.toString(shardStart));
      }
    }
    this.chunkSizes = chunkSizes.clone();
    this.shardStart = shardStart.clone();
  }

  /** Every partition one shard of one chunk (data packed one block per partition, as given). */
  public static ChunkLayout onePerShard(long[] partitionSizes) {
    int[] starts = new int[partitionSizes.length + 1];
    for (int s = 0; s <= partitionSizes.length; s++) {
      starts[s] = s;
    }
    return new ChunkLayout(partitionSizes, starts);
  }

  /** {@code chunks} chunks in {@code shards} contiguous shards whose chunk counts differ by at most one. */
  public static int[] evenShards(int chunks, int shards) {
    int[] starts = new int[shards + 1];
    for (int s = 0; s <= shards; s++) {
      starts[s] = (int) ((long) s * chunks / shards);
    }
    return starts;
  }

  /** Examples per chunk for examples of {@code bytesPerExample}: at least one. */
  public static int examplesPerChunk(long bytesPerExample, long chunkBytes) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, chunkBytes / Math.max(1, bytesPerExample)));
  }

  /** Stored bytes of one example of {@code block} (features and targets). */
  public static long bytesPerExample(ExampleBlock block) {
    return block.count() == 0 ? 1 : Math.max(1, block.sizeInBytes() / block.count());
  }

  /**
   * Cuts in-memory data into {@code shards} contiguous shards (sizes differ by at most one) and
   * each shard into chunks of at most {@code chunkBytes}. When some shard has more than one
   * chunk and {@code mix} is set, the examples are first put in a seeded random order, once:
   * an epoch shuffles only within a window of chunks, so sorted input (by label, by date) must
   * not leave whole chunks of one kind. When every shard is a single chunk its shuffle covers
   * the whole shard and the data stays as given.
   *
   * @return per shard, its chunks in order
   */
  public static ExampleBlock[][] split(ExampleBlock data, int shards, long chunkBytes,
      boolean mix, long seed) {
    if (shards <= 0 || shards > data.count()) {
      throw new IllegalArgumentException("cannot split " + data.count() + " examples into "
          + shards + " partitions; use between 1 and " + data.count());
    }
    int perChunk = examplesPerChunk(bytesPerExample(data), chunkBytes);
    boolean oneChunkEach = (data.count() + shards - 1) / shards <= perChunk;
    ExampleBlock source = mix && !oneChunkEach ? mixed(data, seed) : data;
    ExampleBlock[] shardBlocks = source.split(shards);
    ExampleBlock[][] out = new ExampleBlock[shards][];
    for (int s = 0; s < shards; s++) {
      int n = shardBlocks[s].count();
      out[s] = shardBlocks[s].split(Math.max(1, (n + perChunk - 1) / perChunk));
    }
    return out;
  }

  /** The layout of {@link #split}'s result. */
  public static ChunkLayout of(ExampleBlock[][] shards) {
    int chunks = Arrays.stream(shards).mapToInt(s -> s.length).sum();
    long[] sizes = new long[chunks];
    int[] starts = new int[shards.length + 1];
    int c = 0;
    for (int s = 0; s < shards.length; s++) {
      starts[s] = c;
      for (ExampleBlock b : shards[s]) {
        sizes[c++] = b.count();
      }
    }
    starts[shards.length] = c;
    return new ChunkLayout(sizes, starts);
  }

  private static ExampleBlock mixed(ExampleBlock data, long seed) {
    int n = data.count();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(BatchSchedule.mix(seed, -1, -1));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return data.reordered(order);
  }

  public int shards() {
    return shardStart.length - 1;
  }

  public int chunks() {
    return chunkSizes.length;
  }

  public int firstChunk(int shard) {
    return shardStart[shard];
  }

  /** Chunks in {@code shard}. */
  public int chunkCount(int shard) {
    return shardStart[shard + 1] - shardStart[shard];
  }

  public long chunkSize(int chunk) {
    return chunkSizes[chunk];
  }

  /** Shard s holds chunks [shardStarts()[s], shardStarts()[s+1]). */
  public int[] shardStarts() {
    return shardStart.clone();
  }

  /** Examples per shard (the schedule's partition sizes). */
  public long[] shardSizes() {
    long[] sizes = new long[shards()];
    for (int s = 0; s < sizes.length; s++) {
      for (int c = shardStart[s]; c < shardStart[s + 1]; c++) {
        sizes[s] += chunkSizes[c];
      }
    }
    return sizes;
  }
}
