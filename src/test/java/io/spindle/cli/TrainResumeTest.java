package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.io.Checkpoint;
import io.spindle.io.ResumeHarness;
import io.spindle.io.SpindleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle train --resume} through the CLI entry point, embedded Spark local[2] with 3
 * partitions. The state a killed run leaves on disk is reproduced by deleting the checkpoints
 * after the one the "kill" followed, adding a half-written newest checkpoint (no descriptor) and
 * a stale temporary directory; the real SIGKILL of a driver is
 * cluster.SpindleTrainingIT#aKilledDriverResumesFromItsCheckpointsToTheSameWeights.
 */
class TrainResumeTest {

  @TempDir
  static Path tmp;
  static Path conf;
  static Path reference;
  static CliErrorsTest.Run referenceRun;

  /** 1,200 MNIST images, batch 100: 12 iterations per epoch, 24 in all; dropout; Adam. */
  static String config(Path checkpoints) {
    Path project = Path.of("").toAbsolutePath();
    return "include file(\"" + project.resolve("conf/mlp-mnist.conf") + "\")\n"
        + "data {\n"
        + "  train = \"" + project.resolve("data/mnist/train-images-idx3-ubyte.gz") + "\"\n"
        + "  test = \"" + project.resolve("data/mnist/t10k-images-idx3-ubyte.gz") + "\"\n"
        + "  limit = 1200\n  test-limit = 300\n}\n"
        + "model.layers = [{type = dense, units = 32}, {type = relu}, {type = dropout, rate = 0.2},"
        + " {type = dense, units = 10}]\n"
        + "training { epochs = 2, batch-size = 100, seed = 7 }\n"
        + "spark { master = \"local[2]\", partitions = 3 }\n"
        + "checkpoint { dir = \"" + checkpoints + "\", every-iterations = 5, keep = 10 }\n";
  }

  static CliErrorsTest.Run train(Path output, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--output", output.toString()));
    args.addAll(Arrays.asList(extra));
    return CliErrorsTest.cli(args.toArray(String[]::new));
  }

  static final String TABLE = "resume";

  @BeforeAll
  static void uninterruptedRun() throws IOException {
    BadInputTable.start(TABLE, "Resume (spindle train --resume)");
    conf = tmp.resolve("job.conf");
    Files.writeString(conf, config(tmp.resolve("ref-ckpt")));
    reference = tmp.resolve("ref");
    referenceRun = train(reference, "--config", conf.toString());
    assertEquals(0, referenceRun.code(), referenceRun.err());
  }

  static float[] weights(Path output) throws IOException {
    return SpindleModel.load(output.resolve("model")).params();
  }

  /** metrics.csv without the timing columns (images_per_second, elapsed_seconds). */
  static List<String> metricsWithoutTimes(Path output) throws IOException {
    return Files.readAllLines(output.resolve("metrics.csv")).stream()
        .map(l -> String.join(",", Arrays.copyOf(l.split(",", -1), 6))).toList();
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theUninterruptedRunWroteCheckpointsOnSchedule() throws IOException {
    // Every 5 iterations (5, 10, 15, 20), every epoch (12, 24), the final one (24).
    assertEquals(List.of("ckpt-000000000005", "ckpt-000000000010", "ckpt-000000000012",
        "ckpt-000000000015", "ckpt-000000000020", "ckpt-000000000024"),
        names(tmp.resolve("ref-ckpt")));
    assertTrue(referenceRun.out().contains("checkpoint ckpt-000000000012 written"), referenceRun.out());
  }

  @Test
  void aRunKilledAfterACheckpointResumesToTheSameModel() throws IOException {
    for (int kept : new int[] {5, 12, 15}) {
      // What a driver killed between checkpoint `kept` and the next leaves behind.
      Path ckpt = tmp.resolve("killed-" + kept + "/ckpt");
      Path out = tmp.resolve("killed-" + kept + "/out");
      copyTree(tmp.resolve("ref-ckpt"), ckpt);
      for (String name : names(ckpt)) {
        if (Long.parseLong(name.substring(5)) > kept) {
          deleteTree(ckpt.resolve(name));
        }
      }
      Path halfWritten = ckpt.resolve(Checkpoint.name(kept + 1));
      Files.createDirectories(halfWritten);
      Files.write(halfWritten.resolve("parameters.f32"), new byte[100]);
      Path staleTmp = ckpt.resolve(".ckpt-000000000099.tmp-0d7f3c1e-1111-2222-3333-444455556666");
      Files.createDirectories(staleTmp);

      CliErrorsTest.Run r = train(out, "--resume", ckpt.toString());
      BadInputTable.row(TABLE, tmp, "--resume after checkpoint " + kept + ", newest checkpoint "
          + "half-written (no descriptor): warning, then trains", r.code(), r.err());
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("resuming from ") && r.out().contains(
          ckpt.resolve(Checkpoint.name(kept)) + ": iteration " + kept + " of 24"), r.out());
      assertTrue(r.err().contains("warning: skipping corrupt checkpoint")
          && r.err().contains(Checkpoint.name(kept + 1)) && r.err().contains("no checkpoint.json"),
          r.err());
      assertArrayEquals(ResumeHarness.bits(weights(reference)), ResumeHarness.bits(weights(out)),
          "resumed after checkpoint " + kept);
      assertEquals(metricsWithoutTimes(reference), metricsWithoutTimes(out));
      assertFalse(Files.exists(staleTmp), "stale temporaries are removed");
      assertTrue(names(ckpt).contains(Checkpoint.name(24)), "new checkpoints in the --resume dir");
    }
  }

