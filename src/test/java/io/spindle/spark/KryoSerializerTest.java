package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Sgd;
import io.spindle.train.ConfusionEvaluator;
import io.spindle.train.LocalTrainer;
import io.spindle.train.TestData;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

/**
 * Everything Spindle sends through Spark's data serializer (broadcasts, cached blocks, task
 * results) also works when the application chose Kryo, the usual production setting: Kryo
 * cannot serialize records or the JDK's immutable collections, which the network spec holds.
 * Blocks are cached serialized so they go through Kryo too.
 */
class KryoSerializerTest extends SparkTestBase {

  static final int CLASSES = 3;
  final NetworkSpec net = TestData.cnn(CLASSES);
  final ExampleBlock data = TestData.classification(600, 64, CLASSES, 22L);

  @Override
  public SparkConf conf() {
    return super.conf().set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
  }

  @Test
  void theSparkContextReallyUsesKryo() {
    assertEquals("org.apache.spark.serializer.KryoSerializer",
        jsc().getConf().get("spark.serializer"));
  }

  @Test
  void trainingWithValidationUnderKryoEqualsSingleProcessTraining() {
    TrainingOptions opts = TrainingOptions.builder().epochs(2).batchSize(64).seed(13)
        .logging(false).build();
    float[] init = net.initParams(3);
    float[] local = new LocalTrainer(net, new Sgd(0.3), opts).partitions(2)
        .fit(data, data.slice(0, 100), init).params();
    TrainingResult spark = new DistributedTrainer(jsc(), net, new Sgd(0.3), opts).partitions(2)
        .storageLevel(StorageLevel.MEMORY_ONLY_SER())
        .fit(data, data.slice(0, 100), init);
    double err = TestData.maxRelativeError(spark.params(), local);
    assertTrue(err < 1e-4, "max relative error " + err);
    assertTrue(spark.lastEpoch().validated(), "validation ran on the executors");
  }

  @Test
  void evaluationAndPredictionUnderKryo() {
    float[] params = net.initParams(5);
    try (DistributedBlocks blocks = BlockRdds.distribute(jsc(), data, 3,
        StorageLevel.MEMORY_ONLY_SER())) {
      ConfusionEvaluator.Result r = SparkInference.evaluate(jsc(), net, params, blocks.rdd());
      assertEquals(600, r.metrics().count);
      List<SparkInference.Predictions> p = SparkInference.predict(jsc(), net, params,
          blocks.rdd(), 32);
      assertEquals(600, p.stream().mapToInt(SparkInference.Predictions::count).sum());
    }
  }
}
