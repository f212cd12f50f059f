package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ImageFolders;
import io.spindle.data.TestImages;
import io.spindle.tensor.Shape;
import io.spindle.train.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spindle among Spark ML's own stages: pipelines, tuning, indexers, the image source. */
class SpindlePipelineTest extends MlTestBase {

  @TempDir
  Path tmp;

  private static final MulticlassClassificationEvaluator ACCURACY =
      new MulticlassClassificationEvaluator().setMetricName("accuracy");

  @Test
  void pipelineOnMnistSavesAndLoadsWithIdenticalPredictions() throws IOException {
    Dataset<Row> train = frame(mnist(true, 1000), 2).withColumnRenamed("features", "pixels");
    Dataset<Row> test = frame(mnist(false, 300), 2).withColumnRenamed("features", "pixels");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new VectorAssembler().setInputCols(new String[] {"pixels"}).setOutputCol("assembled"),
        new StandardScaler().setInputCol("assembled").setOutputCol("features"),
        new SpindleClassifier().setNetwork("layers = [{type = dense, units = 64}, {type = relu},"
            + " {type = dense, units = 10}]").setEpochs(3).setBatchSize(64).setSeed(3)});
    PipelineModel model = pipeline.fit(train);
    Dataset<Row> predicted = model.transform(test);
    double acc = ACCURACY.evaluate(predicted);
    // 1000 images, 3 epochs: far from MNIST's best, far above chance (0.1).
    assertTrue(acc > 0.75, "test accuracy " + acc);

    String path = tmp.resolve("pipeline").toString();
    model.write().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    assertTrue(loaded.stages()[2] instanceof SpindleClassificationModel);
    List<Row> before = predicted.select("prediction", "probability", "rawPrediction")
        .collectAsList();
    List<Row> after = loaded.transform(test).select("prediction", "probability", "rawPrediction")
        .collectAsList();
    assertEquals(300, after.size());
    assertEquals(before, after);
  }

  @Test
  void crossValidatorPicksFromALearningRateByEpochsGrid() {
    Dataset<Row> data = frame(TestData.classification(600, 8, 3, 17L), 2);
    SpindleClassifier clf = new SpindleClassifier().setNetwork("layers = [{type = dense, "
        + "units = 16}, {type = relu}, {type = dense, units = 3}]").setBatchSize(32).setSeed(5);
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(clf.learningRate(), new double[] {1e-6, 0.05})
        .addGrid(clf.epochs(), new int[] {2, 4})
        .build();
    CrossValidatorModel cv = new CrossValidator().setEstimator(clf).setEvaluator(ACCURACY)
        .setEstimatorParamMaps(grid).setNumFolds(2).setSeed(11).fit(data);
    double[] metrics = cv.avgMetrics();
    assertEquals(4, metrics.length);
    SpindleClassifier chosen = (SpindleClassifier) cv.bestModel().parent();
    // A learning rate of 1e-6 leaves the random initialization in place (chance: ~1/3), so
    // for either number of epochs the grid's other rate must score clearly better.
    String all = java.util.Arrays.toString(metrics);
    assertEquals(0.05, chosen.getLearningRate(), "avg metrics " + all);
    for (int i = 0; i < grid.length; i++) {
      for (int j = 0; j < grid.length; j++) {
        boolean sameEpochs = grid[i].apply(clf.epochs()).equals(grid[j].apply(clf.epochs()));
        double lrI = (Double) grid[i].apply(clf.learningRate());
        double lrJ = (Double) grid[j].apply(clf.learningRate());
        if (sameEpochs && lrI > lrJ) {
          assertTrue(metrics[i] > metrics[j] + 0.1, "avg metrics " + all);
        }
      }
    }
    assertTrue(cv.bestModel() instanceof SpindleClassificationModel);
  }

  @Test
  void stringIndexerAndIndexToStringRoundTripClassNames() {
    String[] names = {"red", "green", "blue"};
    Dataset<Row> data = frame(TestData.classification(600, 8, 3, 23L), 2)
        .withColumn("color", functions.element_at(functions.array(functions.lit(names[0]),
            functions.lit(names[1]), functions.lit(names[2])),
            functions.col("label").cast("int").plus(1)))
        .drop("label");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new StringIndexer().setInputCol("color").setOutputCol("label"),
        new SpindleClassifier().setNetwork("layers = [{type = dense, units = 16}, {type = relu},"
            + " {type = dense, units = 3}]").setEpochs(4).setBatchSize(32).setLearningRate(0.01),
        // No labels given: they come from the prediction column's metadata.
        new IndexToString().setInputCol("prediction").setOutputCol("predictedColor")});
    PipelineModel model = pipeline.fit(data);
    Dataset<Row> out = model.transform(data);
    SpindleClassificationModel spindle = (SpindleClassificationModel) model.stages()[1];
    assertEquals(List.of(names).stream().sorted().toList(),
        List.of(spindle.labels()).stream().sorted().toList());
    long right = out.where(functions.col("predictedColor").equalTo(functions.col("color")))
        .count();
    assertTrue(right > 0.8 * 600, right + " of 600 colors right");
  }

  @Test
  void trainsOnFoldersOfPngImagesThroughTheImageSource() throws IOException {
    Path train = tmp.resolve("train");
    Path test = tmp.resolve("test");
    TestImages.writeStripes(train, 40, 1L);
    TestImages.writeStripes(test, 12, 2L);
    Shape shape = Shape.of(3, 12, 12);
    Dataset<Row> trainFrame = ImageFolders.load(spark, train.toString(), shape);
    Dataset<Row> testFrame = ImageFolders.load(spark, test.toString(), shape,
        ImageFolders.classes(spark, train.toString()));
    assertEquals(80, trainFrame.count());
    SpindleClassificationModel model = new SpindleClassifier()
        .setNetwork("layers = [{type = conv2d, filters = 8, kernel = 3}, {type = relu},"
            + " {type = max-pool, size = 2}, {type = dense, units = 2}]")
        .setInputShape(3, 12, 12).setEpochs(20).setBatchSize(16).setLearningRate(0.02)
        .fit(trainFrame);
    assertArrayEquals(new String[] {"horizontal", "vertical"}, model.labels());
    Dataset<Row> out = new IndexToString().setInputCol("prediction").setOutputCol("class")
        .transform(model.transform(testFrame));
    double acc = ACCURACY.evaluate(out);
    assertTrue(acc > 0.9, "accuracy on held-out images " + acc);
    // IndexToString names each prediction with the model's labels, and the names are the
    // image folders': most images get the name of the folder they come from.
    List<Row> rows = out.select("origin", "prediction", "class").collectAsList();
    assertEquals(24, rows.size());
    int named = 0;
    for (Row r : rows) {
      String name = r.getString(2);
      assertEquals(model.labels()[(int) r.getDouble(1)], name, r.toString());
      named += r.getString(0).contains("/" + name + "/") ? 1 : 0;
    }
    assertTrue(named > 0.9 * rows.size(), named + " of " + rows.size() + " named by their folder");
  }
}
