package io.spindle.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Which columns of a DataFrame hold an example, and how to name them in messages.
 *
 * <p>Features are either one column holding a whole example (an ML {@code Vector}, dense or
 * sparse, or an array of numbers) or several numeric columns, one value each, in order. The
 * label is one numeric column (a class index for classifiers, a value for regression), or a
 * text column of class names when {@code labelNames} is given; the weight, when present,
 * another. {@code file} names a column with each row's source file ({@code input_file_name()}),
 * read only to point at a bad row.
 *
 * @param data how messages name the data set, e.g. {@code data.train (data/cifar.csv)}
 * @param labelHint appended to messages about bad labels (how labels are made), or ""
 * @param labelNames class names in index order: a text label is the index of its name here;
 *     null when labels are numbers
 */
public record FrameColumns(List<String> features, String label, String weight, String file,
    String data, String labelHint, List<String> labelNames) implements Serializable {

  public FrameColumns {
    features = List.copyOf(features);
    labelNames = labelNames == null ? null : List.copyOf(labelNames);
    if (features.isEmpty()) {
      throw new IllegalArgumentException("at least one feature column is required");
    }
    Objects.requireNonNull(label, "label column");
    weight = weight == null || weight.isEmpty() ? null : weight;
    file = file == null || file.isEmpty() ? null : file;
    labelHint = labelHint == null ? "" : labelHint;
  }

  /** One vector column of features, a label, an optional weight column (null or ""). */
  public static FrameColumns of(String features, String label, String weight, String data) {
    return new FrameColumns(List.of(features), label, weight, null, data, "", null);
  }

  /** These columns with text labels read as the index of their name in {@code names}. */
  public FrameColumns withLabelNames(List<String> names) {
    return new FrameColumns(features, label, weight, file, data, labelHint, names);
  }

  public boolean weighted() {
    return weight != null;
  }

  /** Whether the features are one vector (or array) column rather than numeric columns. */
  public boolean vectorFeatures(StructType schema) {
    return features.size() == 1 && isVectorLike(schema.apply(features.get(0)).dataType());
  }

  static boolean isVectorLike(DataType t) {
    return t.equals(SQLDataTypes.VectorType())
        || (t instanceof ArrayType a && a.elementType() instanceof NumericType);
  }

  /**
   * Checks that every column exists with a usable type, naming the column and what the data
   * holds instead. Runs on the driver, before any Spark job.
   */
  public void checkSchema(StructType schema) {
    List<String> names = List.of(schema.fieldNames());
    for (String c : features) {
      StructField f = field(schema, names, c, "feature");
      boolean ok = features.size() == 1 ? isVectorLike(f.dataType()) || isNumeric(f.dataType())
          : isNumeric(f.dataType());
      if (!ok) {
        throw new IllegalArgumentException(data + ": feature column '" + c + "' has type "
            + f.dataType().simpleString() + "; features must be a Vector column (e.g. from "
            + "VectorAssembler), an array of numbers, or numeric columns");
      }
    }
    StructField l = field(schema, names, label, "label");
    if (!isNumeric(l.dataType())) {
      throw new IllegalArgumentException(data + ": label column '" + label + "' has type "
          + l.dataType().simpleString() + "; labels must be numbers (class indices 0, 1, ... for "
          + "classifiers: index text labels with StringIndexer)");
    }
    if (weight != null && !isNumeric(field(schema, names, weight, "weight").dataType())) {
      throw new IllegalArgumentException(data + ": weight column '" + weight
          + "' must be numeric");
    }
  }

  private StructField field(StructType schema, List<String> names, String column, String role) {
    if (!names.contains(column)) {
      throw new IllegalArgumentException(data + ": no " + role + " column '" + column
          + "'; the columns are " + String.join(", ", abbreviate(names)));
    }
    return schema.apply(column);
  }

  /** Numbers, or text holding numbers (CSV), parsed row by row so a bad value can be shown. */
  static boolean isNumeric(DataType t) {
    return t instanceof NumericType || t.equals(org.apache.spark.sql.types.DataTypes.StringType);
  }

  /**
   * A numeric cell: a Number, or text that parses as one (surrounding blanks allowed). Null
   * when the cell is null, empty or not a number.
   */
  static Double number(Object cell) {
    if (cell instanceof Number n) {
      return n.doubleValue();
    }
    if (cell instanceof String s && !s.isBlank()) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** How a message shows a cell that is not a number. */
  static String show(Object cell) {
    if (cell == null) {
      return "is empty";
    }
    String s = String.valueOf(cell);
    return "holds '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "', not a number,";
  }

  private static List<String> abbreviate(List<String> names) {
    if (names.size() <= 12) {
      return names;
    }
    List<String> head = new java.util.ArrayList<>(names.subList(0, 10));
    head.add("... (" + names.size() + " columns)");
    return head;
  }

  /** How a message names feature {@code i} of an example. */
  String featureName(int i, boolean vector) {
    return vector ? "column '" + features.get(0) + "' (value " + i + ")"
        : "column '" + features.get(i) + "'";
  }
}
