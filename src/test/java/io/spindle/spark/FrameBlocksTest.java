package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.reflect.ClassTag$;

/** DataFrames packed into blocks: how rows are spread over partitions, what a job ships. */
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

  /** Regression layout: the label is read as a value, so blocks show which rows they hold. */
  private static DataFrameBlocks.Converted convert(Dataset<Row> df, List<String> features,
      int partitions) {
    FrameColumns cols = new FrameColumns(features, "label", null,
        List.of(df.columns()).contains(FrameSources.FILE_COLUMN) ? FrameSources.FILE_COLUMN : null,
        "test data", "", null);
    return DataFrameBlocks.convert(df, cols, new DataFrameBlocks.Layout(features.size(), 0, false),
        StorageLevel.MEMORY_AND_DISK(), partitions);
  }

  /** The labels of each partition's block, in order. */
  private static List<List<Integer>> labelsByPartition(DataFrameBlocks.Converted c) {
    List<List<Integer>> out = new ArrayList<>();
    for (List<ExampleBlock> part : c.blocks().glom().collect()) {
      List<Integer> labels = new ArrayList<>();
      for (ExampleBlock b : part) {
        for (int i = 0; i < b.count(); i++) {
          labels.add((int) b.target(i)[0]);
        }
      }
      out.add(labels);
    }
    c.blocks().unpersist(false);
    return out;
  }

  /**
   * The cause of FrameFormatsCliTest's flaky accuracy: Dataset.repartition sorted the rows by
   * their bytes, source-file path included, so the same data in another temp folder was spread
   * differently and trained to another model. The spread depends on row positions only.
   */
  @Test
  void rowsAreDealtRoundRobinWhereverTheFileLives() throws IOException {
    List<List<Integer>> expected = List.of(List.of(0, 3, 6, 9), List.of(1, 4, 7, 10),
        List.of(2, 5, 8, 11));
    for (String dir : List.of("a", "another-folder/with/a-much-longer-name", "z")) {
      Dataset<Row> df = csv(dir, 12);
      assertEquals(1, df.rdd().getNumPartitions(), "one input partition");
      DataFrameBlocks.Converted c = convert(df, List.of("a", "b"), 3);
      assertArrayEquals(new long[] {4, 4, 4}, c.sizes());
      assertEquals(expected, labelsByPartition(c), dir);
    }
  }

  @Test
  void severalInputPartitionsAreDealtInInputOrderOrKeptAsTheyAre() {
    // Input partitions [0..4] and [5..9]; row r of input partition p goes to (p + r) mod 3.
    Dataset<Row> df = spark.range(0, 10, 1, 2).selectExpr("cast(id as double) as label",
        "cast(id * 2 as double) as a");
    DataFrameBlocks.Converted dealt = convert(df, List.of("a"), 3);
    assertArrayEquals(new long[] {3, 4, 3}, dealt.sizes());
    assertEquals(List.of(List.of(0, 3, 7), List.of(1, 4, 5, 8), List.of(2, 6, 9)),
        labelsByPartition(dealt));
    DataFrameBlocks.Converted kept = convert(df, List.of("a"), 0);
    assertArrayEquals(new long[] {5, 5}, kept.sizes());
    assertEquals(List.of(List.of(0, 1, 2, 3, 4), List.of(5, 6, 7, 8, 9)), labelsByPartition(kept));
  }

  @Test
  void trainingRowsSortedByLabelAreMixedIntoChunksOnceOrKeptInOrder() {
    // 2,000 rows sorted by label (0..9, 200 each), 8 bytes packed per row: chunks of 400 bytes
    // hold 50 rows, so 40 chunks in 4 shards of 10.
    Dataset<Row> df = spark.range(0, 2000, 1, 3).selectExpr("cast(id div 200 as double) as label",
        "cast(id as double) as a");
    DataFrameBlocks.Converted mixed = DataFrameBlocks.convert(df, new FrameColumns(List.of("a"),
        "label", null, null, "test data", "", null), new DataFrameBlocks.Layout(1, 10, false),
        StorageLevel.MEMORY_AND_DISK(), 4, new DataFrameBlocks.Chunking(400, true, 7L));
    assertEquals(40, mixed.blocks().getNumPartitions());
    assertArrayEquals(new int[] {0, 10, 20, 30, 40}, mixed.shardStart());
    assertEquals(2000, java.util.Arrays.stream(mixed.sizes()).sum());
    List<List<Integer>> chunks = labelsByPartition(mixed);
    List<Integer> all = new ArrayList<>();
    chunks.forEach(all::addAll);
    all.sort(null);
    assertEquals(2000, all.size());
    assertEquals(0, all.get(0));
    assertEquals(9, all.get(1999));
    for (List<Integer> chunk : chunks) {
      // A chunk of about 50 random rows from 10 classes: many classes, none dominant.
      assertTrue(chunk.stream().distinct().count() >= 5, "a mixed chunk: " + chunk);
    }
    DataFrameBlocks.Converted kept = DataFrameBlocks.convert(df, new FrameColumns(List.of("a"),
        "label", null, null, "test data", "", null), new DataFrameBlocks.Layout(1, 10, false),
        StorageLevel.MEMORY_AND_DISK(), 4, new DataFrameBlocks.Chunking(400, false, 7L));
    List<Integer> inOrder = new ArrayList<>();
    labelsByPartition(kept).forEach(inOrder::addAll);
    List<Integer> sorted = new ArrayList<>(inOrder);
    sorted.sort(null);
    assertEquals(sorted, inOrder, "without mixing, rows keep their order chunk after chunk");
  }

  /**
   * Every training iteration is a job over the blocks, and Spark serializes the blocks' RDD
   * lineage (up to the last shuffle) into that job's task binary with the closure serializer.
   * It must not carry the SQL scan and its schema: a 3,000-column CSV and a 10-column one give
   * lineages within a few KB of each other.
   */
  @Test
  void theBlocksLineageDoesNotGrowWithTheSchemasWidth() throws IOException {
    long narrow = lineageBytes(wide("narrow", 10));
    long wide = lineageBytes(wide("wide", 3000));
    assertTrue(Math.abs(wide - narrow) < 4096, "serialized lineage: " + narrow
        + " bytes for 10 columns, " + wide + " bytes for 3000");
    assertTrue(wide < 32768, "a small task binary: " + wide + " bytes");
  }

  private Dataset<Row> wide(String name, int columns) throws IOException {
    StringBuilder sb = new StringBuilder("label");
    for (int c = 0; c < columns; c++) {
      sb.append(",pixel").append(c);
    }
    sb.append('\n');
    for (int r = 0; r < 20; r++) {
      sb.append(r);
      for (int c = 0; c < columns; c++) {
        sb.append(',').append((r + c) % 10 / 10.0);
      }
      sb.append('\n');
    }
    Path file = tmp.resolve(name + ".csv");
    Files.writeString(file, sb);
    return spark.read().option("header", true).csv(file.toString())
        .withColumn(FrameSources.FILE_COLUMN, functions.input_file_name());
  }

  private static long lineageBytes(Dataset<Row> df) {
    List<String> features = new ArrayList<>(List.of(df.columns()));
    features.remove("label");
    features.remove(FrameSources.FILE_COLUMN);
    DataFrameBlocks.Converted c = convert(df, features, 2);
    try {
      // What an iteration's job serializes: a map over the blocks, with its lineage.
      RDD<?> job = c.blocks().map(ExampleBlock::count).rdd();
      return SparkEnv.get().closureSerializer().newInstance()
          .serialize(job, ClassTag$.MODULE$.AnyRef()).limit();
    } finally {
      c.blocks().unpersist(false);
    }
  }
}
