package io.spindle.train;

import java.io.Serializable;

/**
 * Running sums of loss, correct predictions and examples. Partitions add theirs together and
 * the driver divides once, so averages are exact whatever the partitioning.
 */
public final class Metrics implements Serializable {

  private static final long serialVersionUID = 1L;

  public double lossSum;
  public long correct;
  public long count;

  public Metrics add(double loss, long correctCount, long examples) {
    lossSum += loss;
    correct += correctCount;
    count += examples;
    return this;
  }

  public Metrics merge(Metrics other) {
    return add(other.lossSum, other.correct, other.count);
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
