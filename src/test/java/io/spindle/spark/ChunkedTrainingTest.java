package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ChunkLayout;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Adam;
import io.spindle.optim.LearningRateSchedule;
import io.spindle.optim.Optimizer;
import io.spindle.optim.Sgd;
import io.spindle.train.EpochSummary;
import io.spindle.train.LocalEvaluator;
import io.spindle.train.LocalGradientSource;
import io.spindle.train.LocalTrainer;
import io.spindle.train.Metrics;
import io.spindle.train.TestData;
import io.spindle.train.Trainer;
import io.spindle.train.TrainingContext;
import io.spindle.train.TrainingListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Training data cut into many chunks per shard (issue 12): the window-at-a-time epoch order
 * trains sorted data as well as shuffled data, stays equal to single-process training on the
 * same chunks, and resumes exactly mid-epoch. (Chunks evicted to disk: {@link
 * ChunkEvictionTest}.)
 */
class ChunkedTrainingTest extends SparkTestBase {

  static final int FEATURES = 16;
  static final int CLASSES = 4;
  /** 20 bytes per example: 512-byte chunks hold 25 examples. */
  static final long CHUNK_BYTES = 512;
  final NetworkSpec spec = TestData.mlp(FEATURES, CLASSES);

  static TrainingOptions.Builder options() {
    return TrainingOptions.builder().epochs(3).batchSize(64).seed(13).logging(false)
        .chunkBytes(CHUNK_BYTES).shuffleWindow(2);
  }

  @Test
  void theLayoutHasManyChunksPerShardAndMixesSortedDataOnce() {
    ExampleBlock data = sortedByLabel(TestData.classification(1200, FEATURES, CLASSES, 5L));
    ExampleBlock[][] mixed = ChunkLayout.split(data, 2, CHUNK_BYTES, true, 13L);
    ExampleBlock[][] asGiven = ChunkLayout.split(data, 2, CHUNK_BYTES, false, 13L);
    assertEquals(24, mixed[0].length, "600 examples a shard in chunks of 25");
    // Unmixed, a chunk of sorted data holds one class (all but the few at class boundaries);
    // mixed, nearly every chunk holds several.
    assertTrue(chunksWithOneClass(asGiven) >= 40, "sorted chunks are single-class");
    assertTrue(chunksWithOneClass(mixed) <= 2, "mixed chunks: " + chunksWithOneClass(mixed));
    long total = Arrays.stream(mixed).flatMap(Arrays::stream).mapToLong(ExampleBlock::count).sum();
    assertEquals(1200, total, "every example kept");
  }

  @Test
  void labelSortedDataTrainsAsWellAsShuffledData() {
    ExampleBlock all = TestData.classification(30_000, FEATURES, CLASSES, 31L);
    ExampleBlock train = all.slice(0, 20_000);
    ExampleBlock test = all.slice(20_000, 30_000);
    ExampleBlock sorted = sortedByLabel(train);
    TrainingOptions opts = options().epochs(6).batchSize(64).chunkBytes(2048).build();
    float[] init = spec.initParams(3);

    double shuffled = testAccuracy(new DistributedTrainer(jsc(), spec, adam(), opts)
        .partitions(2).fit(train, test, init));
    double sortedAcc = testAccuracy(new DistributedTrainer(jsc(), spec, adam(), opts)
        .partitions(2).fit(sorted, test, init));
    assertTrue(shuffled > 0.9, "the shuffled set trains: " + shuffled);
    assertTrue(Math.abs(shuffled - sortedAcc) <= 0.005,
        "sorted " + sortedAcc + " vs shuffled " + shuffled);
    System.out.printf("label-sorted vs shuffled test accuracy: %.4f vs %.4f%n", sortedAcc,
        shuffled);

    // Control: the same chunks and windows without the mixing pass (each window then holds one
    // class) lose more than twice the tolerance, so the comparison above depends on the mix.
    try (LocalGradientSource unmixed = new LocalGradientSource(spec,
        ChunkLayout.split(sorted, 2, 2048, false, 13L), 64, 2, true, 13L)) {
      float[] params = new Trainer(spec, adam(), opts).fit(unmixed, null, init).params();
      Metrics m = new LocalEvaluator(spec, test).evaluate(params);
      assertTrue(m.accuracy() < shuffled - 0.01, "unmixed sorted data: " + m.accuracy()
          + " vs shuffled " + shuffled);
    }
  }

