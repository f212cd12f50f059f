package io.spindle.spark;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.WeightedLoss;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * A DataFrame turned into what the trainers read: one packed {@link ExampleBlock} per
 * partition, built on the executors (nothing is collected to the driver), validated and
 * persisted. Float32 features, targets as the network's loss expects them (a class index, or a
 * value), plus the example weight as one more target float when a weight column is given (see
 * {@link WeightedLoss}).
 *
 * <p>Every row is checked while it is packed: label present, finite and (for classifiers) a
 * class the last layer can output; feature count equal to the network input; no NaN, infinite
 * or missing values; weights finite and non-negative. A bad row does not fail a task: the
 * partition reports its first problem, and {@link #convert} throws an
 * {@link IllegalArgumentException} on the driver that names the data, the column, the file
 * (when known) and the fix.
 */
public final class DataFrameBlocks {

  private DataFrameBlocks() {}

  /**
   * What {@link #convert} built.
   *
   * @param blocks one block per partition, persisted (unpersist when done)
   * @param sizes examples per partition
   * @param weightSum sum of the weights (the example count when unweighted)
   */
  public record Converted(JavaRDD<ExampleBlock> blocks, long[] sizes, long count,
      double weightSum) {

    /** {@code count / weightSum}: the scale that makes the weights average 1. */
    public double weightScale() {
      return weightSum > 0 ? count / weightSum : 1.0;
    }
  }

  /**
   * How rows become examples for a network: features per example, and the classes a label may
   * take (0 for regression).
   */
  public record Layout(int featureSize, int classes, boolean weighted) implements Serializable {

    /** The layout {@code spec}'s loss needs; fails for outputs one label column cannot feed. */
    public static Layout of(NetworkSpec spec, boolean weighted) {
      int k = spec.outputShape().size();
      int ts = spec.loss().targetSize(k);
      if (ts != 1) {
        throw new IllegalArgumentException("the loss " + spec.loss().name() + " with " + k
            + " outputs needs " + ts + " target values per example, but a DataFrame gives one"
            + " label; use one output (regression, binary) or softmax-cross-entropy (classes)");
      }
      int classes = spec.loss().isClassification() ? Math.max(2, k) : 0;
      return new Layout(spec.inputShape().size(), classes, weighted);
    }

    int targetSize() {
      return weighted ? 2 : 1;
    }
  }

  /**
   * Converts and validates {@code df} (its partitions as they are), persisted at {@code level}.
   * Runs two jobs: one packs and checks every partition, one keeps just the blocks.
   *
   * @throws IllegalArgumentException for a missing column or wrong type (before any job) or
   *     for the first bad row found
   */
  public static Converted convert(Dataset<Row> df, FrameColumns cols, Layout layout,
      StorageLevel level) {
    cols.checkSchema(df.schema());
    boolean vector = cols.vectorFeatures(df.schema());
    List<Column> select = new ArrayList<>();
    for (String f : cols.features()) {
      select.add(functions.col(f));
    }
    select.add(functions.col(cols.label()));
    if (cols.weighted()) {
      select.add(functions.col(cols.weight()));
    }
    if (cols.file() != null) {
      select.add(functions.col(cols.file()));
    }
    Dataset<Row> narrow = df.select(select.toArray(Column[]::new));
    Pack pack = new Pack(cols, layout, vector);
    JavaRDD<Packed> packed = narrow.javaRDD()
        .mapPartitionsWithIndex(pack::call, true)
        .setName("spindle packing " + cols.data())
        .persist(level);
    try {
      List<Summary> summaries = packed.map(Packed::summary).collect();
      long[] sizes = new long[packed.getNumPartitions()];
      long count = 0;
      double weightSum = 0;
      for (Summary s : summaries) {
        if (s.problem() != null) {
          throw new IllegalArgumentException(s.problem());
        }
        sizes[s.partition()] = s.count();
        count += s.count();
        weightSum += s.weightSum();
      }
      if (count == 0) {
        throw new IllegalArgumentException(cols.data() + " holds no examples; use a non-empty "
            + "data set");
      }
      if (cols.weighted() && !(weightSum > 0)) {
        throw new IllegalArgumentException(cols.data() + ": the weights in column '"
            + cols.weight() + "' sum to " + weightSum + "; at least one must be positive");
      }
      JavaRDD<ExampleBlock> blocks = packed
          .flatMap(p -> p.block == null ? Collections.emptyIterator()
              : List.of(p.block).iterator())
          .setName("spindle blocks " + cols.data())
          .persist(level);
      blocks.foreachPartition(it -> {}); // materialize from the packed cache
      return new Converted(blocks, sizes, count, cols.weighted() ? weightSum : count);
    } finally {
      packed.unpersist(false);
    }
  }

  /**
   * {@code df}'s rows over {@code partitions} partitions, round-robin by their position in the
   * input (input partition, then row), each partition in that order: the same spread wherever
   * the data lives and whatever the rows hold, on any cluster.
   *
   * <p>Why not {@code Dataset.repartition}: it sorts every row by its bytes before dealing the
   * rows out, and the rows carry their source file's path (for messages about bad rows), so the
   * spread, and with it the batches and the trained model, changed with the folder the data sat
   * in. Its reduce side also takes map outputs in fetch order, which varies on a cluster.
   */
  public static Dataset<Row> spread(Dataset<Row> df, int partitions) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    JavaPairRDD<Long, Row> keyed = df.javaRDD().mapPartitionsWithIndex((p, rows) ->
        new Iterator<Tuple2<Long, Row>>() {
          private long row;

          @Override
          public boolean hasNext() {
            return rows.hasNext();
          }

          @Override
          public Tuple2<Long, Row> next() {
            return new Tuple2<>(((long) p << 32) | row++, rows.next());
          }
        }, true).mapToPair(t -> t);
    JavaRDD<Row> spread = keyed.repartitionAndSortWithinPartitions(new RoundRobin(partitions))
        .values();
    return df.sparkSession().createDataFrame(spread, df.schema());
  }

  /** Row r of input partition p goes to partition (p + r) mod n; keys are (p << 32) | r. */
  private static final class RoundRobin extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    RoundRobin(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      long k = (Long) key;
      return (int) (((k >>> 32) + (k & 0xffffffffL)) % partitions);
    }
  }

  /** One partition's result: its block, or its first problem. */
  static final class Packed implements Serializable {
    private static final long serialVersionUID = 1L;
    final int partition;
    final ExampleBlock block;
    final String problem;
    final double weightSum;

    Packed(int partition, ExampleBlock block, String problem, double weightSum) {
      this.partition = partition;
      this.block = block;
      this.problem = problem;
      this.weightSum = weightSum;
    }

    Summary summary() {
      return new Summary(partition, block == null ? 0 : block.count(), problem, weightSum);
    }
  }

  /** A partition's count and first problem; a task result, so a class (Kryo cannot do records). */
  static final class Summary implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int partition;
    private final long count;
    private final String problem;
    private final double weightSum;

    Summary(int partition, long count, String problem, double weightSum) {
      this.partition = partition;
      this.count = count;
      this.problem = problem;
      this.weightSum = weightSum;
    }

    int partition() {
      return partition;
    }

    long count() {
      return count;
    }

    String problem() {
      return problem;
    }

    double weightSum() {
      return weightSum;
    }
  }

  /** The per-partition packing (small and serializable: column names and the layout). */
  private static final class Pack implements Serializable {
    private static final long serialVersionUID = 1L;
    private final FrameColumns cols;
    private final Layout layout;
    private final boolean vector;
    private final RowFeatures features;

    Pack(FrameColumns cols, Layout layout, boolean vector) {
      this.cols = cols;
      this.layout = layout;
      this.vector = vector;
      int[] at = new int[vector ? 1 : cols.features().size()];
      Arrays.setAll(at, i -> i);
      this.features = new RowFeatures(cols, at, vector, layout.featureSize());
    }

    Iterator<Packed> call(int partition, Iterator<Row> rows) {
      int fs = layout.featureSize();
      int ts = layout.targetSize();
      int labelAt = vector ? 1 : cols.features().size();
      int weightAt = labelAt + 1;
      int fileAt = labelAt + (layout.weighted() ? 2 : 1);
      float[] x = new float[fs * 256];
      float[] y = new float[ts * 256];
      int n = 0;
      double weightSum = 0;
      while (rows.hasNext()) {
        Row row = rows.next();
        if ((long) (n + 1) * fs > Integer.MAX_VALUE - 8) {
          return problem(partition, cols.data() + ": partition " + partition + " holds more than "
              + n + " examples of " + fs + " values, over one Java array; use more partitions");
        }
        if (x.length < (n + 1) * fs) {
          x = Arrays.copyOf(x, (int) Math.min(Integer.MAX_VALUE - 8, 2L * x.length));
          y = Arrays.copyOf(y, 2 * y.length);
        }
        String bad = features.read(row, x, n * fs);
        if (bad == null) {
          bad = label(row, labelAt, y, n * ts);
        }
        if (bad == null && layout.weighted()) {
          bad = weight(row, weightAt, y, n * ts + 1);
          if (bad == null) {
            weightSum += y[n * ts + 1];
          }
        }
        if (bad != null) {
          // Rows may have been repartitioned: a row number would mislead where the file is known.
          String where = cols.file() != null && !row.isNullAt(fileAt)
              ? "in " + row.getString(fileAt)
              : "in row " + n + " of partition " + partition;
          return problem(partition, cols.data() + ": " + bad.replace("@", where));
        }
        n++;
      }
      if (n == 0) {
        return List.of(new Packed(partition, null, null, 0)).iterator();
      }
      ExampleBlock block = ExampleBlock.ofFloats(Arrays.copyOf(x, n * fs),
          Arrays.copyOf(y, n * ts), n, fs, ts);
      return List.of(new Packed(partition, block, null, weightSum)).iterator();
    }

    private static Iterator<Packed> problem(int partition, String message) {
      return List.of(new Packed(partition, null, message, 0)).iterator();
    }

    private String label(Row row, int at, float[] y, int to) {
      Object cell = row.get(at);
      Double parsed = FrameColumns.number(cell);
      if (parsed == null) {
        return "label column '" + cols.label() + "' " + FrameColumns.show(cell) + " @; labels must"
            + " be numbers" + hint();
      }
      double v = parsed;
      if (!Double.isFinite(v)) {
        return "label column '" + cols.label() + "' is " + v + " @; fix the labels";
      }
      int classes = layout.classes();
      if (classes > 0 && (v < 0 || v >= classes || v != Math.floor(v))) {
        return "label column '" + cols.label() + "' holds " + v + " @, which is not a class in"
            + " [0, " + classes + ") of the network's output; fix the labels or widen the last"
            + " layer" + hint();
      }
      y[to] = (float) v;
      return null;
    }

    private String hint() {
      return cols.labelHint().isEmpty() ? "" : " (" + cols.labelHint() + ")";
    }

    private String weight(Row row, int at, float[] y, int to) {
      Object cell = row.get(at);
      Double w = FrameColumns.number(cell);
      if (w == null) {
        return "weight column '" + cols.weight() + "' " + FrameColumns.show(cell) + " @; give "
            + "every row a weight";
      }
      if (!(w >= 0) || !Double.isFinite(w)) {
        return "weight column '" + cols.weight() + "' holds " + w + " @; weights must be finite"
            + " and >= 0";
      }
      y[to] = (float) (double) w;
      return null;
    }
  }
}
