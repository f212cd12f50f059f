package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.OptimizerSpec;
import io.spindle.spark.DistributedTrainer;
import io.spindle.train.TestData;
import io.spindle.train.TrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The estimators and models on their own: fitting, inference, persistence, weights, errors. */
class SpindleClassifierTest extends MlTestBase {

  private static final String MLP = "layers = [{type = dense, units = 16}, {type = relu},"
      + " {type = dense, units = 3}]";

  @TempDir
  Path tmp;

  private static double accuracy(Dataset<Row> predictions) {
    return new MulticlassClassificationEvaluator().setMetricName("accuracy")
        .evaluate(predictions);
  }

  @Test
  void fitsTransformsSavesAndLoads() throws Exception {
    Dataset<Row> train = frame(TestData.classification(800, 8, 3, 5L), 2);
    Dataset<Row> test = frame(TestData.classification(1200, 8, 3, 5L).slice(800, 1200), 2);
    SpindleClassifier clf = new SpindleClassifier().setNetwork(MLP)
        .setEpochs(5).setBatchSize(32).setLearningRate(0.01);
    SpindleClassificationModel model = clf.fit(train);
    assertEquals(3, model.numClasses());
    assertEquals(8, model.numFeatures());
    assertEquals(5, model.trainingResult().history().size());
    Dataset<Row> out = model.transform(test);
    assertEquals(List.of("label", "features", "prediction", "rawPrediction", "probability"),
        List.of(out.columns()));
    double acc = accuracy(out);
    // A random guess scores about 1/3; the teacher is linear, so a fit MLP does far better.
    assertTrue(acc > 0.8, "test accuracy " + acc);

    String path = tmp.resolve("model").toString();
    model.write().save(path);
    SpindleClassificationModel loaded = SpindleClassificationModel.load(path);
    assertEquals(model.uid(), loaded.uid());
    assertArrayEquals(model.weights(), loaded.weights());
    assertEquals(model.transform(test).select("prediction", "probability").collectAsList(),
        loaded.transform(test).select("prediction", "probability").collectAsList());
    // The weights are a Spindle model directory too.
    assertArrayEquals(model.weights(),
        io.spindle.io.SpindleModel.load(tmp.resolve("model/spindle-model")).params());

    String estimatorPath = tmp.resolve("estimator").toString();
    clf.save(estimatorPath);
    SpindleClassifier again = SpindleClassifier.load(estimatorPath);
    assertEquals(clf.uid(), again.uid());
    assertEquals(MLP, again.getNetwork());
    assertEquals(5, again.getEpochs());
    assertEquals(0.01, again.getLearningRate());
  }

  /**
   * A network with batch normalization: the model's weights are the model vector (parameters,
   * then running statistics), saved and loaded bit for bit, and transform uses the running
   * statistics: one row's prediction does not depend on the rows batched with it.
   */
  @Test
  void aBatchNormModelSavesLoadsAndPredictsWithItsRunningStatistics() throws Exception {
    String net = "layers = [{type = dense, units = 16}, {type = batch-norm, momentum = 0.2},"
        + " {type = relu}, {type = residual, layers = [{type = dense, units = 16},"
        + " {type = batch-norm}]}, {type = relu}, {type = dense, units = 3}]";
    Dataset<Row> train = frame(TestData.classification(800, 8, 3, 5L), 2);
    ExampleBlock testBlock = TestData.classification(1200, 8, 3, 5L).slice(800, 1200);
    Dataset<Row> test = frame(testBlock, 2);
    SpindleClassificationModel model = new SpindleClassifier().setNetwork(net)
        .setEpochs(3).setBatchSize(32).setLearningRate(0.01).fit(train);
    io.spindle.nn.NetworkSpec spec = model.toSpindleModel().spec();
    assertEquals(2 * 16 + 2 * 16, spec.stateCount());
    assertEquals(spec.modelSize(), model.weights().length);
    float[] state = java.util.Arrays.copyOfRange(model.weights(), spec.paramCount(),
        spec.modelSize());
    float[] fresh = java.util.Arrays.copyOfRange(spec.initParams(0), spec.paramCount(),
        spec.modelSize());
    assertTrue(TestData.maxRelativeError(state, fresh) > 0.05, "running statistics trained");
    assertTrue(accuracy(model.transform(test)) > 0.8);

    String path = tmp.resolve("bn-model").toString();
    model.write().save(path);
    SpindleClassificationModel loaded = SpindleClassificationModel.load(path);
    assertArrayEquals(model.weights(), loaded.weights());
    List<Row> all = loaded.transform(test).select("prediction", "probability").collectAsList();
    assertEquals(model.transform(test).select("prediction", "probability").collectAsList(), all);
    // One row alone predicts what it predicts among 400: no batch statistics at inference.
    // (Batch statistics of one row would normalize every feature to beta.)
    Dataset<Row> first = frame(testBlock.slice(0, 1), 1);
    Row alone = loaded.transform(first).select("prediction", "probability").collectAsList()
        .get(0);
    assertEquals(all.get(0).getDouble(0), alone.getDouble(0));
    double[] p = ((Vector) all.get(0).get(1)).toArray();
    double[] q = ((Vector) alone.get(1)).toArray();
    for (int i = 0; i < p.length; i++) {
      assertEquals(p[i], q[i], 1e-5, "probability " + i);
    }
    io.spindle.io.SpindleModel dir = io.spindle.io.SpindleModel.load(
        tmp.resolve("bn-model/spindle-model"));
    assertArrayEquals(model.weights(), dir.params());
  }

