package io.spindle.train;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ChunkLayout;
import io.spindle.data.ChunkSource;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import java.util.SplittableRandom;

/**
 * One partition's (shard's) part in training: which of its examples each iteration uses and the
 * accumulation of their summed gradient.
 *
 * <p><b>Epoch order.</b> The shard's chunks ({@link ChunkLayout}) are visited in a seeded order
 * that changes every epoch, and grouped, in that order, into windows of {@code window} chunks;
 * the examples of a window are shuffled among themselves. The schedule's shares walk that order,
 * so at any iteration the worker needs the chunks of one window (two where a share straddles a
 * boundary): each chunk is read about once per epoch, and the next window is asked for ahead
 * ({@link ChunkSource#readAhead}) while this one is used. A shard of one chunk is shuffled
 * whole, exactly as before chunks existed (same seed, same permutation).
 *
 * <p>The order is a pure function of (seed, epoch, shard, layout, window), and the chunks held
 * depend only on the current share, never on what came before: a worker built mid-epoch (a
 * resumed run, a replacement executor) computes exactly what the original would have.
 *
 * <p>The worker holds per-shard state only: the epoch order (4 bytes per example) and references
 * to the chunks of the current window. Compute buffers are a {@link GradientStep} lent by the
 * caller, so a Spark executor keeps workers across iterations with buffers per task thread.
 */
public final class PartitionWorker {

  private final int partition;
  private final BatchSchedule schedule;
  private final ChunkLayout layout;
  private final int window;
  private final boolean shuffle;
  private final long seed;
  private final int firstChunk;
  private final int chunkCount;

  private int orderEpoch = -1;
  /** Position in the epoch -> index in the concatenation of the chunks in epoch order. */
  private int[] order;
  /** The shard's chunks (layout indices) in this epoch's order. */
  private final int[] chunkOrder;
  /** Start of the j-th chunk of chunkOrder in the concatenation; chunkCount + 1 entries. */
  private final int[] chunkPos;
  /** Decoded chunks in hand, by their place in chunkOrder (null where not held). */
  private final ExampleBlock[] held;
  private int heldFrom;
  private int heldTo;
  /** Place in chunkOrder of the first chunk last asked for ahead (-1: none this epoch). */
  private int askedAhead = -1;

  /** A worker over a shard of one chunk (the data as one block per partition). */
  public PartitionWorker(int partition, BatchSchedule schedule, boolean shuffle, long seed) {
    this(partition, schedule, onePerPartition(schedule), 1, shuffle, seed);
  }

  /**
   * @param window chunks shuffled together (>= 1)
   */
  public PartitionWorker(int partition, BatchSchedule schedule, ChunkLayout layout, int window,
      boolean shuffle, long seed) {
    if (partition < 0 || partition >= schedule.partitions()) {
      throw new IllegalArgumentException("partition " + partition + " outside the schedule's "
          + schedule.partitions() + " partitions");
    }
    if (layout.shards() != schedule.partitions()) {
      throw new IllegalArgumentException("the chunk layout has " + layout.shards()
          + " shards but the schedule " + schedule.partitions() + " partitions");
    }
    if (window < 1) {
      throw new IllegalArgumentException("the shuffle window must be at least one chunk, got "
          + window);
    }
    this.partition = partition;
    this.schedule = schedule;
    this.layout = layout;
    this.window = window;
    this.shuffle = shuffle;
    this.seed = seed;
    this.firstChunk = layout.firstChunk(partition);
    this.chunkCount = layout.chunkCount(partition);
    this.chunkOrder = new int[chunkCount];
    this.chunkPos = new int[chunkCount + 1];
    this.held = new ExampleBlock[chunkCount];
  }

  private static ChunkLayout onePerPartition(BatchSchedule schedule) {
    long[] sizes = new long[schedule.partitions()];
    for (int p = 0; p < sizes.length; p++) {
      sizes[p] = schedule.partitionSize(p);
    }
    return ChunkLayout.onePerShard(sizes);
  }

  /** Rejects a block that cannot feed {@code spec}, naming the mismatch and the fix. */
  public static void checkCompatible(NetworkSpec spec, ExampleBlock block) {
    if (block.featureSize() != spec.inputShape().size()) {
      throw new IllegalArgumentException("examples have " + block.featureSize()
          + " features but the network input " + spec.inputShape() + " needs "
          + spec.inputShape().size() + "; fix data.input-shape or the data");
    }
    if (block.targetSize() != spec.targetSize()) {
      throw new IllegalArgumentException("examples have " + block.targetSize()
          + " target values but the loss " + spec.loss().name() + " needs " + spec.targetSize());
    }
  }

  public int partition() {
    return partition;
  }

  /** Examples this partition contributes to iteration {@code iterationInEpoch}. */
  public int shareSize(int iterationInEpoch) {
    return schedule.shareEnd(partition, iterationInEpoch)
        - schedule.shareStart(partition, iterationInEpoch);
  }

