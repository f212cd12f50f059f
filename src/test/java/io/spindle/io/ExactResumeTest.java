package io.spindle.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Optimizer;
import io.spindle.optim.OptimizerSpec;
import io.spindle.train.LocalTrainer;
import io.spindle.train.TestData;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run interrupted before any iteration and resumed from its newest checkpoint ends with the
 * same bits as an uninterrupted run (single-process trainer; the Spark version is
 * spark.ExactResumeOnSparkTest).
 */
class ExactResumeTest {

  static final int FEATURES = 16;
  static final int CLASSES = 3;
  final ExampleBlock train = TestData.classification(600, FEATURES, CLASSES, 21L);
  final ExampleBlock test = TestData.classification(150, FEATURES, CLASSES, 22L);
  // Dropout (seeded per iteration), shuffling (seeded per epoch) and Adam (two state arrays).
  final NetworkSpec spec = TestData.mlp(FEATURES, CLASSES);
  final OptimizerSpec adam = OptimizerSpec.defaults("adam").withLearningRate(0.01);
  // 600 examples, batch 64: 10 iterations per epoch (the last partial), 30 in all.
  final TrainingOptions base = TrainingOptions.builder().epochs(3).batchSize(64).seed(13)
      .logging(false).build();

  ResumeHarness harness(int partitions) {
    return new ResumeHarness(spec, adam, base, 5L, (opt, o, init) ->
        new LocalTrainer(spec, opt, o).partitions(partitions).fit(train, test, init));
  }

  @Test
  void aCrashBeforeAnyIterationResumesToTheSameBits(@TempDir Path tmp) throws Exception {
    ResumeHarness h = harness(2);
    TrainingResult reference = h.uninterrupted();
    assertTrue(TestData.maxRelativeError(reference.params(), spec.initParams(5L)) > 0.05,
        "training moved the weights");
    for (long crash = 0; crash < 30; crash++) {
      long k = crash;
      // Every 4 iterations and every epoch: checkpoints at 4, 8, 10, 12, 16, 20, 24, 28, 30.
      ResumeHarness.Resumed r = h.interruptAndResume(tmp.resolve("k" + k), k, 4, 1);
      long expectedFrom = List.of(0L, 4L, 8L, 10L, 12L, 16L, 20L, 24L, 28L).stream()
          .filter(c -> c <= k).reduce((a, b) -> b).orElse(0L);
      assertEquals(expectedFrom, r.from() == null ? 0 : r.from().iteration(), "crash before " + k);
      ResumeHarness.assertSameRun(reference, r, "crash before iteration " + k, true);
      assertEquals(List.of(), r.warnings());
    }
  }

  @Test
  void checkpointsOnlyAtEpochEndsAndEveryIterationAlsoResumeExactly(@TempDir Path tmp)
      throws Exception {
    ResumeHarness h = harness(3);
    TrainingResult reference = h.uninterrupted();
    // Epochs end after iterations 10, 20 and 30. A crash before 7 with epoch checkpoints has
    // none to resume from: it would only compare a run from scratch with itself.
    for (long k : new long[] {10, 11, 21}) {
      ResumeHarness.Resumed r = h.interruptAndResume(tmp.resolve("epochs" + k), k, 0, 1);
      assertResumedFrom(10 * (k / 10), r, "epoch checkpoints, crash before " + k);
      ResumeHarness.assertSameRun(reference, r, "epoch checkpoints, " + k, true);
    }
    for (long k : new long[] {7, 10, 11, 21}) {
      ResumeHarness.Resumed r = h.interruptAndResume(tmp.resolve("each" + k), k, 1, 0);
      assertResumedFrom(k, r, "every iteration, crash before " + k);
      ResumeHarness.assertSameRun(reference, r, "every iteration, " + k, true);
    }
  }

  @Test
  void momentumAndSgdResumeExactlyToo(@TempDir Path tmp) throws Exception {
    for (String name : new String[] {"sgd", "nesterov"}) {
      OptimizerSpec opt = OptimizerSpec.defaults(name).withLearningRate(0.1);
      ResumeHarness h = new ResumeHarness(spec, opt, base, 5L, (o, options, init) ->
          new LocalTrainer(spec, o, options).partitions(2).fit(train, test, init));
      // Checkpoints every 5 iterations; the crash before 13 leaves 5 and 10.
      ResumeHarness.Resumed r = h.interruptAndResume(tmp.resolve(name), 13, 5, 0);
      assertResumedFrom(10, r, name);
      ResumeHarness.assertSameRun(h.uninterrupted(), r, name, true);
    }
  }

  /**
   * Batch normalization's running statistics are in the checkpoint (after the parameters), and
   * augmentation draws from the iteration, partition and example: a resumed run ends with the
   * same parameters and running statistics, bit for bit, and the same test figures (which use
   * the running statistics).
   */
  @Test
  void aResNetWithBatchNormAndAugmentationResumesToTheSameBits(@TempDir Path tmp)
      throws Exception {
    NetworkSpec resnet = TestData.resnet(CLASSES)
        .withAugmentation(new io.spindle.data.Augmentation(1, true));
    ExampleBlock images = TestData.classification(600, 64, CLASSES, 23L);
    ExampleBlock imagesTest = TestData.classification(150, 64, CLASSES, 24L);
    ResumeHarness h = new ResumeHarness(resnet, adam, base, 5L, (opt, o, init) ->
        new LocalTrainer(resnet, opt, o).partitions(2).fit(images, imagesTest, init));
    TrainingResult reference = h.uninterrupted();
    float[] init = resnet.initParams(5L);
    assertEquals(resnet.modelSize(), reference.params().length);
    float[] state0 = java.util.Arrays.copyOfRange(init, resnet.paramCount(), init.length);
    float[] state = java.util.Arrays.copyOfRange(reference.params(), resnet.paramCount(),
        init.length);
    assertTrue(TestData.maxRelativeError(state, state0) > 0.05, "the running statistics moved");
    for (long k : new long[] {3, 10, 17}) {
      ResumeHarness.assertSameRun(reference, h.interruptAndResume(tmp.resolve("r" + k), k, 4, 1),
          "resnet, crash before " + k, true);
    }
  }

