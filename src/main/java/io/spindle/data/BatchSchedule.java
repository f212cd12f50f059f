package io.spindle.data;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Which examples each partition contributes to each global mini-batch: a pure function of the
 * partition sizes, the global batch size and the seed, so every trainer (single-process or
 * Spark, any number of executors) that sees the same partitions computes the same batches.
 *
 * <p>Iteration t of an epoch covers global positions [tB, min((t+1)B, N)). Partition p (n_p
 * examples) takes the share floor(end n_p / N) - floor(start n_p / N) of them, i.e. its
 * proportional part of every batch. Over an epoch every example is used exactly once, the
 * last batch is the partial one, and the global batch is B up to rounding (at most
 * partitions - 1 examples). Within a partition examples are taken in the order of a seeded
 * permutation that changes every epoch.
 */
public final class BatchSchedule implements Serializable {

  private static final long serialVersionUID = 1L;

  private final long[] partitionSizes;
  private final long total;
  private final int globalBatch;
  private final int iterationsPerEpoch;

  public BatchSchedule(long[] partitionSizes, int globalBatch) {
    if (globalBatch <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + globalBatch);
    }
    long sum = 0;
    for (long s : partitionSizes) {
      if (s < 0) {
        throw new IllegalArgumentException("negative partition size " + s);
      }
      sum += s;
    }
    if (sum == 0) {
      throw new IllegalArgumentException("the training set is empty; check the data path and data.limit");
    }
    this.partitionSizes = partitionSizes.clone();
    this.total = sum;
    this.globalBatch = globalBatch;
    this.iterationsPerEpoch = Math.toIntExact((sum + globalBatch - 1) / globalBatch);
  }

  public int partitions() {
    return partitionSizes.length;
  }

  /** Examples in partition p. */
  public long partitionSize(int partition) {
    return partitionSizes[partition];
  }

  public long totalExamples() {
    return total;
  }

  public int globalBatch() {
    return globalBatch;
  }

  public int iterationsPerEpoch() {
    return iterationsPerEpoch;
  }

  /** First position, in partition p's epoch order, of its share of iteration t (0-based). */
  public int shareStart(int partition, int iterationInEpoch) {
    return positionToLocal(partition, (long) iterationInEpoch * globalBatch);
  }

  /** End (exclusive) of partition p's share of iteration t. */
  public int shareEnd(int partition, int iterationInEpoch) {
    long end = Math.min((long) (iterationInEpoch + 1) * globalBatch, total);
    return positionToLocal(partition, end);
  }

  /** The largest share any iteration gives partition p (sizes its batch buffers). */
  public int maxShare(int partition) {
    // floor(a) - floor(b) <= floor(a - b) + 1, and a - b = B n_p / N for every iteration.
    long share = (long) globalBatch * partitionSizes[partition] / total + 1;
    return (int) Math.min(partitionSizes[partition], share);
  }

  private int positionToLocal(int partition, long globalPosition) {
    // floor(pos * n_p / N) without overflow for N, n_p below 2^31.
    return (int) ((globalPosition * partitionSizes[partition]) / total);
  }

  /**
   * The order in which partition {@code partition} visits its {@code size} examples in
   * {@code epoch}: a Fisher-Yates shuffle seeded from (seed, epoch, partition), or the identity
   * when {@code shuffle} is false. Fills and returns {@code order} (reallocated if too small).
   */
  public static int[] epochOrder(int[] order, int size, boolean shuffle, long seed, int epoch,
      int partition) {
    if (order == null || order.length < size) {
      order = new int[size];
    }
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplittableRandom rng = new SplittableRandom(mix(seed, epoch, partition));
      for (int i = size - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
    }
    return order;
  }

  /** A well-mixed 64-bit seed from several integers (for shuffles and dropout masks). */
  public static long mix(long seed, long a, long b) {
    long h = seed * 0x9E3779B97F4A7C15L + a;
    h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + b;
    h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
    return h ^ (h >>> 31);
  }
}
