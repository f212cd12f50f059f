package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.io.CheckpointStore;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad data and bad directories through {@code SpindleCli.run}: each is refused before any Spark
 * job runs, with one line on stderr naming the file (and the row or column where it applies)
 * and what to do, a non-zero exit code, no stack trace and no model. A good data set with the
 * same config trains (so the refusals are not the config's fault). Every case is also written to
 * target/bad-inputs/data-validation.md.
 */
class DataValidationCliTest {

  static final String TABLE = "data-validation";

  @TempDir
  static Path tmp;

  @BeforeAll
  static void table() {
    BadInputTable.start(TABLE, "Data and directory validation (spindle train)");
  }

  /** A 4-feature, 3-class MLP on CSV data, embedded local[2]. */
  static Path csvConfig(String extra) throws IOException {
    Path conf = Files.createTempFile(tmp, "csv", ".conf");
    Files.writeString(conf, """
        data { format = csv, test = "", input-shape = [4] }
        model {
          loss = softmax-cross-entropy
          layers = [{type = dense, units = 8}, {type = relu}, {type = dense, units = 3}]
        }
        training { epochs = 1, batch-size = 2, seed = 1 }
        spark { master = "local[2]" }
        """ + extra);
    return conf;
  }

  static Path file(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  static final String GOOD = "label,a,b,c,d\n0,0.1,0.2,0.3,0.4\n1,1,2,3,4\n2,-1,0,1,2\n0,5,5,5,5\n1,0,0,0,1\n";

  /** Runs train and checks the one-line refusal; returns stderr. */
  static String refused(String input, List<String> args, String... fragments) {
    Path out = tmp.resolve("out-" + Math.abs(input.hashCode()));
    List<String> all = new ArrayList<>(List.of("train", "--output", out.toString()));
    all.addAll(args);
    CliErrorsTest.Run r = CliErrorsTest.cli(all.toArray(String[]::new));
    BadInputTable.row(TABLE, tmp, input, r.code(), r.err());
    assertNotEquals(0, r.code(), input);
    String err = r.err().strip();
    assertEquals(1, err.lines().count(), input + ": one line, got:\n" + r.err());
    assertFalse(err.contains("\tat ") || err.contains("Exception"), input + ": " + err);
    for (String f : fragments) {
      assertTrue(err.contains(f), input + ": '" + f + "' in: " + err);
    }
    assertFalse(Files.exists(out.resolve("model")), input + ": no model written");
    assertFalse(r.out().contains("spindle: training"), input + ": refused before training");
    return err;
  }

  static List<String> csv(Path data, String... sets) throws IOException {
    List<String> args = new ArrayList<>(List.of("--config", csvConfig("").toString(),
        "--set", "data.train=" + data));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return args;
  }

  @Test
  void aGoodCsvFileTrains() throws IOException {
    Path out = tmp.resolve("good-out");
    CliErrorsTest.Run r = CliErrorsTest.cli("train", "--output", out.toString(),
        "--config", csvConfig("").toString(), "--set", "data.train=" + file("good.csv", GOOD));
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(out.resolve("model/model.json")));
  }

  @Test
  void featureCountDifferentFromTheInputShape() throws IOException {
    refused("csv with 4 features, data.input-shape = [5]",
        csv(file("good2.csv", GOOD), "data.input-shape=[5]"),
        "good2.csv", "4 feature columns", "needs 5 values", "fix the input shape");
    refused("mnist-idx 28x28 images, data.input-shape = [400]",
        List.of("--config", "conf/mlp-mnist.conf", "--set", "data.input-shape=[400]",
            "--set", "data.limit=50"),
        "train-images-idx3-ubyte.gz", "784", "data.input-shape");
    refused("csv line with a missing column",
        csv(file("short-line.csv", GOOD + "1,2,3,4\n")),
        "short-line.csv");
  }

  @Test
  void labelsOutsideTheClasses() throws IOException {
    refused("csv label 3 with 3 output units",
        csv(file("label3.csv", GOOD + "3,1,1,1,1\n")),
        "label3.csv", "label column 'label' holds 3.0", "[0, 3)", "widen the last layer", "fix the labels");
    refused("csv label 1.5 (not a class index)",
        csv(file("label15.csv", GOOD + "1.5,1,1,1,1\n")), "holds 1.5", "label15.csv");
    refused("csv label -1", csv(file("labelneg.csv", "label,a,b,c,d\n-1,1,1,1,1\n" + GOOD.substring(GOOD.indexOf('\n') + 1))),
        "labelneg.csv", "holds -1.0");
    // MNIST-style idx pair: 2x2 images, labels 0..4; the network has 3 classes.
    Path images = idxImages("tiny-train-images-idx3-ubyte", 5, 2, 2);
    idxLabels("tiny-train-labels-idx1-ubyte", new byte[] {0, 1, 2, 4, 1});
    Path conf = Files.createTempFile(tmp, "idx", ".conf");
    Files.writeString(conf, """
        data { format = mnist-idx, test = "", input-shape = [1, 2, 2] }
        model { layers = [{type = flatten}, {type = dense, units = 3}] }
        spark.master = "local[2]"
        """);
    refused("mnist-idx labels file with label 4, 3 output units",
        List.of("--config", conf.toString(), "--set", "data.train=" + images),
        "label 4.0 of example 3 (row 4)", "tiny-train-labels-idx1-ubyte", "[0, 3)");
  }

  @Test
  void nanAndInfiniteValues() throws IOException {
    refused("csv feature NaN",
        csv(file("nan.csv", GOOD + "1,0.5,NaN,0.5,0.5\n")),
        "nan.csv", "column 'b' is NaN", "clean the data");
    refused("csv feature Infinity",
        csv(file("inf.csv", GOOD + "1,0.5,0.5,0.5,-Infinity\n")),
        "inf.csv", "column 'd' is -Infinity");
    refused("csv feature 1e39 (overflows float32)",
        csv(file("big.csv", GOOD + "1,1e39,0.5,0.5,0.5\n")),
        "big.csv", "column 'a'");
    refused("csv label NaN", csv(file("nanlabel.csv", GOOD + "NaN,1,1,1,1\n")),
        "nanlabel.csv", "label column 'label' is NaN");
    refused("csv value 'abc'", csv(file("text.csv", GOOD + "1,0.5,abc,0.5,0.5\n")),
        "text.csv", "abc");
    refused("NaN in the test set (data.test)",
        csv(file("good3.csv", GOOD), "data.test=" + file("nantest.csv", "label,a,b,c,d\n0,1,NaN,1,1\n")),
        "nantest.csv", "is NaN");
  }

  @Test
  void emptyDataSets() throws IOException {
    refused("empty csv file", csv(file("empty.csv", "")), "empty.csv", "has no label column");
    refused("csv with only a header", csv(file("header.csv", "label,a,b,c,d\n\n")),
        "header.csv", "holds no examples");
    Path images = idxImages("zero-images-idx3-ubyte", 0, 2, 2);
    idxLabels("zero-labels-idx1-ubyte", new byte[0]);
    refused("mnist-idx file declaring 0 images",
        List.of("--config", csvConfig("").toString(), "--set", "data.format=mnist-idx",
            "--set", "data.train=" + images),
        "zero-images-idx3-ubyte", "declares 0 images");
  }

  @Test
  void morePartitionsThanExamples() throws IOException {
    refused("5 examples, spark.partitions = 8",
        csv(file("five.csv", GOOD), "spark.partitions=8"),
        "five.csv has only 5 examples but spark.partitions = 8 would split it into 8 partitions",
        "use fewer partitions");
    refused("3 examples, spark.partitions = 0 on local[4] (one partition per core)",
        csv(file("three.csv", "label,a,b,c,d\n0,1,1,1,1\n1,2,2,2,2\n2,3,3,3,3\n"), "spark.master=local[4]"),
        "three.csv has only 3 examples", "4 partitions");
  }

  @Test
  void unwritableOutputAndCheckpointDirectories() throws IOException {
    Path aFile = file("a-file", "x");
    List<String> args = new ArrayList<>(csv(file("good4.csv", GOOD)));
    CliErrorsTest.Run r = CliErrorsTest.cli(concat(List.of("train", "--output",
        aFile.resolve("out").toString()), args));
    BadInputTable.row(TABLE, tmp, "--output under a regular file", r.code(), r.err());
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("output directory " + aFile.resolve("out")
        + " is not writable (Not a directory)")
        && r.err().contains("choose another --output"), r.err());
    r = CliErrorsTest.cli(concat(List.of("train", "--output", aFile.toString()), args));
    BadInputTable.row(TABLE, tmp, "--output is an existing regular file", r.code(), r.err());
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("is not writable (a file of that name exists)"), r.err());

    refused("checkpoint.dir under a regular file",
        csv(file("good5.csv", GOOD), "checkpoint.dir=" + aFile.resolve("ckpt")),
        "checkpoint directory file:" + aFile.resolve("ckpt") + " is not writable",
        "choose another checkpoint.dir");
    refused("checkpoint.dir with an unknown file system scheme",
        csv(file("good6.csv", GOOD), "checkpoint.dir=nosuchfs://host/ckpt"),
        "nosuchfs://host/ckpt", "No FileSystem for scheme", "use a local path");
    Path used = tmp.resolve("used-ckpt");
    CheckpointStore store = CheckpointStore.open(used.toString(), null);
    store.write(new io.spindle.io.CheckpointStoreTest().sample(10));
    refused("checkpoint.dir already holding another run's checkpoints",
        csv(file("good7.csv", GOOD), "checkpoint.dir=" + used),
        "already holds 1 checkpoint(s)", "--resume", "choose an empty checkpoint.dir");
    refused("data.train-labels set for csv data",
        csv(file("good8.csv", GOOD), "data.train-labels=labels.csv"),
        "data.train-labels is for mnist-idx", "leave data.train-labels empty");
  }

  @AfterAll
  static void done() {
    // The table is complete; nothing to clean (the temporary directory goes with the class).
  }

  static String[] concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all.toArray(String[]::new);
  }

  static Path idxImages(String name, int count, int rows, int cols) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000803);
    out.writeInt(count);
    out.writeInt(rows);
    out.writeInt(cols);
    for (int i = 0; i < count * rows * cols; i++) {
      out.writeByte(i * 37);
    }
    Path p = tmp.resolve(name);
    Files.write(p, bytes.toByteArray());
    return p;
  }

  static Path idxLabels(String name, byte[] labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000801);
    out.writeInt(labels.length);
    out.write(labels);
    Path p = tmp.resolve(name);
    Files.write(p, bytes.toByteArray());
    return p;
  }
}
