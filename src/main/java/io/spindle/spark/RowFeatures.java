package io.spindle.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;

/**
 * Reads one example's features from a row into a float batch buffer: from a Vector column
 * (dense or sparse), an array column, or several numeric columns. Used by the training
 * conversion ({@link DataFrameBlocks}) and by inference ({@link SparkInference#transform}), so
 * both accept the same inputs and report the same problems.
 */
final class RowFeatures implements Serializable {

  private static final long serialVersionUID = 1L;

  private final FrameColumns cols;
  private final int[] positions;
  private final boolean vector;
  private final int size;

  /**
   * @param positions where the feature columns sit in the rows (one for vector features)
   * @param size values per example the network takes
   */
  RowFeatures(FrameColumns cols, int[] positions, boolean vector, int size) {
    this.cols = cols;
    this.positions = positions.clone();
    this.vector = vector;
    this.size = size;
  }

  /**
   * Copies the row's features into {@code x[at, at + size)}; returns null, or a problem in
   * which {@code @} stands for where the row is.
   */
  String read(Row row, float[] x, int at) {
    if (!vector) {
      if (positions.length != size) {
        return positions.length + " feature columns @, but the network input needs " + size
            + " values; list " + size + " columns or fix the input shape";
      }
      for (int i = 0; i < size; i++) {
        Object cell = row.get(positions[i]);
        Double parsed = FrameColumns.number(cell);
        if (parsed == null) {
          return cols.featureName(i, false) + " " + FrameColumns.show(cell) + " @; clean the data";
        }
        double v = parsed;
        if (!Double.isFinite(v)) {
          return cols.featureName(i, false) + " is " + v + " @; clean the data first";
        }
        if (Math.abs(v) > Float.MAX_VALUE) {
          return cols.featureName(i, false) + " is " + v + " @, beyond float32's range; "
              + "rescale or clean the data";
        }
        x[at + i] = (float) v;
      }
      return null;
    }
    int p = positions[0];
    if (row.isNullAt(p)) {
      return "column '" + cols.features().get(0) + "' is empty (null) @; drop or fill such rows";
    }
    Object value = row.get(p);
    int n;
    if (value instanceof DenseVector d) {
      double[] v = d.values();
      n = v.length;
      if (n == size) {
        for (int i = 0; i < size; i++) {
          x[at + i] = (float) v[i];
        }
      }
    } else if (value instanceof SparseVector s) {
      n = s.size();
      if (n == size) {
        Arrays.fill(x, at, at + size, 0f);
        int[] idx = s.indices();
        double[] v = s.values();
        for (int j = 0; j < idx.length; j++) {
          x[at + idx[j]] = (float) v[j];
        }
      }
    } else if (value instanceof Vector v) {
      double[] a = v.toArray();
      n = a.length;
      if (n == size) {
        for (int i = 0; i < size; i++) {
          x[at + i] = (float) a[i];
        }
      }
    } else {
      List<Object> list = row.getList(p);
      n = list.size();
      if (n == size) {
        for (int i = 0; i < size; i++) {
          Object e = list.get(i);
          if (e == null) {
            return cols.featureName(i, true) + " is empty (null) @; clean the data";
          }
          x[at + i] = (float) ((Number) e).doubleValue();
        }
      }
    }
    if (n != size) {
      return "column '" + cols.features().get(0) + "' holds " + n + " values @, but the "
          + "network input needs " + size + "; fix the input shape or the features";
    }
    for (int i = 0; i < size; i++) {
      if (!Float.isFinite(x[at + i])) {
        return cols.featureName(i, true) + " is " + x[at + i] + " @; clean the data first";
      }
    }
    return null;
  }
}
