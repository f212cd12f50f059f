package io.spindle.spark;

import io.spindle.config.JobConfig;
import io.spindle.config.SpindleConfigException;
import io.spindle.data.ImageFolders;
import io.spindle.nn.NetworkSpec;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The CLI's DataFrame formats, read through Spark SQL: {@code parquet}, {@code csv},
 * {@code libsvm} and {@code image} (folders of images, one per class). A data set becomes a
 * {@link Frame}: the DataFrame and which of its columns hold features, label and source file.
 * {@link #blocks} then packs it into one validated block per partition on the executors.
 *
 * <ul>
 *   <li>parquet: the label column {@code data.label-col}; features from the numeric columns
 *       {@code data.features-cols}, else the Vector (or array) column {@code data.features-col}
 *       when present, else every other column.
 *   <li>csv: as parquet; values are text, parsed as numbers while packed (an unparsable one is
 *       reported with its text, column and file); {@code data.csv-header} and
 *       {@code data.csv-separator}.
 *   <li>csv and parquet, classifiers: a text label column that holds anything but numbers holds
 *       class names, indexed as {@link #indexLabels} says (a test set takes the training set's
 *       names, kept in the model's metadata as {@code classes}).
 *   <li>libsvm: label and sparse features, with as many features as the input shape.
 *   <li>image: see {@link ImageFolders}; features are resized to the input shape.
 * </ul>
 */
public final class FrameSources {

  /** Holds each row's source file, for messages about bad rows. */
  static final String FILE_COLUMN = "__spindle_file";

  private FrameSources() {}

  /**
   * A data set as a DataFrame, with the columns that hold its examples.
   *
   * @param classes the class names (image folders), or null
   */
  public record Frame(Dataset<Row> data, FrameColumns columns, List<String> classes) {}

  /**
   * Reads {@code path} in the job's format. Only the schema is read here (CSV and image data
   * are not scanned); rows are checked when packed.
   *
   * @param key the config key that named the path (data.train or data.test), for messages
   * @param classes class names to use (a test set takes the training set's: image folders or
   *     text labels), or null; only data.train indexes text labels itself
   */
  public static Frame read(SparkSession spark, JobConfig.Data data, String path, String key,
      NetworkSpec spec, List<String> classes) {
    String where = key + " (" + path + ")";
    Dataset<Row> df;
    List<String> names = null;
    switch (data.format()) {
      case "parquet" -> df = spark.read().parquet(path);
      case "csv" -> df = spark.read().option("header", data.csvHeader())
          .option("sep", data.csvSeparator()).option("mode", "PERMISSIVE").csv(path);
      case "libsvm" -> df = spark.read().format("libsvm")
          .option("numFeatures", spec.inputShape().size()).load(path);
      case "image" -> {
        names = classes != null ? classes : ImageFolders.classes(spark, path);
        if (spec.inputShape().isVector()) {
          throw new SpindleConfigException("data.input-shape", "data.input-shape "
              + spec.inputShape() + " is a vector; images need [channels, height, width], e.g."
              + " [3, 32, 32]");
        }
        df = ImageFolders.load(spark, path, spec.inputShape(), names);
      }
      default -> throw new SpindleConfigException("data.format", "data.format '" + data.format()
          + "' is not read through Spark");
    }
    FrameColumns cols = columns(df.schema(), data, where, names);
    if (!data.format().equals("image") && spec.loss().isClassification()
        && df.schema().apply(cols.label()).dataType().equals(DataTypes.StringType)) {
      // Text labels (CSV, or a string column): class names when they are not all numbers.
      // Only a training set makes the names; other sets take the model's (null: numbers).
      names = classes != null || !key.equals("data.train") ? classes
          : indexLabels(df, cols.label());
      if (names != null) {
        int outputs = Math.max(2, spec.outputShape().size());
        if (names.size() > outputs) {
          throw new IllegalArgumentException(where + ": label column '" + cols.label()
              + "' holds " + names.size() + " classes (" + shortList(names) + ") but the"
              + " network has " + outputs + " outputs; give the last layer " + names.size()
              + " units");
        }
        cols = cols.withLabelNames(names);
      }
    }
    df = df.withColumn(FILE_COLUMN, data.format().equals("image")
        ? functions.col(ImageFolders.ORIGIN) : functions.input_file_name());
    return new Frame(df, cols, names);
  }

  /**
   * The class names of a text label column, in index order: most frequent first, ties in
   * alphabetical order (Spark ML's StringIndexer with its default frequencyDesc order), over
   * the whole data set. Null when every label is a number (a class index, as before). One Spark
   * job, which reads only the label column.
   */
  static List<String> indexLabels(Dataset<Row> df, String label) {
    List<Row> counts = df.groupBy(functions.col(label)).count().collectAsList();
    List<Row> named = counts.stream().filter(r -> !r.isNullAt(0)).toList();
    if (named.stream().allMatch(r -> FrameColumns.number(r.getString(0)) != null)) {
      return null;
    }
    return named.stream()
        .sorted(java.util.Comparator.comparingLong((Row r) -> -r.getLong(1))
            .thenComparing(r -> r.getString(0)))
        .map(r -> r.getString(0)).toList();
  }

  /** The columns of the examples, checked against the schema; names the keys to change. */
  static FrameColumns columns(StructType schema, JobConfig.Data data, String where,
      List<String> classes) {
    List<String> present = List.of(schema.fieldNames());
    String label = data.format().equals("image") ? ImageFolders.LABEL
        : data.format().equals("libsvm") ? "label" : data.labelCol();
    if (!present.contains(label)) {
      throw new SpindleConfigException("data.label-col", where + " has no label column '"
          + label + "'; set data.label-col to one of " + shortList(present)
          + (data.format().equals("csv") && !data.csvHeader()
              ? " (or set data.csv-header = true if the first line names the columns)" : ""));
    }
    List<String> features;
    if (!data.featuresCols().isEmpty()) {
      for (String c : data.featuresCols()) {
        if (!present.contains(c)) {
          throw new SpindleConfigException("data.features-cols", where + " has no column '" + c
              + "' (listed in data.features-cols); its columns are " + shortList(present));
        }
      }
      features = data.featuresCols();
    } else if (data.format().equals("image") || data.format().equals("libsvm")) {
      features = List.of("features");
    } else if (present.contains(data.featuresCol())) {
      features = List.of(data.featuresCol());
    } else {
      features = new ArrayList<>(present);
      features.remove(label);
    }
    if (features.isEmpty()) {
      throw new SpindleConfigException("data.features-cols", where + " has no feature columns "
          + "besides the label '" + label + "'");
    }
    String hint = classes == null ? "" : "images must sit in one folder per class; the classes"
        + " are " + shortList(classes);
    return new FrameColumns(features, label, null, FILE_COLUMN, where, hint, null);
  }

  private static String shortList(List<String> names) {
    return names.size() <= 12 ? String.join(", ", names)
        : String.join(", ", names.subList(0, 10)) + ", ... (" + names.size() + " columns)";
  }

  /**
   * A frame's first {@code limit} rows (0 = all), spread over {@code partitions} partitions (0 =
   * as read) and packed into validated, persisted blocks ({@link DataFrameBlocks#convert}); for
   * training data, chunks of those partitions ({@code chunking}; null for evaluation data).
   */
  public static DataFrameBlocks.Converted blocks(Frame frame, NetworkSpec spec, int limit,
      int partitions, org.apache.spark.storage.StorageLevel level,
      DataFrameBlocks.Chunking chunking) {
    Dataset<Row> df = frame.data();
    if (limit > 0) {
      df = df.limit(limit);
    }
    return DataFrameBlocks.convert(df, frame.columns(), DataFrameBlocks.Layout.of(spec, false),
        level, partitions, chunking);
  }

  /**
   * A data path as written in the config: a URI with a scheme (hdfs://, s3a://, file:/) as is;
   * a local path relative to the working directory or else to the Spindle installation
   * ({@code spindle.home}), which must exist (a file or a folder).
   */
  public static String resolve(String path, String key) {
    if (path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*")) {
      return path;
    }
    java.nio.file.Path p = java.nio.file.Path.of(path);
    if (!Files.exists(p) && !p.isAbsolute()) {
      String home = System.getProperty("spindle.home");
      if (home != null && Files.exists(java.nio.file.Path.of(home).resolve(p))) {
        p = java.nio.file.Path.of(home).resolve(p);
      }
    }
    if (!Files.exists(p)) {
      throw new SpindleConfigException(key, key + ": no such file or folder " + p
          + "; check the path (relative paths start at the current directory)");
    }
    return p.toAbsolutePath().toString();
  }
}
