package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.io.ResumeHarness;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.OptimizerSpec;
import io.spindle.train.TestData;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume on Spark (local[2]): a run interrupted before iteration k (mid-epoch, at the
 * last step of an epoch, at the first step of the next) and resumed from its newest checkpoint
 * ends with the same weight bits as an uninterrupted run, on 2 and on 3 partitions (3 needs the
 * ordered gradient sum: tasks finish in varying order).
 */
class ExactResumeOnSparkTest extends SparkTestBase {

  static final int FEATURES = 16;
  static final int CLASSES = 3;
  final ExampleBlock train = TestData.classification(600, FEATURES, CLASSES, 21L);
  final ExampleBlock test = TestData.classification(150, FEATURES, CLASSES, 22L);
  final NetworkSpec spec = TestData.mlp(FEATURES, CLASSES);
  final OptimizerSpec adam = OptimizerSpec.defaults("adam").withLearningRate(0.01);
  final TrainingOptions base = TrainingOptions.builder().epochs(2).batchSize(64).seed(13)
      .logging(false).build();

  ResumeHarness harness(int partitions) {
    return new ResumeHarness(spec, adam, base, 5L, (opt, o, init) ->
        new DistributedTrainer(jsc(), spec, opt, o).partitions(partitions).fit(train, test, init));
  }

  @Test
  void interruptedAndResumedRunsEndOnTheSameBitsOnTwoAndThreePartitions(@TempDir Path tmp)
      throws Exception {
    for (int partitions : new int[] {2, 3}) {
      ResumeHarness h = harness(partitions);
      TrainingResult reference = h.uninterrupted();
      // The uninterrupted run itself repeats to the bit (the ordered sum).
      assertArrayEquals(ResumeHarness.bits(reference.params()),
          ResumeHarness.bits(h.uninterrupted().params()), partitions + " partitions, rerun");
      // 10 iterations per epoch: mid-epoch, last step of epoch 1, first of epoch 2, mid-epoch.
      for (long k : new long[] {5, 9, 10, 15}) {
        // Checkpoints every 4 iterations and every epoch.
        ResumeHarness.Resumed r = h.interruptAndResume(
            tmp.resolve(partitions + "-" + k), k, 4, 1);
        assertTrue(r.from() != null, "a checkpoint was written before iteration " + k);
        // Test loss is summed by Spark in arrival order (SparkEvaluator): compared to 1e-12.
        ResumeHarness.assertSameRun(reference, r,
            partitions + " partitions, crash before iteration " + k, false);
      }
    }
  }
}
