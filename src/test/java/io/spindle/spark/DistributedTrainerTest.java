package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Sgd;
import io.spindle.train.BatchSemanticsTest;
import io.spindle.train.EpochSummary;
import io.spindle.train.LocalGradientSource;
import io.spindle.train.LocalTrainer;
import io.spindle.train.Metrics;
import io.spindle.train.TestData;
import io.spindle.train.Trainer;
import io.spindle.train.TrainingContext;
import io.spindle.train.TrainingDivergedException;
import io.spindle.train.TrainingListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BroadcastBlockId;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

class DistributedTrainerTest extends SparkTestBase {

  static final int FEATURES = 16;
  static final int CLASSES = 3;
  final ExampleBlock train = TestData.classification(600, FEATURES, CLASSES, 21L);
  final NetworkSpec spec = TestData.mlp(FEATURES, CLASSES);

  static TrainingOptions.Builder options() {
    // 600 examples, batch 64: 10 iterations per epoch, the last one partial (24 examples).
    return TrainingOptions.builder().epochs(3).batchSize(64).seed(13).logging(false);
  }

  @Test
  void twentyIterationsOnOneTwoAndFourPartitionsEqualSingleProcessTraining() {
    assertEquivalentToSingleProcess(spec, train);
  }

  @Test
  void aConvolutionalNetworkTrainsTheSameOnSparkAndInOneProcess() {
    assertEquivalentToSingleProcess(TestData.cnn(CLASSES),
        TestData.classification(600, 64, CLASSES, 22L));
  }

  /**
   * Batch normalization (each partition's share normalized by its own statistics, the same
   * shares in the single-process source; running statistics from the global batch's sums,
   * which travel in the partials' metrics), residual blocks and augmentation (drawn on the
   * executors): the model vector, parameters and running statistics, agrees within 1e-4.
   */
  @Test
  void aResNetWithBatchNormAndAugmentationTrainsTheSameOnSparkAndInOneProcess() {
    ExampleBlock images = TestData.classification(600, 64, CLASSES, 22L);
    NetworkSpec resnet = TestData.resnet(CLASSES);
    NetworkSpec augmented = resnet.withAugmentation(new io.spindle.data.Augmentation(1, true));
    assertEquivalentToSingleProcess(augmented, images);
    // The check covers augmentation and the running statistics: both change the result.
    TrainingOptions opts = options().maxIterations(20).build();
    float[] init = resnet.initParams(3);
    float[] plain = new LocalTrainer(resnet, new Sgd(0.3), opts).partitions(2)
        .fit(images, null, init).params();
    float[] withAug = new LocalTrainer(augmented, new Sgd(0.3), opts).partitions(2)
        .fit(images, null, init).params();
    assertTrue(TestData.maxRelativeError(plain, withAug) > 1e-3, "augmentation was applied");
    float[] state0 = Arrays.copyOfRange(init, resnet.paramCount(), resnet.modelSize());
    assertTrue(TestData.maxRelativeError(state0, Arrays.copyOfRange(withAug,
        resnet.paramCount(), resnet.modelSize())) > 0.05, "the running statistics moved");
  }

  @Test
  void withManyPartitionsTheGradientsMeetInSparksTreeAndStillEqualSingleProcessTraining() {
    assertTrue(Reductions.hasIntermediateLevel(8, 2), "8 partitions use treeReduce's tree");
    TrainingOptions opts = options().maxIterations(20).build();
    float[] init = spec.initParams(3);
    float[] local = new LocalTrainer(spec, new Sgd(0.3), opts).partitions(8)
        .fit(train, null, init).params();
    float[] spark = new DistributedTrainer(jsc(), spec, new Sgd(0.3), opts).partitions(8)
        .fit(train, null, init).params();
    double err = TestData.maxRelativeError(spark, local);
    assertTrue(err < 1e-4, "8 partitions: max relative error " + err);
  }

