package io.spindle.train;

import java.io.Serializable;

/**
 * Running sums of loss, correct predictions and examples. Partitions add theirs together and
 * the driver divides once, so averages are exact whatever the partitioning.
 *
 * <p>For networks with batch normalization they also carry the batch statistics the running
 * statistics are updated from ({@link #batchStats}: per-channel sums and sums of squares of each
 * batch-norm layer's input, in the network's state layout), so every gradient transport brings
 * them to the driver with the loss sums, added in partition order like the gradient.
 */
public final class Metrics implements Serializable {

  private static final long serialVersionUID = 1L;

  public double lossSum;
  public long correct;
  public long count;
  /** Bytes of training data read back from disk to compute these sums (Spark sources). */
  public long diskBytesRead;
  /** Batch-norm input sums and sums of squares, in the state layout; null without state. */
  public double[] batchStats;

  public Metrics add(double loss, long correctCount, long examples) {
    lossSum += loss;
    correct += correctCount;
    count += examples;
    return this;
  }

  public Metrics merge(Metrics other) {
    if (other.batchStats != null) {
      double[] o = other.batchStats;
      if (batchStats == null) {
        batchStats = o.clone();
      } else {
        if (batchStats.length != o.length) {
          throw new IllegalArgumentException("batch statistics of " + o.length
              + " values cannot merge into " + batchStats.length);
        }
        for (int i = 0; i < o.length; i++) {
          batchStats[i] += o[i];
        }
      }
    }
    diskBytesRead += other.diskBytesRead;
    return add(other.lossSum, other.correct, other.count);
  }

  /** The batch-statistics sums, allocated (zeros) on first use with {@code size} values. */
  public double[] batchStats(int size) {
    if (batchStats == null) {
      batchStats = new double[size];
    }
    return batchStats;
  }

  public double meanLoss() {
    return count == 0 ? Double.NaN : lossSum / count;
  }

  public double accuracy() {
    return count == 0 ? Double.NaN : (double) correct / count;
  }

  @Override
  public String toString() {
    return String.format("loss=%.5f accuracy=%.4f n=%d", meanLoss(), accuracy(), count);
  }
}
