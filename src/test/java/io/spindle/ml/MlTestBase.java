package io.spindle.ml;

import io.spindle.data.ExampleBlock;
import io.spindle.data.MnistIdx;
import io.spindle.spark.BlockFrames;
import io.spindle.spark.BlockRdds;
import io.spindle.spark.SparkConfs;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A local[2] SparkSession per test class, and small data sets as DataFrames. */
abstract class MlTestBase {

  static SparkSession spark;
  static JavaSparkContext jsc;

  @BeforeAll
  static void startSpark() {
    SparkConf conf = SparkConfs.withDefaults(new SparkConf())
        .setMaster("local[2]").setAppName("spindle-ml-test")
        .set("spark.ui.enabled", "false")
        .set("spark.sql.shuffle.partitions", "2");
    spark = SparkSession.builder().config(conf).getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
      spark = null;
    }
  }

  /** Blocks as a DataFrame (label, features) in {@code partitions} contiguous partitions. */
  static Dataset<Row> frame(ExampleBlock block, int partitions) {
    return BlockFrames.toDataFrame(spark,
        BlockRdds.parallelize(jsc, block, partitions, StorageLevel.NONE()), null);
  }

  /** The first n MNIST training (or test) examples. */
  static ExampleBlock mnist(boolean train, int n) {
    String prefix = train ? "train" : "t10k";
    return MnistIdx.load(Path.of("data/mnist/" + prefix + "-images-idx3-ubyte.gz"),
        Path.of("data/mnist/" + prefix + "-labels-idx1-ubyte.gz"), n, false).block();
  }
}