  /**
   * 20 iterations (two epochs of 10 with a partial last batch) on 1, 2 and 4 partitions: Spark
   * ends with the weights of the single-process source over the same partitioning, within
   * 1e-4 relative; on 1 partition, also those of the plain single-process loop.
   */
  void assertEquivalentToSingleProcess(NetworkSpec net, ExampleBlock data) {
    TrainingOptions opts = options().maxIterations(20).build();
    float[] init = net.initParams(3);
    float[] plain = new LocalTrainer(net, new Sgd(0.3), opts).fit(data, null, init).params();
    assertTrue(TestData.maxRelativeError(plain, init) > 0.05, "training moved the weights");
    for (int partitions : new int[] {1, 2, 4}) {
      float[] local = new LocalTrainer(net, new Sgd(0.3), opts).partitions(partitions)
          .fit(data, null, init).params();
      TrainingResult spark = new DistributedTrainer(jsc(), net, new Sgd(0.3), opts)
          .partitions(partitions).fit(data, null, init);
      assertEquals(20, spark.iterations());
      double err = TestData.maxRelativeError(spark.params(), local);
      assertTrue(err < 1e-4, partitions + " partitions: max relative error " + err);
      if (partitions == 1) {
        double errPlain = TestData.maxRelativeError(spark.params(), plain);
        assertTrue(errPlain < 1e-4, "1 partition vs the plain loop: " + errPlain);
      }
    }
    // The check can fail: another partitioning means other batches, hence other weights.
    float[] twoParts = new LocalTrainer(net, new Sgd(0.3), opts).partitions(2)
        .fit(data, null, init).params();
    assertTrue(TestData.maxRelativeError(plain, twoParts) > 1e-3);
  }

  @Test
  void batchesOnSparkFollowTheGlobalBatchSemantics() {
    int n = 50;
    ExampleBlock probe = TestData.oneHotProbe(n);
    NetworkSpec probeNet = TestData.probeNetwork(n);
    for (int partitions : new int[] {1, 3}) {
      try (DistributedBlocks blocks = BlockRdds.distribute(jsc(), probe, partitions,
              StorageLevel.MEMORY_ONLY());
          SparkGradientSource spark = new SparkGradientSource(jsc(), probeNet, blocks.rdd(), 8,
              true, 7L, 2)) {
        int[][] onSpark = TestData.recordBatches(spark, n, 3);
        BatchSemanticsTest.assertGlobalBatchSemantics(onSpark, partitions, 3);
        int[][] local = TestData.recordBatches(
            new LocalGradientSource(probeNet, probe.split(partitions), 8, true, 7L), n, 3);
        assertTrue(Arrays.deepEquals(local, onSpark), "same batches as the local source");
      }
    }
  }

