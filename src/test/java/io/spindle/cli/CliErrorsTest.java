package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad command lines and configs: one line naming the problem, a non-zero exit, no stack trace,
 * no model. All of these fail before Spark starts.
 */
class CliErrorsTest {

  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {}

  static Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SpindleCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Run train(String config, String... sets) {
    List<String> args = new ArrayList<>(List.of("train", "--config", config, "--output",
        tmp.resolve("out").toString()));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return cli(args.toArray(String[]::new));
  }

  private void assertOneLineError(Run r, String... fragments) {
    assertNotEquals(0, r.code(), "exit code");
    String err = r.err().strip();
    assertEquals(1, err.lines().count(), "exactly one line on stderr, got:\n" + r.err());
    assertFalse(err.contains("\tat "), "no stack trace");
    assertTrue(err.startsWith("spindle "), err);
    for (String f : fragments) {
      assertTrue(err.contains(f), "'" + f + "' in: " + err);
    }
    assertFalse(Files.exists(tmp.resolve("out/model")), "no model written");
  }

  @Test
  void missingConfigFile() {
    assertOneLineError(train(tmp.resolve("nope.conf").toString()), "nope.conf", "does not exist");
  }

  @Test
  void unknownKey() {
    assertOneLineError(train("conf/lenet5-mnist.conf", "training.epoch=2"),
        "unknown config key 'training.epoch'", "training.epochs");
  }

  @Test
  void unknownKeyInFileNamesTheLine() throws IOException {
    Path conf = tmp.resolve("typo.conf");
    Files.writeString(conf, "include file(\"" + Path.of("conf/lenet5-mnist.conf").toAbsolutePath()
        + "\")\ntraining { batchsize = 32 }\n");
    assertOneLineError(train(conf.toString()), "training.batchsize", "typo.conf:2");
  }

  @Test
  void wrongValueType() {
    assertOneLineError(train("conf/lenet5-mnist.conf", "training.epochs=many"),
        "training.epochs", "many");
  }

  @Test
  void missingDataFile() {
    assertOneLineError(train("conf/lenet5-mnist.conf", "data.train=data/mnist/missing-images-idx3-ubyte.gz"),
        "data.train", "missing-images-idx3-ubyte.gz");
  }

  @Test
  void inputShapeThatDoesNotMatchTheData() {
    // A valid network for 3x32x32 inputs, but MNIST images have 1x28x28 = 784 values.
    assertOneLineError(train("conf/lenet5-mnist.conf", "data.input-shape=[3,32,32]",
        "data.limit=100"), "data.input-shape", "784");
  }

  @Test
  void impossibleNetworkNamesTheLayer() {
    assertOneLineError(train("conf/lenet5-mnist.conf", "data.input-shape=[1,8,8]"),
        "model.layers", "conv2d");
  }

  @Test
  void unwritableOutputDirectory() throws IOException {
    Path file = tmp.resolve("a-file");
    Files.writeString(file, "x");
    Run r = cli("train", "--config", "conf/lenet5-mnist.conf", "--output",
        file.resolve("sub").toString());
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("not writable"), r.err());
  }

  @Test
  void usageErrorsPointToHelp() {
    Run r = cli("train", "--config");
    assertEquals(SpindleCli.USAGE, r.code());
    assertTrue(r.err().contains("--config needs a value"), r.err());
    r = cli("fly");
    assertEquals(SpindleCli.USAGE, r.code());
    assertTrue(r.err().contains("unknown command 'fly'"), r.err());
    r = cli("train", "--output", tmp.toString());
    assertTrue(r.err().contains("--config FILE is required"), r.err());
  }

  @Test
  void helpForEveryCommandExitsZero() {
    for (String command : List.of("train", "evaluate", "predict", "summary", "export", "import")) {
      Run r = cli(command, "--help");
      assertEquals(0, r.code(), command);
      assertTrue(r.out().startsWith("Usage: spindle " + command), r.out());
    }
    assertEquals(0, cli("--help").code());
  }

  @Test
  void summaryPrintsTheNetworkTable() {
    Run r = cli("summary", "--config", "conf/lenet5-mnist.conf");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("total parameters: 61,706"), r.out());
    assertTrue(r.out().contains("conv2d"), r.out());
  }

  @Test
  void verboseAddsTheStackTrace() {
    Run r = cli("train", "--verbose", "--config", "conf/lenet5-mnist.conf", "--output",
        tmp.resolve("out").toString(), "--set", "data.train=data/mnist/nothing-images-idx3.gz");
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("\tat "), "stack trace with --verbose");
  }
}