  /** The resume really started from a checkpoint, the one at {@code iteration}. */
  static void assertResumedFrom(long iteration, ResumeHarness.Resumed r, String what) {
    assertNotNull(r.from(), what + ": no checkpoint to resume from");
    assertEquals(iteration, r.from().iteration(), what + ": resumed from");
    assertTrue(r.result().examples() < 3 * 600, what + ": the resumed run trained "
        + r.result().examples() + " examples, all 3 epochs'");
  }

  @Test
  void aCorruptNewestCheckpointIsSkippedWithAWarningNamingIt(@TempDir Path tmp) throws Exception {
    ResumeHarness h = harness(2);
    TrainingResult reference = h.uninterrupted();
    Path dir = tmp.resolve("ckpt");
    // First run: crash before 15; checkpoints at 10 and 12 are kept (keep 2).
    ResumeHarness.Resumed first = h.interruptAndResume(dir, 15, 4, 1);
    ResumeHarness.assertSameRun(reference, first, "plain", true);
    // Now the directory holds the final two (28 and 30). Corrupt the newest one's parameters.
    Path newest = dir.resolve(Checkpoint.name(30)).resolve(CheckpointStore.PARAMETERS);
    byte[] bytes = java.nio.file.Files.readAllBytes(newest);
    bytes[100] ^= 0x01;
    java.nio.file.Files.write(newest, bytes);
    java.util.List<String> warnings = new java.util.ArrayList<>();
    Checkpoint cp = CheckpointStore.open(dir.toString(), null).latestValid(warnings::add);
    assertEquals(28, cp.iteration());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains(Checkpoint.name(30)) && warnings.get(0).contains("checksum"),
        warnings.get(0));
    // Resuming from 28 still ends on the reference bits.
    Optimizer opt = h.freshOptimizer();
    TrainingOptions.Builder b = base.toBuilder();
    cp.resume(b, opt);
    TrainingResult r = new LocalTrainer(spec, opt, b.build()).partitions(2)
        .fit(train, test, cp.params());
    assertArrayEquals(ResumeHarness.bits(reference.params()), ResumeHarness.bits(r.params()));
  }

  @Test
  void resumingAFinishedRunTrainsNoFurther(@TempDir Path tmp) throws Exception {
    ResumeHarness h = harness(2);
    TrainingResult reference = h.uninterrupted();
    CheckpointStore store = CheckpointStore.open(tmp.toString(), null);
    Optimizer opt = h.freshOptimizer();
    new LocalTrainer(spec, opt, base.toBuilder()
        .listener(CheckpointListener.builder(store).everyEpochs(0).build()).build())
        .partitions(2).fit(train, test, spec.initParams(5L));
    // every-epochs 0, every-iterations 0: only the final checkpoint.
    assertEquals(List.of(Checkpoint.name(30)),
        store.list().stream().map(org.apache.hadoop.fs.Path::getName).toList());
    Checkpoint cp = store.latestValid(w -> { });
    Optimizer again = h.freshOptimizer();
    TrainingOptions.Builder b = base.toBuilder();
    cp.resume(b, again);
    TrainingResult r = new LocalTrainer(spec, again, b.build()).partitions(2)
        .fit(train, test, cp.params());
    assertEquals(30, r.iterations());
    assertEquals(0, r.examples());
    assertArrayEquals(ResumeHarness.bits(reference.params()), ResumeHarness.bits(r.params()));
  }

  @Test
  void aResumeWithAnotherScheduleIsRefusedBeforeTraining(@TempDir Path tmp) throws Exception {
    ResumeHarness h = harness(2);
    h.interruptAndResume(tmp.resolve("a"), 5, 4, 0);
    CheckpointStore store = CheckpointStore.open(tmp.resolve("a").toString(), null);
    Checkpoint cp = store.latestValid(w -> { });
    record Case(int partitions, TrainingOptions options, String expected) {}
    for (Case c : List.of(
        new Case(3, base, "trained on 2 partitions of [300, 300] examples, but this run has 3"),
        new Case(2, base.toBuilder().batchSize(32).build(), "batch size 64"),
        new Case(2, base.toBuilder().seed(14).build(), "seed 13"))) {
      Optimizer opt = h.freshOptimizer();
      TrainingOptions.Builder b = c.options().toBuilder();
      cp.resume(b, opt);
      b.listener(CheckpointListener.builder(store).resumedFrom(cp).build());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
          new LocalTrainer(spec, opt, b.build()).partitions(c.partitions())
              .fit(train, test, cp.params()));
      assertTrue(e.getMessage().contains(c.expected()), e.getMessage());
    }
    // Another optimizer is refused when the checkpoint is applied.
    Optimizer sgd = OptimizerSpec.defaults("sgd").build(spec.paramCount(), 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> cp.resume(base.toBuilder(), sgd));
    assertTrue(e.getMessage().contains("adam optimizer but this run uses sgd"), e.getMessage());
  }

  @Test
  void aCrashBeforeTheFirstCheckpointLeavesNothingToResume(@TempDir Path tmp) throws Exception {
    ResumeHarness.Resumed r = harness(2).interruptAndResume(tmp, 3, 4, 1);
    assertNull(r.from());
    assertFalse(r.result().history().isEmpty());
  }
}