  /** {@link #accumulate(ChunkSource, GradientStep, float[], int, int, long, float[], Metrics)} over a shard of one block. */
  public void accumulate(ExampleBlock block, GradientStep step, float[] params, int epoch,
      int iterationInEpoch, long globalIteration, float[] grads, Metrics metrics) {
    if (chunkCount != 1) {
      throw new IllegalStateException("partition " + partition + " has " + chunkCount
          + " chunks; give its chunks, not one block");
    }
    accumulate(c -> block, step, params, epoch, iterationInEpoch, globalIteration, grads,
        metrics);
  }

  /**
   * Adds the summed gradient of this partition's share of iteration {@code iterationInEpoch} of
   * {@code epoch} into {@code grads}, and its loss/accuracy sums into {@code metrics}.
   *
   * @param chunks the shard's chunks, by layout index (the same data every call)
   * @param step compute buffers (any step built from the same network spec)
   * @param globalIteration iteration counted over the whole run (seeds dropout)
   */
  public void accumulate(ChunkSource chunks, GradientStep step, float[] params, int epoch,
      int iterationInEpoch, long globalIteration, float[] grads, Metrics metrics) {
    int from = schedule.shareStart(partition, iterationInEpoch);
    int n = schedule.shareEnd(partition, iterationInEpoch) - from;
    if (n == 0) {
      return;
    }
    if (orderEpoch != epoch) {
      prepareEpoch(epoch);
    }
    int firstWindow = chunkAt(from) / window;
    int lastWindow = chunkAt(from + n - 1) / window;
    hold(chunks, firstWindow * window, Math.min(chunkCount, (lastWindow + 1) * window));
    int next = (lastWindow + 1) * window;
    if (next < chunkCount && next != askedAhead) {
      askedAhead = next;
      int[] ahead = new int[Math.min(window, chunkCount - next)];
      for (int j = 0; j < ahead.length; j++) {
        ahead[j] = chunkOrder[next + j];
      }
      chunks.readAhead(ahead);
    }
    ExampleBlock any = held[chunkAt(from)];
    step.accumulate(params, any.featureSize(), any.targetSize(), (x, y) -> {
      for (int i = 0; i < n; i++) {
        int at = order[from + i];
        int j = chunkAt(at);
        held[j].copyExample(at - chunkPos[j], i, x, y);
      }
    }, order, from, n, grads, BatchSchedule.mix(seed, globalIteration, partition), metrics);
  }

  /** The place in chunkOrder of the chunk holding concatenation index (or position) {@code at}. */
  private int chunkAt(int at) {
    int lo = 0;
    int hi = chunkCount - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (chunkPos[mid] <= at) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Holds the chunks at places [from, to) of chunkOrder and lets go of the others. */
  private void hold(ChunkSource chunks, int from, int to) {
    for (int j = heldFrom; j < heldTo; j++) {
      if (j < from || j >= to) {
        held[j] = null;
      }
    }
    for (int j = from; j < to; j++) {
      long expected = layout.chunkSize(chunkOrder[j]);
      if (held[j] == null && expected > 0) { // an empty chunk has no block to read
        ExampleBlock b = chunks.chunk(chunkOrder[j]);
        if (b == null || b.count() != expected) {
          throw new IllegalStateException("partition " + partition + " chunk "
              + chunkOrder[j] + " holds " + (b == null ? 0 : b.count()) + " examples but had "
              + expected + " when training started; the training data must be deterministic"
              + " (persist it, or avoid random sampling when building it)");
        }
        held[j] = b;
      }
    }
    heldFrom = from;
    heldTo = to;
  }

  private void prepareEpoch(int epoch) {
    for (int j = 0; j < chunkCount; j++) {
      held[j] = null;
      chunkOrder[j] = firstChunk + j;
    }
    heldFrom = 0;
    heldTo = 0;
    askedAhead = -1;
    SplittableRandom rng = shuffle ? new SplittableRandom(BatchSchedule.mix(seed, epoch,
        partition)) : null;
    if (rng != null) {
      for (int i = chunkCount - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = chunkOrder[i];
        chunkOrder[i] = chunkOrder[j];
        chunkOrder[j] = t;
      }
    }
    for (int j = 0; j < chunkCount; j++) {
      chunkPos[j + 1] = chunkPos[j] + (int) layout.chunkSize(chunkOrder[j]);
    }
    int size = chunkPos[chunkCount];
    if (order == null || order.length < size) {
      order = new int[size];
    }
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    if (rng != null) {
      // Fisher-Yates within each window; for one chunk this is BatchSchedule.epochOrder's shuffle.
      for (int w = 0; w * window < chunkCount; w++) {
        int lo = chunkPos[w * window];
        int hi = chunkPos[Math.min(chunkCount, (w + 1) * window)];
        for (int i = hi - 1; i > lo; i--) {
          int j = lo + rng.nextInt(i - lo + 1);
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
      }
    }
    orderEpoch = epoch;
  }
}
