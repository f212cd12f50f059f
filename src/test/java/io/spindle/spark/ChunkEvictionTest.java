package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Sgd;
import io.spindle.train.DataResidency;
import io.spindle.train.EpochSummary;
import io.spindle.train.LocalTrainer;
import io.spindle.train.TestData;
import io.spindle.train.TrainingContext;
import io.spindle.train.TrainingListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training data three times larger than Spark's memory (a context with about 1.2 MiB of
 * unified memory): chunks spill, are evicted and read back from disk during training, and the
 * run still equals single-process training, reading each spilled byte about once per epoch
 * instead of once per iteration (issue 12).
 */
class ChunkEvictionTest {

  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    // Spark's memory = (testing memory - reserved) x spark.memory.fraction (0.6): 1.2 MiB.
    sc = new JavaSparkContext(SparkConfs.withDefaults(new SparkConf().setMaster("local[2]")
        .setAppName("chunk-eviction")
        .set("spark.testing.reservedMemory", "0")
        .set("spark.testing.memory", String.valueOf(2L << 20))));
  }

  @AfterAll
  static void stop() {
    if (sc != null) {
      sc.stop();
    }
  }

  @Test
  void chunksEvictedToDiskDuringTrainingStillTrainLikeOneProcess() {
    NetworkSpec spec = TestData.mlp(64, 4);
    ExampleBlock data = TestData.classification(40_000, 64, 4, 41L); // 68 B each: 2.6 MiB
    List<DataResidency> epochs = new ArrayList<>();
    TrainingListener probe = new TrainingListener() {
      @Override
      public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
        epochs.add(ctx.dataResidency());
      }
    };
    TrainingOptions opts = TrainingOptions.builder().epochs(2).batchSize(256).seed(5)
        .logging(false).chunkBytes(32 << 10).shuffleWindow(2).build();
    float[] init = spec.initParams(2);
    float[] local = new LocalTrainer(spec, new Sgd(0.2), opts).partitions(2)
        .fit(data, null, init).params();
    TrainingResult spark = new DistributedTrainer(sc, spec, new Sgd(0.2),
        opts.toBuilder().listener(probe).build()).partitions(2).fit(data, null, init);

    assertEquals(2, epochs.size());
    double err = TestData.maxRelativeError(spark.params(), local);
    assertTrue(err < 1e-4, "max relative error against one process: " + err);
    assertTrue(spark.history().get(1).trainLoss() < spark.history().get(0).trainLoss()
        && spark.history().get(1).trainAccuracy() > 0.5, "it trains (chance is 0.25): "
        + spark.history());
    long dataBytes = data.sizeInBytes();
    for (DataResidency r : epochs) {
      assertTrue(r.diskBytes() > dataBytes / 3, "most chunks are on disk: " + r);
      assertTrue(r.memoryBytes() < 2L << 20, "within Spark's memory: " + r);
      assertEquals(r.chunks(), r.cachedChunks(), "nothing dropped without a copy: " + r);
    }
    // 157 iterations an epoch: reading the spilled chunks every iteration would read ~150x the
    // data. Each is read about once; the later epoch reads at most 1.5x what is on disk.
    DataResidency second = epochs.get(1);
    assertTrue(second.diskBytesRead() > 0, "chunks were read back from disk: " + second);
    assertTrue(second.diskBytesRead() <= 1.5 * second.diskBytes(),
        "disk bytes read in an epoch vs spilled: " + second);
  }
}
