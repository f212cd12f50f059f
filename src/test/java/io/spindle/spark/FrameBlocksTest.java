package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DataFrames packed into blocks: how rows are spread over partitions. */
class FrameBlocksTest {

  static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SparkConf conf = SparkConfs.withDefaults(new SparkConf())
        .setMaster("local[2]").setAppName("spindle-frame-blocks-test")
        .set("spark.ui.enabled", "false");
    spark = SparkSession.builder().config(conf).getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
      spark = null;
    }
  }

  /** A CSV of n rows (label = row number) in folder {@code dir}, read with its file column. */
  private Dataset<Row> csv(String dir, int n) throws IOException {
    Path folder = Files.createDirectories(tmp.resolve(dir));
    StringBuilder sb = new StringBuilder("label,a,b\n");
    for (int i = 0; i < n; i++) {
      sb.append(i).append(',').append(i % 7).append(',').append(i * 0.5).append('\n');
    }
    Files.writeString(folder.resolve("data.csv"), sb);
    return spark.read().option("header", true).csv(folder.toString())
        .withColumn(FrameSources.FILE_COLUMN, functions.input_file_name());
  }

  private static List<List<Integer>> labelsByPartition(Dataset<Row> df) {
    List<List<Integer>> out = new ArrayList<>();
    for (List<Row> part : df.javaRDD().glom().collect()) {
      out.add(part.stream().map(r -> Integer.parseInt(r.getString(0))).toList());
    }
    return out;
  }

  /**
   * The cause of FrameFormatsCliTest's flaky accuracy: Dataset.repartition sorted the rows by
   * their bytes, source-file path included, so the same data in another temp folder was spread
   * differently and trained to another model. The spread depends on row positions only.
   */
  @Test
  void spreadDealsRowsRoundRobinWhereverTheFileLives() throws IOException {
    List<List<Integer>> expected = List.of(List.of(0, 3, 6, 9), List.of(1, 4, 7, 10),
        List.of(2, 5, 8, 11));
    for (String dir : List.of("a", "another-folder/with/a-much-longer-name", "z")) {
      Dataset<Row> df = csv(dir, 12);
      assertEquals(1, df.rdd().getNumPartitions(), "one input partition");
      assertEquals(expected, labelsByPartition(DataFrameBlocks.spread(df, 3)), dir);
    }
  }

  @Test
  void spreadKeepsEveryRowOfSeveralInputPartitionsInInputOrder() {
    Dataset<Row> df = spark.range(0, 10, 1, 2).toDF("label"); // partitions [0..4], [5..9]
    List<List<Long>> parts = new ArrayList<>();
    for (List<Row> part : DataFrameBlocks.spread(df, 3).javaRDD().glom().collect()) {
      parts.add(part.stream().map(r -> r.getLong(0)).toList());
    }
    // Row r of input partition p goes to (p + r) mod 3, input partition 0's rows first.
    assertEquals(List.of(List.of(0L, 3L, 7L), List.of(1L, 4L, 5L, 8L), List.of(2L, 6L, 9L)),
        parts);
  }
}