  @Test
  void resumingAFinishedRunOnlyRewritesTheOutputs() throws IOException {
    Path out = tmp.resolve("finished/out");
    copyTree(tmp.resolve("ref-ckpt"), tmp.resolve("finished/ckpt"));
    CliErrorsTest.Run r = train(out, "--resume", tmp.resolve("finished/ckpt").toString());
    assertEquals(0, r.code(), r.err());
    assertArrayEquals(ResumeHarness.bits(weights(reference)), ResumeHarness.bits(weights(out)));
    assertEquals(metricsWithoutTimes(reference), metricsWithoutTimes(out));
  }

  @Test
  void aResumeThatWouldNotBeExactIsRefusedBeforeTraining() throws IOException {
    Path ckpt = tmp.resolve("ref-ckpt");
    record Case(List<String> args, String[] fragments) {}
    List<Case> cases = List.of(
        new Case(List.of("--set", "training.batch-size=50"),
            new String[] {"training.batch-size is 50 here but 100 in the checkpoint"}),
        new Case(List.of("--set", "training.learning-rate=0.01"),
            new String[] {"the optimizer settings differ"}),
        new Case(List.of("--set", "data.limit=1100"),
            new String[] {"data.limit is 1100 here but 1200"}),
        new Case(List.of("--set", "spark.partitions=2"),
            new String[] {"spark.partitions is 2 here but 3 in the checkpoint"}),
        new Case(List.of("--set", "data.train=" + Path.of("data/mnist/t10k-images-idx3-ubyte.gz")
            .toAbsolutePath()), new String[] {"is not the data checkpoint", "fingerprint"}));
    for (Case c : cases) {
      Path out = tmp.resolve("refused");
      List<String> args = new ArrayList<>(List.of("--resume", ckpt.toString()));
      args.addAll(c.args());
      CliErrorsTest.Run r = train(out, args.toArray(String[]::new));
      BadInputTable.row(TABLE, tmp, "--resume with " + String.join(" ", c.args()), r.code(), r.err());
      assertNotEquals(0, r.code(), c.args().toString());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      for (String f : c.fragments()) {
        assertTrue(r.err().contains(f), "'" + f + "' in " + r.err());
      }
      assertFalse(Files.exists(out.resolve("model")));
    }
  }

  @Test
  void aMissingOrEmptyCheckpointDirectoryIsRefused() throws IOException {
    CliErrorsTest.Run r = train(tmp.resolve("x"), "--resume", tmp.resolve("nothing-here").toString());
    BadInputTable.row(TABLE, tmp, "--resume of a directory without checkpoints", r.code(), r.err());
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("no checkpoint in") && r.err().contains("nothing-here"), r.err());
  }

  @Test
  void aCheckpointOfAnotherFormatVersionIsRefusedNotSkipped() throws IOException {
    Path ckpt = tmp.resolve("version/ckpt");
    copyTree(tmp.resolve("ref-ckpt"), ckpt);
    Path desc = ckpt.resolve(Checkpoint.name(24)).resolve("checkpoint.json");
    Files.writeString(desc, Files.readString(desc).replace("\"version\" : 1", "\"version\" : 2"));
    CliErrorsTest.Run r = train(tmp.resolve("version/out"), "--resume", ckpt.toString());
    BadInputTable.row(TABLE, tmp, "--resume, newest checkpoint.json declares version 2", r.code(), r.err());
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("format version 2") && r.err().contains("reads checkpoint version 1"),
        r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    io.spindle.io.AtomicFiles.deleteRecursively(dir);
  }
}
