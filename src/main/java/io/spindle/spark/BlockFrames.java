package io.spindle.spark;

import io.spindle.data.ExampleBlock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Blocks as a DataFrame, one row per example: {@code index} (position in the data, when the
 * partitions' offsets are given), {@code label} (the first target value) and {@code features}
 * (a dense Vector, NCHW). How MNIST idx data and other driver-held sets meet Spark ML and
 * {@code spindle predict}. Rows are made on the executors, partition by partition.
 */
public final class BlockFrames {

  public static final String INDEX = "index";
  public static final String LABEL = "label";
  public static final String FEATURES = "features";

  private BlockFrames() {}

  /**
   * @param offsets index of each partition's first example (e.g. running sums of the sizes), or
   *     null for no index column
   */
  public static Dataset<Row> toDataFrame(SparkSession spark, JavaRDD<ExampleBlock> blocks,
      long[] offsets) {
    List<StructField> fields = new ArrayList<>();
    if (offsets != null) {
      fields.add(DataTypes.createStructField(INDEX, DataTypes.LongType, false));
    }
    fields.add(DataTypes.createStructField(LABEL, DataTypes.DoubleType, false));
    fields.add(DataTypes.createStructField(FEATURES, SQLDataTypes.VectorType(), false));
    StructType schema = DataTypes.createStructType(fields);
    boolean indexed = offsets != null;
    JavaRDD<Row> rows = blocks.mapPartitionsWithIndex(
        (p, it) -> new RowIterator(it, indexed, indexed ? offsets[p] : 0), true);
    return spark.createDataFrame(rows, schema);
  }

  /** The examples of a partition's blocks as rows, made one at a time. */
  private static final class RowIterator implements Iterator<Row> {
    private final Iterator<ExampleBlock> blocks;
    private final boolean indexed;
    private long index;
    private ExampleBlock block;
    private int next;
    private float[] x = new float[0];
    private float[] y = new float[0];

    RowIterator(Iterator<ExampleBlock> blocks, boolean indexed, long first) {
      this.blocks = blocks;
      this.indexed = indexed;
      this.index = first;
    }

    @Override
    public boolean hasNext() {
      while (block == null || next >= block.count()) {
        if (!blocks.hasNext()) {
          return false;
        }
        block = blocks.next();
        next = 0;
        if (x.length < block.featureSize() || y.length < block.targetSize()) {
          x = new float[block.featureSize()];
          y = new float[block.targetSize()];
        }
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      block.gatherRange(next++, 1, x, y);
      double[] v = new double[block.featureSize()];
      for (int j = 0; j < v.length; j++) {
        v[j] = x[j];
      }
      return indexed ? RowFactory.create(index++, (double) y[0], new DenseVector(v))
          : RowFactory.create((double) y[0], new DenseVector(v));
    }
  }

  /** Running offsets of partition sizes: {@code [0, s0, s0 + s1, ...]}. */
  public static long[] offsets(long[] sizes) {
    long[] o = new long[sizes.length];
    for (int i = 1; i < sizes.length; i++) {
      o[i] = o[i - 1] + sizes[i - 1];
    }
    return o;
  }
}