  @Test
  void transformBatchesGiveThePerRowPredictions() {
    ExampleBlock data = TestData.classification(300, 8, 3, 9L);
    SpindleClassificationModel model = new SpindleClassifier().setNetwork(MLP).setEpochs(1)
        .fit(frame(data, 2));
    // 7 rows per forward pass: partitions of 150 rows end in a partial batch.
    List<Row> rows = model.setInferenceBatchSize(7).transform(frame(data, 2))
        .select("features", "rawPrediction", "probability", "prediction").collectAsList();
    assertEquals(300, rows.size());
    // A one-row gemm sums in another order than a 7-row one: equal to float rounding.
    for (Row r : rows) {
      double[] single = model.predictRaw((Vector) r.get(0)).toArray();
      Vector raw = (Vector) r.get(1);
      assertArrayEquals(single, raw.toArray(), 1e-5);
      assertArrayEquals(model.raw2probability(raw).toArray(), ((Vector) r.get(2)).toArray(), 1e-12);
      assertEquals(raw.argmax(), (int) r.getDouble(3));
    }
  }

  @Test
  void transformIgnoresDropout() {
    // Heavy dropout, so any of it left on at inference moves every output.
    NetworkSpec withDropout = NetworkSpec.builder().input(8).dropout(0.3).dense(16).relu()
        .dropout(0.5).dense(3).build();
    NetworkSpec without = NetworkSpec.builder().input(8).dense(16).relu().dense(3).build();
    ExampleBlock data = TestData.classification(200, 8, 3, 31L);
    SpindleClassificationModel model = new SpindleClassifier().setNetwork(withDropout)
        .setEpochs(2).setLearningRate(0.01).fit(frame(data, 2));
    List<Row> rows = model.transform(frame(data, 2))
        .select("features", "rawPrediction").collectAsList();
    assertEquals(200, rows.size());
    // The same weights through a network without the dropout layers, all rows in one pass.
    float[] x = new float[rows.size() * 8];
    for (int j = 0; j < rows.size(); j++) {
      double[] f = ((Vector) rows.get(j).get(0)).toArray();
      for (int i = 0; i < 8; i++) {
        x[j * 8 + i] = (float) f[i];
      }
    }
    float[] expected = without.instantiate().forward(model.weights(), x, rows.size(), false);
    for (int j = 0; j < rows.size(); j++) {
      double[] raw = ((Vector) rows.get(j).get(1)).toArray();
      for (int c = 0; c < 3; c++) {
        // Another batching sums in another order: equal to float rounding.
        assertEquals(expected[j * 3 + c], raw[c], 1e-5 * Math.max(1, Math.abs(raw[c])),
            "row " + j + ", output " + c);
      }
    }
  }

  @Test
  void sameSeedAndDataGiveTheTrainerApisWeights() {
    // The Estimator and DistributedTrainer on the same 512 MNIST images in the same two
    // contiguous partitions: same initialization, same per-partition shuffles, same batches.
    // With two partitions the two gradient partials meet in one commutative float addition,
    // so the runs agree bit for bit (more partitions could sum in another order).
    ExampleBlock block = mnist(true, 512);
    NetworkSpec spec = NetworkSpec.builder().input(784).dense(32).relu().dense(10).build();
    int epochs = 2;
    int batch = 64;
    long seed = 7;
    SpindleClassificationModel model = new SpindleClassifier().setNetwork(spec).setEpochs(epochs)
        .setBatchSize(batch).setSeed(seed).setLearningRate(0.002).fit(frame(block, 2));

    TrainingOptions options = TrainingOptions.builder().epochs(epochs).batchSize(batch)
        .seed(seed).shuffle(true).evalEvery(0).build();
    float[] direct = new DistributedTrainer(jsc, spec,
        OptimizerSpec.defaults("adam").withLearningRate(0.002).build(spec.paramCount(), 16),
        options).partitions(2).fit(block, null, spec.initParams(seed)).params();
    assertFalse(java.util.Arrays.equals(direct, spec.initParams(seed)), "training moved");
    assertArrayEquals(direct, model.weights());
  }

