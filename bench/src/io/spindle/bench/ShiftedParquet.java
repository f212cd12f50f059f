package io.spindle.bench;

import io.spindle.data.ExampleBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes MNIST expanded {@code factor} times with random shifts ({@link LargeData#shifted}) as a
 * Parquet table (label: double, features: array of float pixel / 255, 28 x 28), and the MNIST
 * test set beside it, for training through the CLI with {@code data.format = parquet}.
 *
 * <p>Args: output folder, factor. Writes {@code train.parquet} and {@code test.parquet} there.
 */
public final class ShiftedParquet {

  public static void main(String[] args) {
    String out = args[0];
    int factor = Integer.parseInt(args[1]);
    ExampleBlock base = BenchSupport.train(Integer.MAX_VALUE).block();
    ExampleBlock test = BenchSupport.test().block();
    long total = (long) factor * base.count();
    int parts = Math.max(2, factor * 4);
    StructType schema = new StructType()
        .add("label", DataTypes.DoubleType, false)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    try (JavaSparkContext sc = BenchSupport.spark("local[2]", "spindle-shifted-parquet")) {
      SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
      Broadcast<ExampleBlock> baseBc = sc.broadcast(base);
      List<Integer> ids = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        ids.add(p);
      }
      JavaRDD<Row> rows = sc.parallelize(ids, parts).flatMap(p -> rows(
          LargeData.shifted(baseBc.value(), p, parts, total, 42L)).iterator());
      spark.createDataFrame(rows, schema).write().mode(SaveMode.Overwrite)
          .parquet(out + "/train.parquet");
      spark.createDataFrame(sc.parallelize(rows(test), 2), schema).write()
          .mode(SaveMode.Overwrite).parquet(out + "/test.parquet");
      System.out.printf(Locale.ROOT, "wrote %,d training rows (MNIST x%d shifted) and %,d test"
          + " rows to %s%n", total, factor, test.count(), out);
    }
  }

  static List<Row> rows(ExampleBlock block) {
    int n = block.count();
    int size = block.featureSize();
    float[] x = new float[size];
    float[] y = new float[1];
    List<Row> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      block.gatherRange(i, 1, x, y);
      Float[] pixels = new Float[size];
      for (int j = 0; j < size; j++) {
        pixels[j] = x[j];
      }
      out.add(RowFactory.create((double) y[0], pixels));
    }
    return out;
  }
}