  @Test
  void liveBroadcastBlocksStayBoundedOver300Iterations() throws Exception {
    Set<Long> weightIds = Collections.synchronizedSet(new TreeSet<>());
    List<int[]> samples = new ArrayList<>();
    try (DistributedBlocks blocks = BlockRdds.distribute(jsc(), train, 2,
            StorageLevel.MEMORY_ONLY());
        SparkGradientSource source = new SparkGradientSource(jsc(), spec, blocks.rdd(), 16, true,
            1L, 2)) {
      TrainingListener sampler = new TrainingListener() {
        @Override
        public void onIteration(TrainingContext ctx, Metrics batch) {
          weightIds.add(source.currentBroadcastId());
          long done = ctx.iteration() + 1;
          if (done == 10 || done % 100 == 0) {
            samples.add(new int[] {(int) done, liveWeightBlocks(weightIds), broadcastBlocks()});
          }
        }
      };
      TrainingOptions opts = TrainingOptions.builder().epochs(100).batchSize(16).logging(false)
          .maxIterations(300).listener(sampler).build();
      TrainingResult r = new Trainer(spec, new Sgd(0.05), opts)
          .fit(source, null, spec.initParams(1));
      assertEquals(300, r.iterations());
    }
    assertEquals(300, weightIds.size(), "one weight broadcast per iteration");
    for (int[] s : samples) {
      // The current broadcast (value + piece) and at most two whose asynchronous removal
      // is still under way.
      assertTrue(s[1] <= 6, "after " + s[0] + " iterations " + s[1]
          + " weight broadcast blocks are live: " + Arrays.deepToString(samples.toArray()));
    }
    // All broadcast blocks (task binaries included, which Spark's ContextCleaner removes
    // after GC) do not grow with the iteration count either.
    int first = samples.get(0)[2];
    int last = samples.get(samples.size() - 1)[2];
    System.gc();
    long deadline = System.currentTimeMillis() + 10_000;
    while (broadcastBlocks() > first + 20 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    int afterGc = broadcastBlocks();
    System.out.println("broadcast blocks [iterations, live weight blocks, all broadcast blocks]: "
        + Arrays.deepToString(samples.toArray()) + ", after GC: " + afterGc);
    assertTrue(afterGc <= first + 20, "broadcast blocks: " + first + " after 10 iterations, "
        + last + " after 300, " + afterGc + " after GC");
  }

  static int broadcastBlocks() {
    return SparkEnv.get().blockManager()
        .getMatchingBlockIds((scala.Function1<BlockId, Object>) BlockId::isBroadcast).size();
  }

  static int liveWeightBlocks(Set<Long> ids) {
    return SparkEnv.get().blockManager()
        .getMatchingBlockIds((scala.Function1<BlockId, Object>) id ->
            id instanceof BroadcastBlockId b && ids.contains(b.broadcastId())).size();
  }

  @Test
  void tasksShipABroadcastHandleNotThePartitionsExamples() throws Exception {
    ExampleBlock big = TestData.classification(20_000, 100, CLASSES, 1L); // 2 MB of features
    try (DistributedBlocks blocks = BlockRdds.distribute(jsc(), big, 2,
        StorageLevel.MEMORY_ONLY())) {
      org.apache.spark.serializer.SerializerInstance ser =
          SparkEnv.get().closureSerializer().newInstance();
      for (org.apache.spark.Partition p : blocks.rdd().rdd().partitions()) {
        int bytes = ser.serialize(p, scala.reflect.ClassTag$.MODULE$.apply(
            org.apache.spark.Partition.class)).limit();
        assertTrue(bytes < 10_000, "partition " + p.index() + " serializes to " + bytes
            + " bytes; Spark would ship that with every task");
      }
      // Each partition holds its contiguous slice.
      List<ExampleBlock> collected = blocks.rdd().collect();
      assertEquals(10_000, collected.get(0).count());
      assertArrayEquals(big.target(10_000), collected.get(1).target(0));
    }
    assertTrue(jsc().getPersistentRDDs().isEmpty());
  }

  @Test
  void learningRateOfAMillionStopsWithTheDivergenceErrorAndFiniteParameters() {
    NetworkSpec regression = TestData.tanhRegression(FEATURES);
    ExampleBlock data = TestData.regression(600, FEATURES, 4L);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> new DistributedTrainer(jsc(), regression, new Sgd(1e6), options().build())
            .partitions(2).fit(data, null, regression.initParams(1)));
    assertTrue(e.getMessage().contains("Lower the learning rate"), e.getMessage());
    assertTrue(TestData.allFinite(e.params()));
    assertEquals(0, ExecutorCache.size(), "executor state released after the failure");
    assertTrue(jsc().getPersistentRDDs().isEmpty(), "cached blocks released after the failure");
  }

  @Test
  void validationRunsDistributedAndMatchesTheLocalEvaluation() {
    ExampleBlock all = TestData.classification(900, FEATURES, CLASSES, 5L);
    ExampleBlock tr = all.slice(0, 600);
    ExampleBlock te = all.slice(600, 900);
    TrainingOptions opts = options().epochs(4).batchSize(32).build();
    float[] init = spec.initParams(8);
    TrainingResult local = new LocalTrainer(spec, new Sgd(0.3), opts).partitions(2)
        .fit(tr, te, init);
    TrainingResult spark = new DistributedTrainer(jsc(), spec, new Sgd(0.3), opts).partitions(2)
        .fit(tr, te, init);
    for (int e = 0; e < 4; e++) {
      EpochSummary l = local.history().get(e);
      EpochSummary s = spark.history().get(e);
      assertTrue(s.validated());
      assertEquals(l.testLoss(), s.testLoss(), 1e-4 * l.testLoss(), "epoch " + (e + 1));
      assertEquals(l.testAccuracy(), s.testAccuracy(), 1.5 / te.count(), "epoch " + (e + 1));
      assertEquals(l.trainLoss(), s.trainLoss(), 1e-4 * l.trainLoss());
    }
    assertTrue(spark.lastEpoch().testAccuracy() > 0.5, "learned something: " + spark.history());
  }