  @Test
  void manyChunksPerShardOnOneTwoAndFourPartitionsEqualSingleProcessTraining() {
    ExampleBlock data = TestData.classification(1000, FEATURES, CLASSES, 22L);
    TrainingOptions opts = options().maxIterations(40).build(); // 16 per epoch: 2.5 epochs
    float[] init = spec.initParams(3);
    for (int partitions : new int[] {1, 2, 4}) {
      assertTrue(ChunkLayout.of(ChunkLayout.split(data, partitions, CHUNK_BYTES, true, 13L))
          .chunks() >= 10 * partitions, "several windows per shard");
      float[] local = new LocalTrainer(spec, new Sgd(0.3), opts).partitions(partitions)
          .fit(data, null, init).params();
      for (SyncMode sync : new SyncMode[] {SyncMode.BARRIER, SyncMode.JOB}) {
        TrainingResult spark = new DistributedTrainer(jsc(), spec, new Sgd(0.3), opts)
            .partitions(partitions).sync(sync).fit(data, null, init);
        assertEquals(40, spark.iterations());
        double err = TestData.maxRelativeError(spark.params(), local);
        assertTrue(err < 1e-4, partitions + " partitions, " + sync + ": max relative error "
            + err);
      }
    }
  }

  @Test
  void resumingMidEpochAndMidWindowContinuesTheSameRun() {
    ExampleBlock data = TestData.classification(1000, FEATURES, CLASSES, 23L);
    TrainingOptions full = options().epochs(2).build();
    float[] init = spec.initParams(4);
    TrainingResult straight = new DistributedTrainer(jsc(), spec, new Sgd(0.2), full)
        .partitions(2).fit(data, null, init);
    // Iteration 21 is mid epoch 2 (16 per epoch) and inside a window (shares of 32 from
    // windows of 50 examples): the resumed workers start with nothing in hand.
    long cut = 21;
    TrainingResult first = new DistributedTrainer(jsc(), spec, new Sgd(0.2),
        full.toBuilder().maxIterations(cut).build()).partitions(2).fit(data, null, init);
    assertEquals(cut, first.iterations());
    TrainingResult resumed = new DistributedTrainer(jsc(), spec, new Sgd(0.2),
        full.toBuilder().startIteration(cut).build()).partitions(2)
        .fit(data, null, first.params());
    assertEquals(straight.iterations(), resumed.iterations());
    assertArrayEquals(straight.params(), resumed.params(), "bit-identical continuation");
  }

  @Test
  void theEpochLineReportsWhereTheDataIs() {
    ExampleBlock data = TestData.classification(1000, FEATURES, CLASSES, 24L);
    String[] seen = new String[1];
    TrainingListener probe = new TrainingListener() {
      @Override
      public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
        seen[0] = ctx.dataResidency().describe();
        assertEquals(40, ctx.dataResidency().chunks());
        assertEquals(40, ctx.dataResidency().cachedChunks());
        assertTrue(ctx.dataResidency().memoryBytes() >= 20_000, ctx.dataResidency().toString());
      }
    };
    new DistributedTrainer(jsc(), spec, new Sgd(0.2), options().epochs(1).listener(probe)
        .build()).partitions(2).fit(data, null, spec.initParams(1));
    assertTrue(seen[0].matches("data [0-9.]+ KiB in memory, 0 B on disk, 0 B read from disk"),
        seen[0]);
  }

  /** Adam decayed to nearly nothing over the 6 epochs: both runs settle on the optimum. */
  Optimizer adam() {
    return Adam.adam(LearningRateSchedule.cosine(0.01, 1e-5, 6 * 313), 0.9, 0.999, 1e-8, 0,
        spec.paramCount());
  }

  static double testAccuracy(TrainingResult r) {
    EpochSummary last = r.history().get(r.history().size() - 1);
    return last.testAccuracy();
  }

  static ExampleBlock sortedByLabel(ExampleBlock data) {
    int[] order = IntStream.range(0, data.count()).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> data.target(i)[0]))
        .mapToInt(Integer::intValue).toArray();
    return data.reordered(order);
  }

  static int chunksWithOneClass(ExampleBlock[][] shards) {
    int n = 0;
    for (ExampleBlock[] shard : shards) {
      for (ExampleBlock c : shard) {
        final ExampleBlock chunk = c;
        long classes = IntStream.range(0, chunk.count()).mapToDouble(i -> chunk.target(i)[0])
            .distinct().count();
        n += classes == 1 ? 1 : 0;
      }
    }
    return n;
  }
}
