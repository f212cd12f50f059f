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
  void evaluationAndPredictionUnderKryoEqualLocalInference() {
    // Trained, so the predictions spread over the classes (from the initial weights, all 600
    // examples get the same class).
    float[] params = new LocalTrainer(net,
        io.spindle.optim.OptimizerSpec.defaults("adam").withLearningRate(0.01)
            .build(net.paramCount(), 0),
        TrainingOptions.builder().epochs(8).batchSize(32).seed(4).logging(false).build())
        .fit(data, null, net.initParams(5)).params();
    ConfusionEvaluator.Result local = new ConfusionEvaluator(net).evaluate(params, data);
    int outputs = net.outputShape().size();
    float[] x = new float[data.count() * data.featureSize()];
    float[] y = new float[data.count() * data.targetSize()];
    data.gatherRange(0, data.count(), x, y);
    float[] probabilities = net.instantiate().forward(params, x, data.count(), false).clone();
    net.loss().toPrediction(probabilities, data.count(), outputs);

    try (DistributedBlocks blocks = BlockRdds.distribute(jsc(), data, 3,
        StorageLevel.MEMORY_ONLY_SER())) {
      ConfusionEvaluator.Result r = SparkInference.evaluate(jsc(), net, params, blocks.rdd());
      assertEquals(600, r.metrics().count);
      assertEquals(local.metrics().correct, r.metrics().correct);
      long spread = java.util.stream.IntStream.range(0, CLASSES)
          .filter(c -> local.confusion().predicted(c) >= 50).count();
      assertTrue(spread >= 2, "predictions spread over classes:\n" + local.confusion().toCsv());
      // Partitions sum their losses in another order: equal to double rounding.
      assertEquals(local.metrics().lossSum, r.metrics().lossSum, 1e-9 * local.metrics().lossSum);
      assertEquals(local.confusion().toCsv(), r.confusion().toCsv());

      List<SparkInference.Predictions> p = SparkInference.predict(jsc(), net, params,
          blocks.rdd(), 32);
      assertEquals(600, p.stream().mapToInt(SparkInference.Predictions::count).sum());
      int example = 0;
      for (SparkInference.Predictions part : p) {
        for (int j = 0; j < part.count(); j++, example++) {
          assertEquals(y[example], part.targets()[j], "example " + example + "'s label");
          int best = 0;
          for (int c = 0; c < outputs; c++) {
            float expected = probabilities[example * outputs + c];
            assertEquals(expected, part.values()[j * outputs + c], 1e-6,
                "example " + example + ", class " + c);
            best = expected > probabilities[example * outputs + best] ? c : best;
          }
          assertEquals(best, part.classes()[j], "example " + example + "'s class");
        }
      }
    }
  }
}
