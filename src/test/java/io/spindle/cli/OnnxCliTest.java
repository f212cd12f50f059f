package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import io.spindle.onnx.OnnxBadFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle export} and {@code spindle import} through the CLI entry point: a model goes out
 * and comes back; an imported model evaluates and fine-tunes ({@code train --init-model}) in
 * embedded Spark; every bad file and misuse is one line on stderr and a non-zero exit
 * (target/bad-inputs/onnx.md lists them).
 */
class OnnxCliTest {

  @TempDir
  static Path tmp;
  static Path lenetDir;
  static SpindleModel lenet;
  static final String TABLE = "onnx";

  static NetworkSpec lenet5() {
    return NetworkSpec.builder().input(1, 28, 28)
        .conv(6, 5).pad(2).relu().maxPool(2)
        .conv(16, 5).relu().maxPool(2)
        .flatten().dense(120).relu().dense(84).relu().dense(10).build();
  }

  @BeforeAll
  static void model() throws Exception {
    BadInputTable.start(TABLE, "ONNX import and export (spindle import / export)");
    NetworkSpec spec = lenet5();
    lenet = new SpindleModel(spec, spec.initParams(9), JsonNodeFactory.instance.objectNode());
    lenetDir = tmp.resolve("lenet");
    lenet.save(lenetDir);
  }

  static CliErrorsTest.Run cli(String... args) {
    return CliErrorsTest.cli(args);
  }

  static void assertOneLineError(String input, CliErrorsTest.Run r, String... fragments) {
    BadInputTable.row(TABLE, tmp, input, r.code(), r.err());
    assertNotEquals(0, r.code(), "exit code");
    String err = r.err().strip();
    assertEquals(1, err.lines().count(), "exactly one line on stderr, got:\n" + r.err());
    assertFalse(err.contains("\tat "), "no stack trace");
    for (String f : fragments) {
      assertTrue(err.contains(f), "'" + f + "' in: " + err);
    }
  }

  @Test
  void exportThenImportGivesTheSameModel() throws Exception {
    Path onnx = tmp.resolve("out/lenet.onnx");
    CliErrorsTest.Run e = cli("export", "--model", lenetDir.toString(), "--output", onnx.toString());
    assertEquals(0, e.code(), e.err());
    assertTrue(e.out().contains("ONNX opset 17") && e.out().contains("input 'input' [N, 1, 28, 28], outputs 'logits', 'probabilities'"), e.out());
    CliErrorsTest.Run i = cli("import", "--onnx", onnx.toString(), "--output", tmp.resolve("back").toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("total parameters: 61,706"), i.out());
    SpindleModel back = SpindleModel.load(tmp.resolve("back"));
    assertArrayEquals(lenet.params(), back.params());
    assertEquals(0, cli("summary", "--model", tmp.resolve("back").toString()).code());
  }

  @TestFactory
  Stream<DynamicTest> badFilesAreOneLineAndANonZeroExit() throws Exception {
    return OnnxBadFiles.all().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      Path file = tmp.resolve("bad-" + e.getKey().replaceAll("[^a-z]", "-") + ".onnx");
      Files.write(file, (byte[]) e.getValue()[0]);
      Path out = tmp.resolve("bad-out");
      CliErrorsTest.Run r = cli("import", "--onnx", file.toString(), "--output", out.toString());
      assertOneLineError(e.getKey(), r, "spindle import: error: ", file.toString(),
          (String) e.getValue()[1]);
      assertFalse(Files.exists(out), "no model written");
    }));
  }

  @Test
  void misuseIsOneLine() throws Exception {
    assertOneLineError("export without --output",
        cli("export", "--model", lenetDir.toString()), "--output FILE.onnx is required");
    assertOneLineError("export to a directory",
        cli("export", "--model", lenetDir.toString(), "--output", tmp.toString()), "is a directory");
    assertOneLineError("export of a missing model",
        cli("export", "--model", tmp.resolve("nope").toString(), "--output", tmp.resolve("x.onnx").toString()),
        "is not a model directory");
    assertOneLineError("import of a missing file",
        cli("import", "--onnx", tmp.resolve("nope.onnx").toString(), "--output", tmp.resolve("y").toString()),
        "is not a file");
    assertOneLineError("import without --onnx", cli("import", "--output", tmp.resolve("y").toString()),
        "--onnx FILE.onnx is required");
    assertOneLineError("--onnx on train", cli("train", "--onnx", "x.onnx"), "--onnx applies to import only");
    assertOneLineError("--init-model with --resume", cli("train", "--init-model", lenetDir.toString(),
        "--resume", tmp.toString(), "--output", tmp.resolve("z").toString()), "cannot be combined");
    assertOneLineError("--init-model whose layers do not match model.layers", cli("train",
        "--config", "conf/mlp-mnist.conf", "--init-model", lenetDir.toString(),
        "--output", tmp.resolve("z").toString()), "--init-model", "set data.input-shape to match");
    assertOneLineError("--init-model with other layers", cli("train",
        "--config", "conf/cnn-large-mnist.conf", "--init-model", lenetDir.toString(),
        "--output", tmp.resolve("z").toString()), "model.layers[0] (conv2d, 320 parameters) does not "
        + "match the model's layer 1 (conv2d, 156 parameters)");
  }

  /**
   * A graph written by another exporter is imported, evaluated, and fine-tuned from: with a
   * learning rate of 1e-12 the fine-tuned weights are the imported ones (to 1e-6), so training
   * started from them; from scratch they would differ by the initial weights' scale.
   */
  @Test
  void anImportedModelEvaluatesAndFineTunes() throws Exception {
    Path onnx = tmp.resolve("torch.onnx");
    Files.write(onnx, OnnxBadFiles.torchCnn());
    Path imported = tmp.resolve("torch-model");
    assertEquals(0, cli("import", "--onnx", onnx.toString(), "--output", imported.toString()).code());
    String[] data = {"--set", "data.limit=256", "--set", "data.test-limit=200", "--set",
        "spark.master=local[2]", "--set", "training.epochs=1", "--set", "training.eval-every-epochs=0"};
    CliErrorsTest.Run ev = cli(concat(new String[] {"evaluate", "--model", imported.toString(),
        "--config", "conf/lenet5-mnist.conf", "--output", tmp.resolve("eval").toString()}, data));
    assertEquals(0, ev.code(), ev.err());
    assertTrue(Files.exists(tmp.resolve("eval/confusion-matrix.csv")));
    Path ft = tmp.resolve("fine-tuned");
    CliErrorsTest.Run t = cli(concat(new String[] {"train", "--config", "conf/lenet5-mnist.conf",
        "--set", "model.layers=[]", "--set", "training.learning-rate=1e-12",
        "--set", "training.lr-schedule.type=constant",
        "--init-model", imported.toString(), "--output", ft.toString()}, data));
    assertEquals(0, t.code(), t.err());
    SpindleModel start = SpindleModel.load(imported);
    SpindleModel tuned = SpindleModel.load(ft.resolve("model"));
    assertEquals(io.spindle.config.NetworkConfig.toMap(start.spec()),
        io.spindle.config.NetworkConfig.toMap(tuned.spec()), "the imported network, dropout included");
    float max = 0;
    for (int i = 0; i < start.params().length; i++) {
      max = Math.max(max, Math.abs(start.params()[i] - tuned.params()[i]));
    }
    assertTrue(max > 0 && max < 1e-6, "fine-tuning moved the imported weights by " + max);
    assertEquals(imported.toString(), tuned.metadata().path("init-model").asText());
  }

  static String[] concat(String[] a, String[] b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }

}
