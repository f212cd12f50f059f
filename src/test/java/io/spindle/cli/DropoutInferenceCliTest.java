package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dropout is the identity at inference: {@code spindle evaluate} and {@code spindle predict} of a
 * model with dropout layers give exactly what the same weights give without them (the ML API's
 * transform: ml.SpindleClassifierTest#transformIgnoresDropout).
 */
class DropoutInferenceCliTest {

  @TempDir
  Path tmp;

  /** Heavy dropout (0.3 on the input, 0.5 hidden), so any of it left on moves every output. */
  static final NetworkSpec WITH_DROPOUT = NetworkSpec.builder().input(784)
      .dropout(0.3).dense(32).relu().dropout(0.5).dense(10).build();
  static final NetworkSpec WITHOUT = NetworkSpec.builder().input(784)
      .dense(32).relu().dense(10).build();

  private CliErrorsTest.Run run(String command, Path model, Path out) {
    CliErrorsTest.Run r = CliErrorsTest.cli(command, "--model", model.toString(),
        "--config", "conf/mlp-mnist.conf", "--output", out.toString(),
        "--set", "spark.master=local[2]", "--set", "data.test-limit=300");
    assertEquals(0, r.code(), command + ": " + r.err() + r.out());
    return r;
  }

  /** The predictions' rows (header dropped), sorted: one per example, with its index. */
  private static List<String> predictions(Path out) throws IOException {
    List<String> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(out.resolve("predictions.csv"))) {
      for (Path part : files.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        List<String> lines = Files.readAllLines(part);
        if (!lines.isEmpty()) {
          rows.addAll(lines.subList(1, lines.size()));
        }
      }
    }
    return rows.stream().sorted().toList();
  }

  @Test
  void evaluateAndPredictIgnoreDropout() throws IOException {
    assertEquals(WITHOUT.paramCount(), WITH_DROPOUT.paramCount());
    float[] params = WITH_DROPOUT.initParams(3);
    Path dropout = tmp.resolve("dropout");
    Path plain = tmp.resolve("plain");
    SpindleModel.save(dropout, WITH_DROPOUT, params, Map.of());
    SpindleModel.save(plain, WITHOUT, params, Map.of());

    run("evaluate", dropout, tmp.resolve("eval-dropout"));
    run("evaluate", plain, tmp.resolve("eval-plain"));
    ObjectMapper json = new ObjectMapper();
    JsonNode a = json.readTree(tmp.resolve("eval-dropout/evaluation.json").toFile());
    JsonNode b = json.readTree(tmp.resolve("eval-plain/evaluation.json").toFile());
    assertEquals(300, a.path("examples").asInt());
    // The same float computations in the same order: equal to the last bit.
    assertEquals(b.path("loss").asDouble(), a.path("loss").asDouble(), 0.0, "evaluate's loss");
    assertEquals(b.path("accuracy").asDouble(), a.path("accuracy").asDouble(), 0.0);
    assertEquals(Files.readString(tmp.resolve("eval-plain/confusion-matrix.csv")),
        Files.readString(tmp.resolve("eval-dropout/confusion-matrix.csv")));

    run("predict", dropout, tmp.resolve("pred-dropout"));
    run("predict", plain, tmp.resolve("pred-plain"));
    List<String> withDropout = predictions(tmp.resolve("pred-dropout"));
    assertEquals(300, withDropout.size());
    assertTrue(withDropout.get(0).split(",").length == 13, withDropout.get(0));
    List<String> plainRows = predictions(tmp.resolve("pred-plain"));
    assertEquals(plainRows.size(), withDropout.size());
    for (int i = 0; i < plainRows.size(); i++) {
      assertEquals(plainRows.get(i), withDropout.get(i), "predict's row " + i);
    }
  }
}