  @Test
  void weightsScaleEachExamplesLoss() {
    // 2 classes by the sign of the first feature; 60% of the rows are copies with the label
    // flipped. Unweighted, the flipped rule wins; with weight 0 on the flipped rows the model
    // learns the true rule.
    SplittableRandom rng = new SplittableRandom(3);
    List<Row> rows = new ArrayList<>();
    List<Row> clean = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      double[] x = {rng.nextDouble() * 2 - 1, rng.nextDouble() * 2 - 1};
      double label = x[0] > 0 ? 1 : 0;
      boolean flipped = i % 5 < 3;
      rows.add(RowFactory.create(Vectors.dense(x), flipped ? 1 - label : label, flipped ? 0.0 : 1.0));
      clean.add(RowFactory.create(Vectors.dense(x), label, 1.0));
    }
    StructType schema = new StructType().add("features", SQLDataTypes.VectorType())
        .add("label", DataTypes.DoubleType).add("w", DataTypes.DoubleType);
    Dataset<Row> noisy = spark.createDataFrame(rows, schema).repartition(2);
    Dataset<Row> truth = spark.createDataFrame(clean, schema);
    SpindleClassifier clf = new SpindleClassifier()
        .setNetwork("loss = binary-cross-entropy, layers = [{type = dense, units = 1}]")
        .setEpochs(10).setBatchSize(50).setLearningRate(0.05);
    double unweighted = accuracy(clf.fit(noisy).transform(truth));
    double weighted = accuracy(clf.setWeightCol("w").fit(noisy).transform(truth));
    assertTrue(unweighted < 0.3, "unweighted accuracy " + unweighted);
    assertTrue(weighted > 0.9, "weighted accuracy " + weighted);
  }

  @Test
  void regressorFitsALinearOutputWithMse() throws Exception {
    ExampleBlock train = TestData.regression(1500, 3, 4L);
    ExampleBlock test = TestData.regression(300, 3, 8L);
    SpindleRegressor reg = new SpindleRegressor()
        .setNetwork("layers = [{type = dense, units = 32}, {type = tanh}, {type = dense, units = 1}]")
        .setEpochs(10).setBatchSize(100).setLearningRate(0.03);
    SpindleRegressionModel model = reg.fit(frame(train, 2));
    Dataset<Row> out = model.transform(frame(test, 2));
    double rmse = new RegressionEvaluator().setMetricName("rmse").evaluate(out);
    double std = out.select(functions.stddev_pop("label")).first().getDouble(0);
    // Predicting the mean scores rmse = std; sum_i sin(2 x_i) is smooth and learnable.
    assertTrue(rmse < 0.25 * std, "rmse " + rmse + " vs label std " + std);

    String path = tmp.resolve("regressor").toString();
    model.save(path);
    SpindleRegressionModel loaded = SpindleRegressionModel.load(path);
    assertEquals(out.select("prediction").collectAsList(),
        loaded.transform(frame(test, 2)).select("prediction").collectAsList());
  }

  @Test
  void badRowsAreReportedWithTheirColumn() {
    StructType schema = new StructType().add("features", SQLDataTypes.VectorType())
        .add("label", DataTypes.DoubleType);
    SpindleClassifier clf = new SpindleClassifier().setNetwork(MLP).setEpochs(1);
    List<Row> badLabel = List.of(RowFactory.create(Vectors.dense(new double[8]), 0.0),
        RowFactory.create(Vectors.dense(new double[8]), 3.0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> clf.fit(spark.createDataFrame(badLabel, schema)));
    assertTrue(e.getMessage().contains("label column 'label' holds 3.0")
        && e.getMessage().contains("[0, 3)"), e.getMessage());

    double[] nan = new double[8];
    nan[5] = Double.NaN;
    List<Row> badValue = List.of(RowFactory.create(new DenseVector(nan), 1.0));
    e = assertThrows(IllegalArgumentException.class,
        () -> clf.fit(spark.createDataFrame(badValue, schema)));
    assertTrue(e.getMessage().contains("column 'features' (value 5) is NaN"), e.getMessage());

    List<Row> shortRow = List.of(RowFactory.create(Vectors.dense(new double[7]), 1.0));
    e = assertThrows(IllegalArgumentException.class,
        () -> clf.setInputShape(8).fit(spark.createDataFrame(shortRow, schema)));
    assertTrue(e.getMessage().contains("holds 7 values") && e.getMessage().contains("needs 8"),
        e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> new SpindleClassifier()
        .setNetwork("loss = mse, layers = [{type = dense, units = 1}]")
        .fit(spark.createDataFrame(badLabel, schema)));
    assertTrue(e.getMessage().contains("SpindleClassifier needs"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new SpindleClassifier().fit(spark.createDataFrame(badLabel, schema)));
    assertTrue(e.getMessage().contains("the network is not set"), e.getMessage());
  }
}
