package io.spindle.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint write that fails midway, simulated with {@link FaultyFileSystem} (a Hadoop file
 * system whose writes stop with "No space left on device" after a byte budget, or whose
 * directory is deleted when a given file is created): the earlier checkpoints stay intact and
 * readable, nothing half-written appears under a checkpoint name, and the error says why. The
 * same failures through the CLI, and real write failures of the model and checkpoints in a
 * child JVM with a file-size limit, are in cli.FailingDiskCliTest.
 */
class FailingDiskTest {

  @TempDir
  Path tmp;

  final CheckpointStoreTest samples = new CheckpointStoreTest();

  @AfterEach
  void reset() {
    FaultyFileSystem.reset();
  }

  CheckpointStore faultyStore(Path dir) throws IOException {
    return CheckpointStore.open(FaultyFileSystem.uri(dir),
        FaultyFileSystem.register(new Configuration()));
  }

  List<String> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aDiskThatFillsAnywhereInACheckpointLeavesTheEarlierOnesIntact() throws IOException {
    Path dir = tmp.resolve("ckpt");
    CheckpointStore store = faultyStore(dir);
    store.write(samples.sample(10));
    store.write(samples.sample(20));
    long n = samples.spec.paramCount();
    // Budgets: nothing, mid-parameters, mid-first-state array, mid-second, inside the descriptor.
    for (long budget : new long[] {0, 2 * n, 4 * n + 2 * n, 8 * n + 2 * n, 12 * n + 300}) {
      FaultyFileSystem.budget = budget;
      IOException e = assertThrows(IOException.class, () -> store.write(samples.sample(30)),
          "budget " + budget);
      FaultyFileSystem.reset();
      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
      assertEquals(List.of("ckpt-000000000010", "ckpt-000000000020"), entries(dir),
          "budget " + budget + ": no temporary and no new checkpoint left");
      Checkpoint newest = store.latestValid(w -> { throw new AssertionError(w); });
      assertEquals(20, newest.iteration());
      assertArrayEquals(samples.sample(20).params(), newest.params());
      assertEquals(10, store.read(store.list().get(1)).iteration());
    }
    // Space again: the same write succeeds.
    store.write(samples.sample(30));
    assertEquals(30, store.latestValid(w -> { }).iteration());
  }

  @Test
  void aCheckpointDirectoryLostMidWriteNeverYieldsAnIncompleteCheckpoint() throws IOException {
    Path dir = tmp.resolve("ckpt");
    CheckpointStore store = faultyStore(dir);
    store.write(samples.sample(10));
    // Deleted (with its earlier checkpoint) just as the second optimizer array is created.
    FaultyFileSystem.vanishing = dir;
    FaultyFileSystem.vanishOnCreateOf = "optimizer-v.f32";
    IOException e = assertThrows(IOException.class, () -> store.write(samples.sample(20)));
    FaultyFileSystem.reset();
    assertTrue(e.getMessage().contains("disappeared while the checkpoint was written"),
        e.getMessage());
    // Hadoop's create() re-made the directory for the later files; what it holds must not be
    // mistaken for a checkpoint.
    assertEquals(List.of(), store.list().stream().map(org.apache.hadoop.fs.Path::getName).toList());
    ModelFormatException none = assertThrows(ModelFormatException.class,
        () -> store.latestValid(w -> { }));
    assertTrue(none.getMessage().contains("no checkpoint in"), none.getMessage());
  }

  @Test
  void aFullDiskStopsTrainingNamingWhatIsIntactAndTheRunResumesExactly() throws IOException {
    ExactResumeTest setup = new ExactResumeTest();
    ResumeHarness h = setup.harness(2);
    io.spindle.train.TrainingResult reference = h.uninterrupted();
    Path dir = tmp.resolve("ckpt");
    CheckpointStore store = faultyStore(dir);
    // Checkpoints every 4 iterations; the disk fills after iteration 10, so 12 cannot be written.
    io.spindle.train.TrainingListener fillDisk = new io.spindle.train.TrainingListener() {
      @Override
      public void onIteration(io.spindle.train.TrainingContext ctx, io.spindle.train.Metrics b) {
        if (ctx.iteration() == 10) {
          FaultyFileSystem.budget = 1000;
        }
      }
    };
    io.spindle.train.TrainingOptions options = setup.base.toBuilder()
        .listener(CheckpointListener.builder(store).everyIterations(4).everyEpochs(0).keep(5).build())
        .listener(fillDisk).build();
    CheckpointListener.CheckpointWriteException e = assertThrows(
        CheckpointListener.CheckpointWriteException.class,
        () -> new io.spindle.train.LocalTrainer(setup.spec, h.freshOptimizer(), options)
            .partitions(2).fit(setup.train, setup.test, setup.spec.initParams(5L)));
    FaultyFileSystem.reset();
    assertTrue(e.getMessage().startsWith("cannot write checkpoint ckpt-000000000012 to faulty:")
        && e.getMessage().contains("No space left on device; the 2 checkpoint(s) already there "
            + "are intact (newest ckpt-000000000008)")
        && e.getMessage().contains("then resume with --resume faulty:"), e.getMessage());
    assertEquals(List.of("ckpt-000000000004", "ckpt-000000000008"), entries(dir));

    Checkpoint cp = store.latestValid(w -> { throw new AssertionError(w); });
    io.spindle.optim.Optimizer opt = h.freshOptimizer();
    io.spindle.train.TrainingOptions.Builder b = setup.base.toBuilder();
    cp.resume(b, opt);
    io.spindle.train.TrainingResult resumed = new io.spindle.train.LocalTrainer(setup.spec, opt,
        b.build()).partitions(2).fit(setup.train, setup.test, cp.params());
    assertArrayEquals(ResumeHarness.bits(reference.params()), ResumeHarness.bits(resumed.params()));
  }
}