  @Test
  void jobsAreNamedByEpochAndStepAndDataIsCachedOnlyDuringTraining() {
    List<String> names = Collections.synchronizedList(new ArrayList<>());
    SparkListener recorder = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart job) {
        names.add(job.properties().getProperty("spark.job.description"));
      }
    };
    jsc().sc().addSparkListener(recorder);
    List<String> cachedDuringTraining = new ArrayList<>();
    TrainingListener cacheProbe = new TrainingListener() {
      @Override
      public void onIteration(TrainingContext ctx, Metrics batch) {
        if (ctx.iteration() == 0) {
          jsc().getPersistentRDDs().values().forEach(r -> cachedDuringTraining.add(
              r.name() + " @ " + r.getStorageLevel().description()));
        }
      }
    };
    try {
      new DistributedTrainer(jsc(), spec, new Sgd(0.1), options().epochs(2).listener(cacheProbe)
          .build()).partitions(2).sync(SyncMode.JOB)
          .fit(train, train.slice(0, 100), spec.initParams(1));
    } finally {
      jsc().sc().removeSparkListener(recorder);
    }
    assertTrue(names.contains("spindle epoch 1/2 step 1/10"), names.toString());
    assertTrue(names.contains("spindle epoch 2/2 step 10/10"), names.toString());
    assertTrue(names.contains("spindle epoch 1/2 validation"), names.toString());
    assertEquals(20, names.stream().filter(n -> n != null && n.contains(" step ")).count(),
        names.toString());
    assertTrue(cachedDuringTraining.stream().anyMatch(
        c -> c.startsWith("spindle training chunks (600 examples in 2 chunks) @ Disk Memory"
            + " Deserialized")),
        cachedDuringTraining.toString());
    assertTrue(jsc().getPersistentRDDs().isEmpty(), "unpersisted at the end");
    assertEquals(0, ExecutorCache.size(), "executor state released at the end");
  }

  @Test
  void losingTheExecutorStateMidRunRebuildsItWithoutChangingTheResult() {
    TrainingOptions opts = options().maxIterations(20).build();
    float[] init = spec.initParams(4);
    float[] undisturbed = new DistributedTrainer(jsc(), spec, new Sgd(0.3), opts).partitions(2)
        .fit(train, null, init).params();
    int[] rebuilt = new int[1];
    TrainingListener executorLoss = new TrainingListener() {
      @Override
      public void onIteration(TrainingContext ctx, Metrics batch) {
        if (ctx.iteration() == 6) {
          ExecutorCache.clear(); // local mode: the executors live in this JVM
        } else if (ctx.iteration() == 7) {
          rebuilt[0] = ExecutorCache.size();
        }
      }
    };
    float[] disturbed = new DistributedTrainer(jsc(), spec, new Sgd(0.3),
        opts.toBuilder().listener(executorLoss).build()).partitions(2)
        .fit(train, null, init).params();
    assertEquals(1, rebuilt[0], "state rebuilt on the next iteration");
    double err = TestData.maxRelativeError(disturbed, undisturbed);
    assertTrue(err < 1e-5, "max relative error " + err);
  }

  @Test
  void anRddOfSmallBlocksIsPackedOnePerPartitionAndTrainsLikeTheSamePartitioning() {
    List<ExampleBlock> singles = new ArrayList<>();
    for (int i = 0; i < train.count(); i++) {
      singles.add(train.slice(i, i + 1));
    }
    // parallelize puts examples [i n / 3, (i + 1) n / 3) in slice i, as ExampleBlock.split(3).
    JavaRDD<ExampleBlock> pieces = jsc().parallelize(singles, 3);
    TrainingOptions opts = options().maxIterations(20).build();
    float[] init = spec.initParams(6);
    float[] spark = new DistributedTrainer(jsc(), spec, new Sgd(0.3), opts)
        .fit(pieces, null, init).params();
    float[] local = new LocalTrainer(spec, new Sgd(0.3), opts).partitions(3)
        .fit(train, null, init).params();
    double err = TestData.maxRelativeError(spark, local);
    assertTrue(err < 1e-4, "max relative error " + err);
    assertTrue(jsc().getPersistentRDDs().isEmpty(), "the packed copy is unpersisted");
  }

  @Test
  void rejectsAnRddWhoseExamplesDoNotFitTheNetwork() {
    ExampleBlock wrong = TestData.classification(100, FEATURES + 2, CLASSES, 1L);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DistributedTrainer(jsc(), spec, new Sgd(0.1), options().build()).partitions(2)
            .fit(wrong, null, spec.initParams(1)));
    assertTrue(e.getMessage().contains("18 features"), e.getMessage());
    assertArrayEquals(new int[0], new int[jsc().getPersistentRDDs().size()]);
  }
}
