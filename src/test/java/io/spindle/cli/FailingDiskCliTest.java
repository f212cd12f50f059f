package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.cluster.JvmFlags;
import io.spindle.io.Checkpoint;
import io.spindle.io.CheckpointStore;
import io.spindle.io.FaultyFileSystem;
import io.spindle.io.ResumeHarness;
import io.spindle.io.SpindleModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failing disk under {@code spindle train}. Two kinds of failure, both honest about what they
 * are:
 *
 * <ul>
 *   <li>Real write failures from the kernel: the CLI runs in a child JVM under
 *       {@code ulimit -f} (RLIMIT_FSIZE), so a write past the limit fails midway with EFBIG
 *       ("File too large"), as a write to a full disk fails midway with ENOSPC. The limit is
 *       per file and below the size of the model and checkpoint arrays.</li>
 *   <li>A simulated full checkpoint disk ({@link FaultyFileSystem}, "No space left on device"
 *       after a byte budget), plugged in through {@code spark.hadoop.fs.faulty.impl}.</li>
 * </ul>
 *
 * In each case the earlier model and checkpoints stay intact and loadable, the run fails with
 * one line saying what happened and what is safe, and a later {@code --resume} finishes the run
 * with the uninterrupted weights.
 */
class FailingDiskCliTest {

  @TempDir
  static Path tmp;
  static Path reference;
  static Path referenceCheckpoints;

  static final String TABLE = "failing-disk";

