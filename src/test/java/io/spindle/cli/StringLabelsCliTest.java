package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV label columns holding class names: indexed like Spark ML's StringIndexer (most frequent
 * first, ties alphabetical), the names kept in the model, and evaluate and predict showing them.
 */
class StringLabelsCliTest {

  private static final List<String> NAMES = List.of("bird", "cat", "dog");

  @TempDir
  Path tmp;

  /**
   * Rows of two features around a centre per class; class c appears {@code counts[c]} times in
   * every block of rows, so the frequencies are exact.
   */
  private static void writeCsv(Path file, int blocks, int[] counts, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder("a,species,b\n");
    for (int r = 0; r < blocks; r++) {
      for (int c = 0; c < NAMES.size(); c++) {
        for (int k = 0; k < counts[c]; k++) {
          double a = 2.0 * c + 0.4 * rng.nextGaussian();
          double b = (c % 2 == 0 ? 1 : -1) + 0.4 * rng.nextGaussian();
          sb.append(String.format("%.4f,%s,%.4f%n", a, NAMES.get(c), b));
        }
      }
    }
    Files.writeString(file, sb);
  }

  private Path conf(Path train, Path test) throws IOException {
    Path conf = tmp.resolve("species.conf");
    Files.writeString(conf, """
        data { format = csv, train = "%s", test = "%s", input-shape = [2], label-col = species }
        model.layers = [{ type = dense, units = 16 }, { type = relu }, { type = dense, units = 3 }]
        training { epochs = 6, batch-size = 16, learning-rate = 0.02 }
        spark.master = "local[2]"
        """.formatted(train, test));
    return conf;
  }

  private static CliErrorsTest.Run ok(String... args) {
    CliErrorsTest.Run r = CliErrorsTest.cli(args);
    assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err() + r.out());
    return r;
  }

  @Test
  void classNamesAreIndexedByFrequencyKeptInTheModelAndShownByEvaluateAndPredict()
      throws IOException {
    Path train = tmp.resolve("train.csv");
    Path test = tmp.resolve("test.csv");
    // dog most frequent; bird and cat tie, so alphabetical: dog=0, bird=1, cat=2.
    writeCsv(train, 40, new int[] {3, 3, 4}, 1);
    writeCsv(test, 10, new int[] {1, 1, 1}, 2);
    Path conf = conf(train, test);
    Path run = tmp.resolve("run");
    ok("train", "--config", conf.toString(), "--output", run.toString());
    ObjectMapper json = new ObjectMapper();
    assertEquals("[\"dog\",\"bird\",\"cat\"]", json.readTree(run.resolve("model/model.json")
        .toFile()).path("metadata").path("classes").toString());
    assertTrue(json.readTree(run.resolve("summary.json").toFile()).path("test_accuracy")
        .asDouble() > 0.9);

    Path eval = tmp.resolve("eval");
    CliErrorsTest.Run e = ok("evaluate", "--model", run.resolve("model").toString(),
        "--output", eval.toString());
    assertTrue(e.out().contains("recall per class: dog ") && e.out().contains(", bird ")
        && e.out().contains(", cat "), e.out());
    List<String> confusion = Files.readAllLines(eval.resolve("confusion-matrix.csv"));
    assertEquals("true\\predicted,dog,bird,cat", confusion.get(0));
    assertTrue(confusion.get(1).startsWith("dog,"), confusion.toString());
    assertTrue(Files.readString(eval.resolve("per-class.csv")).contains("\nbird,10,"));

    Path pred = tmp.resolve("pred");
    CliErrorsTest.Run p = ok("predict", "--model", run.resolve("model").toString(),
        "--output", pred.toString());
    assertTrue(p.out().contains("probabilities of dog, bird, cat"), p.out());
    List<String> rows = new ArrayList<>();
    String header = null;
    try (var files = Files.list(pred.resolve("predictions.csv"))) {
      for (Path part : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
        List<String> lines = Files.readAllLines(part);
        if (!lines.isEmpty()) {
          header = lines.get(0);
          rows.addAll(lines.subList(1, lines.size()));
        }
      }
    }
    assertEquals("index,label,prediction,p0,p1,p2", header);
    assertEquals(30, rows.size());
    long right = 0;
    for (String row : rows) {
      String[] f = row.split(",");
      assertTrue(NAMES.contains(f[1]) && NAMES.contains(f[2]), row);
      right += f[1].equals(f[2]) ? 1 : 0;
    }
    assertTrue(right >= 27, right + " of 30 right");
  }

  @Test
  void unknownClassAndTooManyClassesFailWithOneLine() throws IOException {
    Path train = tmp.resolve("train.csv");
    writeCsv(train, 10, new int[] {1, 1, 1}, 3);
    Path test = tmp.resolve("test.csv");
    Files.writeString(test, "a,species,b\n0.1,cat,1.0\n0.2,fish,1.0\n");
    Path run = tmp.resolve("run");
    CliErrorsTest.Run r = CliErrorsTest.cli("train", "--config", conf(train, test).toString(),
        "--output", run.toString());
    String err = r.err().strip();
    assertEquals(2, r.code(), err);
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.contains("'fish'") && err.contains("bird, cat, dog") && err.contains(
        "data.test (" + test), err);

    Files.writeString(train, Files.readString(train) + "0.5,fish,0.5\n");
    r = CliErrorsTest.cli("train", "--config", conf(train, test).toString(), "--set",
        "model.layers=[{type=dense,units=3}]", "--output", run.toString());
    err = r.err().strip();
    assertEquals(2, r.code(), err);
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.contains("4 classes") && err.contains("3 outputs"), err);
  }
}
