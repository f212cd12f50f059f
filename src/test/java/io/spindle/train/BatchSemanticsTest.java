package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Global-batch semantics through the real gradient path (the probe's gradient counts how often
 * each example was used): exact coverage per epoch, proportional shares, the partial last batch,
 * and reproducible seeded shuffles. {@link io.spindle.spark.DistributedTrainerTest} runs the same
 * checks on the Spark source.
 */
public class BatchSemanticsTest {

  static final int N = 50;
  static final int BATCH = 8;

  static LocalGradientSource source(int partitions, boolean shuffle, long seed) {
    return new LocalGradientSource(TestData.probeNetwork(N),
        TestData.oneHotProbe(N).split(partitions), BATCH, shuffle, seed);
  }

  /** Checks coverage, batch sizes and shares for a recording over {@code partitions}. */
  public static void assertGlobalBatchSemantics(int[][] uses, int partitions, int epochs) {
    int steps = (N + BATCH - 1) / BATCH;
    assertEquals(epochs * steps, uses.length, "iterations recorded");
    ExampleBlock[] parts = TestData.oneHotProbe(N).split(partitions);
    for (int e = 0; e < epochs; e++) {
      int[] perEpoch = new int[N];
      for (int s = 0; s < steps; s++) {
        int[] u = uses[e * steps + s];
        int batch = Arrays.stream(u).sum();
        int expected = s < steps - 1 ? BATCH : N - (steps - 1) * BATCH;
        // The global batch is B up to rounding of the proportional shares (< partitions).
        assertTrue(Math.abs(batch - expected) < partitions,
            "epoch " + e + " step " + s + ": batch of " + batch + ", expected ~" + expected);
        int first = 0;
        for (int p = 0; p < partitions; p++) {
          int share = 0;
          for (int i = first; i < first + parts[p].count(); i++) {
            share += u[i];
          }
          double proportional = (double) batch * parts[p].count() / N;
          assertTrue(Math.abs(share - proportional) <= 1.0 + 1e-9,
              "partition " + p + " share " + share + " vs proportional " + proportional);
          first += parts[p].count();
        }
        for (int i = 0; i < N; i++) {
          perEpoch[i] += u[i];
        }
      }
      int[] once = new int[N];
      Arrays.fill(once, 1);
      assertArrayEquals(once, perEpoch, "every example exactly once in epoch " + e);
    }
  }

  @Test
  void everyExampleOncePerEpochWithProportionalSharesAndPartialLastBatch() {
    for (int partitions : new int[] {1, 3, 4}) {
      int[][] uses = TestData.recordBatches(source(partitions, true, 7L), N, 3);
      assertGlobalBatchSemantics(uses, partitions, 3);
      // 50 = 6 x 8 + 2: the seventh batch is the partial one (exactly 2 on one partition;
      // the shares' rounding may move up to partitions - 1 examples between batches).
      int last = Arrays.stream(uses[6]).sum();
      assertTrue(partitions == 1 ? last == 2 : last < BATCH,
          partitions + " partitions: last batch of " + last);
    }
  }

  @Test
  void seededShuffleIsReproducibleAndChangesWithEpochAndSeed() {
    int[][] a = TestData.recordBatches(source(2, true, 11L), N, 2);
    int[][] b = TestData.recordBatches(source(2, true, 11L), N, 2);
    int[][] other = TestData.recordBatches(source(2, true, 12L), N, 2);
    assertTrue(Arrays.deepEquals(a, b), "same seed, same batches");
    assertFalse(Arrays.deepEquals(a, other), "another seed gives other batches");
    int steps = a.length / 2;
    assertFalse(Arrays.deepEquals(Arrays.copyOfRange(a, 0, steps),
        Arrays.copyOfRange(a, steps, 2 * steps)), "each epoch has its own order");
  }

  @Test
  void withoutShuffleEachPartitionIsReadInOrder() {
    int[][] uses = TestData.recordBatches(source(1, false, 11L), N, 1);
    for (int i = 0; i < BATCH; i++) {
      assertEquals(1, uses[0][i], "example " + i + " in the first batch");
    }
    assertEquals(BATCH, Arrays.stream(uses[0]).sum());
  }
}