  @BeforeAll
  static void uninterruptedRun() throws IOException {
    BadInputTable.start(TABLE, "A failing disk (spindle train)");
    referenceCheckpoints = tmp.resolve("ref-ckpt");
    Path conf = tmp.resolve("job.conf");
    Files.writeString(conf, TrainResumeTest.config(referenceCheckpoints));
    reference = tmp.resolve("ref");
    CliErrorsTest.Run r = TrainResumeTest.train(reference, "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
  }

  @AfterEach
  void reset() {
    FaultyFileSystem.reset();
    FaultyFileSystem.unregisterForSpark();
  }

  record Child(int code, String output) {}

  /** {@code spindle} in a child JVM whose files may not grow beyond {@code limitKiB}. */
  static Child childCli(int limitKiB, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", "-c",
        "ulimit -f " + limitKiB + " && exec \"$@\"", "bash",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    command.addAll(JvmFlags.list());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), SpindleCli.class.getName()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(tmp, "child", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    try {
      if (!p.waitFor(4, TimeUnit.MINUTES)) {
        throw new AssertionError("the child CLI did not finish in 4 minutes:\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    return new Child(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  static float[] weights(Path output) throws IOException {
    return SpindleModel.load(output.resolve("model")).params();
  }

  static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The line the CLI printed for the failure (the child's output also has Spark's log). */
  static String errorLine(String output) {
    return output.lines().filter(l -> l.startsWith("spindle train: error: ")).findFirst()
        .orElseThrow(() -> new AssertionError("no error line in:\n" + output));
  }

  @Test
  void theModelSaveFailingMidwayLeavesTheEarlierModelAndTheCheckpoints() throws Exception {
    // An earlier model in the output directory (other weights than this run's).
    Path out = tmp.resolve("model-fails/out");
    SpindleModel earlier = SpindleModel.load(reference.resolve("model"));
    float[] earlierWeights = earlier.params().clone();
    for (int i = 0; i < earlierWeights.length; i++) {
      earlierWeights[i] += 1f;
    }
    SpindleModel.save(out.resolve("model"), earlier.spec(), earlierWeights, java.util.Map.of());
    // A finished run's checkpoints: resuming writes no checkpoint, only the model.
    Path ckpt = tmp.resolve("model-fails/ckpt");
    TrainResumeTest.copyTree(referenceCheckpoints, ckpt);
    long paramsBytes = 4L * earlierWeights.length;
    assertTrue(paramsBytes > 60 * 1024, "the parameters file exceeds the 60 KiB limit");

    Child child = childCli(60, "train", "--resume", ckpt.toString(), "--output", out.toString());
    assertEquals(1, child.code(), child.output());
    String error = errorLine(child.output());
    BadInputTable.row(TABLE, tmp, "model save fails midway: `--resume` of a finished run in a "
        + "child JVM under `ulimit -f 60` (EFBIG), output holding an earlier model", child.code(), error);
    assertTrue(error.contains("cannot save the model to " + out.resolve("model"))
        && error.contains("File too large") && error.contains("any earlier model there is intact")
        && error.contains("the trained weights are in the final checkpoint in")
        && error.contains("--resume"), error);
    assertArrayEquals(earlierWeights, weights(out), "the earlier model is intact");
    assertEquals(List.of("metrics.csv", "metrics.jsonl", "model"), entries(out),
        "no temporary model directory left");
    assertEquals(24, CheckpointStore.open(ckpt.toString(), null).latestValid(w -> { }).iteration());

    // With space again, resuming the finished run writes the uninterrupted run's model.
    CliErrorsTest.Run again = TrainResumeTest.train(out, "--resume", ckpt.toString());
    assertEquals(0, again.code(), again.err());
    assertArrayEquals(ResumeHarness.bits(weights(reference)), ResumeHarness.bits(weights(out)));
  }

  @Test
  void aCheckpointWriteFailingMidwayStopsTheRunAndKeepsTheEarlierCheckpoints() throws Exception {
    // A run killed after checkpoint 10, resumed in a child whose files are limited to 60 KiB:
    // its next checkpoint (12) cannot be written.
    Path ckpt = tmp.resolve("ckpt-fails/ckpt");
    TrainResumeTest.copyTree(referenceCheckpoints, ckpt);
    for (String name : entries(ckpt)) {
      if (Long.parseLong(name.substring(5)) > 10) {
        TrainResumeTest.deleteTree(ckpt.resolve(name));
      }
    }
    Path out = tmp.resolve("ckpt-fails/out");
    Child child = childCli(60, "train", "--resume", ckpt.toString(), "--output", out.toString());
    assertEquals(1, child.code(), child.output());
    String error = errorLine(child.output());
    BadInputTable.row(TABLE, tmp, "checkpoint write fails midway: `--resume` after checkpoint 10 in"
        + " a child JVM under `ulimit -f 60` (EFBIG)", child.code(), error);
    assertTrue(error.contains("cannot write checkpoint ckpt-000000000012 to ")
        && error.contains("File too large")
        && error.contains("the 2 checkpoint(s) already there are intact (newest ckpt-000000000010)"),
        error);
    assertEquals(List.of("ckpt-000000000005", "ckpt-000000000010"), entries(ckpt),
        "no temporary or partial checkpoint left");
    assertFalse(Files.exists(out.resolve("model")), "no model from a failed run");

    CliErrorsTest.Run again = TrainResumeTest.train(out, "--resume", ckpt.toString());
    assertEquals(0, again.code(), again.err());
    assertArrayEquals(ResumeHarness.bits(weights(reference)), ResumeHarness.bits(weights(out)));
  }

  @Test
  void aFullCheckpointDiskOnAHadoopFileSystemStopsTheRunWithOneLine() throws Exception {
    FaultyFileSystem.registerForSpark();
    Path ckptDir = tmp.resolve("faulty/ckpt");
    Path conf = tmp.resolve("faulty/job.conf");
    Files.createDirectories(conf.getParent());
    Files.writeString(conf, TrainResumeTest.config(ckptDir)
        + "checkpoint.dir = \"" + FaultyFileSystem.uri(ckptDir) + "\"\n");
    // Room for the write probe and two checkpoints (3 arrays and a descriptor each), not three.
    long n = SpindleModel.load(reference.resolve("model")).params().length;
    FaultyFileSystem.budget = 1 + 2 * (12 * n + 4000) + 6 * n;
    Path out = tmp.resolve("faulty/out");
    CliErrorsTest.Run r = TrainResumeTest.train(out, "--config", conf.toString());
    BadInputTable.row(TABLE, tmp, "checkpoint disk full (simulated: `faulty://` Hadoop file system, "
        + "\"No space left on device\" after a byte budget) at the third checkpoint", r.code(), r.err());
    assertEquals(SpindleCli.FAILED, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("cannot write checkpoint ckpt-000000000012 to faulty:")
        && r.err().contains("No space left on device; the 2 checkpoint(s) already there are "
            + "intact (newest ckpt-000000000010)"), r.err());
    assertFalse(Files.exists(out.resolve("model")));

    FaultyFileSystem.budget = -1;
    CliErrorsTest.Run again = TrainResumeTest.train(out, "--resume", FaultyFileSystem.uri(ckptDir));
    assertEquals(0, again.code(), again.err());
    assertArrayEquals(ResumeHarness.bits(weights(reference)), ResumeHarness.bits(weights(out)));
    assertTrue(entries(ckptDir).contains(Checkpoint.name(24)));
  }
}
