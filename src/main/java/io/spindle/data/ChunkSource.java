package io.spindle.data;

/**
 * Where a {@code PartitionWorker} gets the chunks of its shard ({@link ChunkLayout}): an array in
 * this process, or Spark's block manager on an executor (which may read them from disk).
 */
public interface ChunkSource {

  /** Chunk {@code chunk} (its index in the layout), decoded. */
  ExampleBlock chunk(int chunk);

  /**
   * A hint that these chunks are needed soon: a source that reads from storage may start reading
   * them on another thread, so the read overlaps the computation on the chunks in hand.
   */
  default void readAhead(int[] chunks) {}

  /** In-memory chunks, indexed by chunk number. */
  static ChunkSource of(ExampleBlock[] chunks) {
    return c -> chunks[c];
  }
}
