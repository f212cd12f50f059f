package io.spindle.spark;

import io.spindle.nn.loss.Loss;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * What {@code spindle predict} appends to each row, for any network: {@code prediction} (the
 * class for single-label classifiers, else the first output) and one column per output with the
 * user-facing value ({@code p0, p1, ...}: probabilities for classifiers; {@code y0, y1, ...}:
 * values for regression), as the loss turns raw outputs into predictions.
 */
public final class NetworkOutputs implements SparkInference.RowOutputs {

  private static final long serialVersionUID = 1L;

  private final Loss loss;
  private final int outputs;
  /** Per task (each task deserializes its own copy), so not shared between threads. */
  private transient float[] row;

  public NetworkOutputs(Loss loss, int outputs) {
    this.loss = loss;
    this.outputs = outputs;
  }

  /** The new columns, in order: prediction, then p0.. (classifiers) or y0.. (regression). */
  public List<StructField> fields() {
    List<StructField> f = new ArrayList<>();
    f.add(DataTypes.createStructField("prediction", DataTypes.DoubleType, false));
    String prefix = loss.isClassification() ? "p" : "y";
    for (int k = 0; k < outputs; k++) {
      f.add(DataTypes.createStructField(prefix + k, DataTypes.DoubleType, false));
    }
    return f;
  }

  @Override
  public int columns() {
    return 1 + outputs;
  }

  @Override
  public void write(float[] raw, int j, int k, Object[] values, int at) {
    if (row == null) {
      row = new float[k];
    }
    System.arraycopy(raw, j * k, row, 0, k);
    int cls = loss.isClassification() ? loss.predictedClass(row, 0, k) : -1;
    loss.toPrediction(row, 1, k);
    values[at] = cls >= 0 ? (double) cls : (double) row[0];
    for (int i = 0; i < k; i++) {
      values[at + 1 + i] = (double) row[i];
    }
  }
}
