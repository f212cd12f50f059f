package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ChunkSource;
import io.spindle.data.ExampleBlock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The window-at-a-time epoch order over a shard's chunks ({@link PartitionWorker}): every example
 * once per epoch, the chunks read one window at a time (each once per epoch), the next window
 * asked for ahead, and a shard of one chunk shuffled exactly as {@link BatchSchedule#epochOrder}.
 */
class PartitionWorkerTest {

  static final int N = 60;

  /** Chunks of 12, 0 (empty), 18, 10 and 20 examples of the one-hot probe, as one shard. */
  static ExampleBlock[] chunks() {
    ExampleBlock all = TestData.oneHotProbe(N);
    return new ExampleBlock[] {all.slice(0, 12), all.slice(12, 12), all.slice(12, 30),
        all.slice(30, 40), all.slice(40, 60)};
  }

  @Test
  void everyExampleOncePerEpochEachChunkReadOncePerEpochAndTheNextWindowAskedAhead() {
    ExampleBlock[] chunks = chunks();
    List<Integer> reads = new ArrayList<>();
    List<Integer> asked = new ArrayList<>();
    ChunkSource counting = new ChunkSource() {
      @Override
      public ExampleBlock chunk(int c) {
        reads.add(c);
        return chunks[c];
      }

      @Override
      public void readAhead(int[] cs) {
        for (int c : cs) {
          asked.add(c);
        }
      }
    };
    BatchSchedule schedule = new BatchSchedule(new long[] {N}, 8);
    PartitionWorker worker = new PartitionWorker(0, schedule,
        io.spindle.data.ChunkLayout.of(new ExampleBlock[][] {chunks}), 2, true, 5L);
    GradientStep step = new GradientStep(TestData.probeNetwork(N));
    for (int epoch = 0; epoch < 3; epoch++) {
      reads.clear();
      int[] uses = new int[N];
      for (int s = 0; s < schedule.iterationsPerEpoch(); s++) {
        float[] grad = new float[N + 1];
        worker.accumulate(counting, step, TestData.probeParams(N), epoch, s, s, grad,
            new Metrics());
        for (int i = 0; i < N; i++) {
          uses[i] += Math.round(grad[i] / 2f);
        }
      }
      int[] once = new int[N];
      java.util.Arrays.fill(once, 1);
      assertArrayEquals(once, uses, "epoch " + epoch + ": every example exactly once");
      Set<Integer> distinct = new HashSet<>(reads);
      assertEquals(reads.size(), distinct.size(), "each chunk read once: " + reads);
      assertEquals(Set.of(0, 2, 3, 4), distinct, "every non-empty chunk read, the empty one"
          + " never");
    }
    assertTrue(!asked.isEmpty(), "the next window was asked for ahead");
  }

  @Test
  void theWindowSequenceChangesFromEpochToEpoch() {
    ExampleBlock[] chunks = chunks();
    List<List<Integer>> orders = new ArrayList<>();
    BatchSchedule schedule = new BatchSchedule(new long[] {N}, 8);
    PartitionWorker worker = new PartitionWorker(0, schedule,
        io.spindle.data.ChunkLayout.of(new ExampleBlock[][] {chunks}), 1, true, 5L);
    GradientStep step = new GradientStep(TestData.probeNetwork(N));
    for (int epoch = 0; epoch < 4; epoch++) {
      List<Integer> reads = new ArrayList<>();
      for (int s = 0; s < schedule.iterationsPerEpoch(); s++) {
        worker.accumulate(c -> {
          reads.add(c);
          return chunks[c];
        }, step, TestData.probeParams(N), epoch, s, s, new float[N + 1], new Metrics());
      }
      orders.add(reads);
    }
    assertTrue(new HashSet<>(orders).size() > 1, "chunk orders " + orders);
  }

  @Test
  void aShardOfOneChunkIsShuffledAsBeforeChunks() {
    ExampleBlock all = TestData.oneHotProbe(N);
    BatchSchedule schedule = new BatchSchedule(new long[] {N}, 7);
    PartitionWorker worker = new PartitionWorker(0, schedule, true, 9L);
    GradientStep step = new GradientStep(TestData.probeNetwork(N));
    int[] order = BatchSchedule.epochOrder(null, N, true, 9L, 2, 0);
    for (int s = 0; s < schedule.iterationsPerEpoch(); s++) {
      float[] grad = new float[N + 1];
      worker.accumulate(all, step, TestData.probeParams(N), 2, s, s, grad, new Metrics());
      Set<Integer> used = new HashSet<>();
      for (int i = 0; i < N; i++) {
        if (grad[i] != 0) {
          used.add(i);
        }
      }
      Set<Integer> expected = new HashSet<>();
      for (int p = schedule.shareStart(0, s); p < schedule.shareEnd(0, s); p++) {
        expected.add(order[p]);
      }
      assertEquals(expected, used, "step " + s);
    }
  }
}
