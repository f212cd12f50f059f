package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.data.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle train/evaluate/predict} on the DataFrame formats: CSV (a 3-channel CNN),
 * LIBSVM, Parquet, folders of images, and the one-line errors for bad rows. Each command runs
 * embedded Spark in local[2], as submit/spindle does.
 */
class FrameFormatsCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static CliErrorsTest.Run cli(List<String> args) {
    return CliErrorsTest.cli(args.toArray(String[]::new));
  }

  private CliErrorsTest.Run run(String command, Path conf, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of(command, "--config", conf.toString(),
        "--set", "spark.master=local[2]"));
    args.addAll(List.of("--output", out.toString()));
    args.addAll(List.of(extra));
    CliErrorsTest.Run r = cli(args);
    assertEquals(0, r.code(), command + " failed: " + r.err() + r.out());
    return r;
  }

  private static JsonNode json(Path file) throws IOException {
    return JSON.readTree(file.toFile());
  }

  /**
   * {@code n} 3x8x8 images as CSV rows (label, then 192 values: the R plane, G, B), 3 classes
   * by stripe orientation (horizontal, vertical, diagonal) in random colours.
   */
  static void writeStripeCsv(Path file, int n, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder("label");
    for (int i = 0; i < 192; i++) {
      sb.append(",v").append(i);
    }
    sb.append('\n');
    for (int e = 0; e < n; e++) {
      int cls = e % 3;
      double[] a = {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()};
      int phase = rng.nextInt(4);
      sb.append(cls);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 8; y++) {
          for (int x = 0; x < 8; x++) {
            int t = cls == 0 ? y : cls == 1 ? x : x + y;
            boolean on = ((t + phase) / 2) % 2 == 0;
            sb.append(',').append(on ? String.format("%.3f", a[c]) : String.format("%.3f", 1 - a[c]));
          }
        }
      }
      sb.append('\n');
    }
    Files.writeString(file, sb);
  }

  @Test
  void csvThreeChannelCnnTrainsEvaluatesAndPredicts() throws IOException {
    Path train = tmp.resolve("train.csv");
    Path test = tmp.resolve("test.csv");
    writeStripeCsv(train, 300, 1);
    writeStripeCsv(test, 90, 2);
    Path conf = tmp.resolve("cnn.conf");
    Files.writeString(conf, """
        data { format = csv, train = "%s", test = "%s", input-shape = [3, 8, 8] }
        model.layers = [
          { type = conv2d, filters = 6, kernel = 3, padding = 1 }
          { type = relu }
          { type = max-pool, size = 2 }
          { type = dense, units = 3 }
        ]
        training { epochs = 8, batch-size = 32, learning-rate = 0.01 }
        """.formatted(train, test));
    Path out = tmp.resolve("run");
    run("train", conf, out);
    JsonNode summary = json(out.resolve("summary.json"));
    assertTrue(summary.path("test_accuracy").asDouble() > 0.9, summary.toString());

    Path eval = tmp.resolve("eval");
    run("evaluate", conf, eval, "--model", out.resolve("model").toString());
    assertEquals(90, json(eval.resolve("evaluation.json")).path("examples").asInt());
    assertTrue(Files.exists(eval.resolve("confusion-matrix.csv")));

    Path pred = tmp.resolve("pred");
    run("predict", conf, pred, "--model", out.resolve("model").toString());
    List<String> lines = new ArrayList<>();
    try (var files = Files.list(pred.resolve("predictions.csv"))) {
      for (Path part : files.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        List<String> partLines = Files.readAllLines(part);
        if (!partLines.isEmpty()) {
          assertEquals("index,label,prediction,p0,p1,p2", partLines.get(0));
          lines.addAll(partLines.subList(1, partLines.size()));
        }
      }
    }
    assertEquals(90, lines.size());
    long right = lines.stream().map(l -> l.split(","))
        .filter(f -> Double.parseDouble(f[1]) == Double.parseDouble(f[2])).count();
    assertTrue(right > 80, right + " of 90 right");
  }

  @Test
  void libsvmTrainsAndEvaluates() throws IOException {
    // 50 sparse features; class c has its non-zeros mostly in features [15c, 15c + 15).
    SplittableRandom rng = new SplittableRandom(4);
    StringBuilder train = new StringBuilder();
    StringBuilder test = new StringBuilder();
    for (int e = 0; e < 450; e++) {
      int cls = e % 3;
      java.util.TreeMap<Integer, Double> values = new java.util.TreeMap<>();
      for (int k = 0; k < 4; k++) {
        values.put(15 * cls + rng.nextInt(15) + 1, 0.5 + rng.nextDouble());
      }
      values.put(rng.nextInt(50) + 1, rng.nextDouble());
      StringBuilder sb = e < 360 ? train : test;
      sb.append(cls);
      values.forEach((i, v) -> sb.append(' ').append(i).append(':').append(v));
      sb.append('\n');
    }
    Files.writeString(tmp.resolve("train.svm"), train);
    Files.writeString(tmp.resolve("test.svm"), test);
    Path conf = tmp.resolve("svm.conf");
    Files.writeString(conf, """
        data { format = libsvm, train = "%s", test = "%s", input-shape = [50] }
        model.layers = [{ type = dense, units = 16 }, { type = relu }, { type = dense, units = 3 }]
        training { epochs = 10, batch-size = 32, learning-rate = 0.01 }
        """.formatted(tmp.resolve("train.svm"), tmp.resolve("test.svm")));
    Path out = tmp.resolve("run");
    run("train", conf, out);
    Path eval = tmp.resolve("eval");
    run("evaluate", conf, eval, "--model", out.resolve("model").toString());
    JsonNode e = json(eval.resolve("evaluation.json"));
    assertEquals(90, e.path("examples").asInt());
    assertTrue(e.path("accuracy").asDouble() > 0.9, e.toString());
  }

  @Test
  void parquetVectorColumnTrainsAndPredictsToParquet() throws IOException {
    // Separate training and test files: predictions on held-out rows.
    Path data = tmp.resolve("train.parquet");
    Path held = tmp.resolve("test.parquet");
    SparkSession spark = SparkSession.builder().master("local[2]")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      SplittableRandom rng = new SplittableRandom(6);
      StructType schema = new StructType().add("id", DataTypes.StringType)
          .add("vec", SQLDataTypes.VectorType()).add("y", DataTypes.DoubleType);
      for (Path file : List.of(data, held)) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < (file == data ? 400 : 200); i++) {
          double[] x = {rng.nextDouble() * 2 - 1, rng.nextDouble() * 2 - 1, rng.nextDouble()};
          double label = x[0] * x[1] > 0 ? 1.0 : 0.0;
          rows.add(RowFactory.create("id" + i, Vectors.dense(x), label));
        }
        spark.createDataFrame(rows, schema).write().parquet(file.toString());
      }
    } finally {
      spark.stop();
    }
    Path conf = tmp.resolve("pq.conf");
    Files.writeString(conf, """
        data { format = parquet, train = "%s", test = "%s", input-shape = [3],
               label-col = y, features-col = vec }
        model { loss = binary-cross-entropy
                layers = [{ type = dense, units = 16 }, { type = tanh }, { type = dense, units = 1 }] }
        training { epochs = 30, batch-size = 32, learning-rate = 0.02 }
        """.formatted(data, held));
    Path out = tmp.resolve("run");
    run("train", conf, out);
    Path pred = tmp.resolve("pred");
    run("predict", conf, pred, "--model", out.resolve("model").toString(), "--format", "parquet");
    SparkSession check = SparkSession.builder().master("local[1]")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Dataset<Row> p = check.read().parquet(pred.resolve("predictions.parquet").toString());
      assertEquals(List.of("index", "label", "prediction", "p0"), List.of(p.columns()));
      assertEquals(200, p.count());
      assertEquals(200, p.select("index").distinct().count());
      long right = p.where(functions.col("label").equalTo(functions.col("prediction"))).count();
      // XOR of the signs: a linear model gets ~50%, the tanh layer learns it.
      assertTrue(right > 0.85 * 200, right + " of 200 held-out rows right");
    } finally {
      check.stop();
    }
  }

  @Test
  void imageFoldersTrainEvaluateAndPredict() throws IOException {
    Path train = tmp.resolve("images/train");
    Path test = tmp.resolve("images/test");
    TestImages.writeStripes(train, 40, 1L);
    TestImages.writeStripes(test, 12, 2L);
    Path conf = tmp.resolve("img.conf");
    Files.writeString(conf, """
        data { format = image, train = "%s", test = "%s", input-shape = [3, 12, 12] }
        model.layers = [
          { type = conv2d, filters = 8, kernel = 3 }, { type = relu }, { type = max-pool, size = 2 }
          { type = dense, units = 2 }
        ]
        training { epochs = 20, batch-size = 16, learning-rate = 0.02 }
        """.formatted(train, test));
    Path out = tmp.resolve("run");
    run("train", conf, out);
    double testAccuracy = json(out.resolve("summary.json")).path("test_accuracy").asDouble();
    assertTrue(testAccuracy > 0.9, "test accuracy " + testAccuracy);
    Path eval = tmp.resolve("eval");
    run("evaluate", conf, eval, "--model", out.resolve("model").toString());
    JsonNode e = json(eval.resolve("evaluation.json"));
    assertEquals(24, e.path("examples").asInt(), "12 test images per class");
    // The trained model on the same test folders: the training run's last validation.
    assertEquals(testAccuracy, e.path("accuracy").asDouble(), 1e-12, e.toString());
    assertEquals(3, Files.readAllLines(eval.resolve("confusion-matrix.csv")).size(),
        "header and 2 classes");
    JsonNode classes = json(out.resolve("model/model.json")).path("metadata").path("classes");
    assertEquals("[\"horizontal\",\"vertical\"]", classes.toString());
    Path pred = tmp.resolve("pred");
    run("predict", conf, pred, "--model", out.resolve("model").toString());
    List<String> header = new ArrayList<>();
    try (var files = Files.list(pred.resolve("predictions.csv"))) {
      for (Path part : files.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        List<String> l = Files.readAllLines(part);
        if (!l.isEmpty()) {
          header.add(l.get(0));
        }
      }
    }
    assertFalse(header.isEmpty());
    assertEquals("index,origin,label,prediction,p0,p1", header.get(0));
  }

  @Test
  void badRowsFailWithOneLineNamingFileAndColumn() throws IOException {
    Path csv = tmp.resolve("bad.csv");
    Files.writeString(csv, "label,a,b\n0,1.0,2.0\n1,0.5,x\n");
    Path conf = tmp.resolve("bad.conf");
    Files.writeString(conf, """
        data { format = csv, train = "%s", test = "", input-shape = [2] }
        model.layers = [{ type = dense, units = 2 }]
        """.formatted(csv));
    CliErrorsTest.Run r = cli(List.of("train", "--config", conf.toString(), "--set",
        "spark.master=local[2]", "--output", tmp.resolve("out").toString()));
    String err = r.err().strip();
    assertEquals(2, r.code(), err);
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.contains("data.train (" + csv) && err.contains("column 'b'")
        && err.contains("bad.csv") && err.contains("holds 'x', not a number"), err);
    assertFalse(Files.exists(tmp.resolve("out/model")));

    Files.writeString(csv, "label,a,b\n0,1.0,2.0\n5,0.5,1.5\n");
    r = cli(List.of("train", "--config", conf.toString(), "--set", "spark.master=local[2]",
        "--output", tmp.resolve("out").toString()));
    err = r.err().strip();
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.contains("label column 'label' holds 5.0") && err.contains("[0, 2)"), err);
  }
}
