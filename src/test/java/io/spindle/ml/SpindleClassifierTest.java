package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.train.TestData;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpindleClassifierTest extends MlTestBase {

  @TempDir
  Path tmp;

  @Test
  void fitsTransformsSavesAndLoads() throws Exception {
    Dataset<Row> train = frame(TestData.classification(800, 8, 3, 5L), 2);
    Dataset<Row> test = frame(TestData.classification(400, 8, 3, 5L).slice(0, 400), 2);
    SpindleClassifier clf = new SpindleClassifier()
        .setNetwork("layers = [{type = dense, units = 16}, {type = relu}, {type = dense, units = 3}]")
        .setEpochs(5).setBatchSize(32).setLearningRate(0.01);
    SpindleClassificationModel model = clf.fit(train);
    Dataset<Row> out = model.transform(test);
    out.show(3);
    double acc = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(out);
    System.out.println("accuracy " + acc);
    assertTrue(acc > 0.5, "accuracy " + acc);
    String path = tmp.resolve("model").toString();
    model.write().save(path);
    SpindleClassificationModel loaded = SpindleClassificationModel.load(path);
    List<Row> a = model.transform(test).select("probability").collectAsList();
    List<Row> b = loaded.transform(test).select("probability").collectAsList();
    assertEquals(a, b);
    assertArrayEquals(model.weights(), loaded.weights());
  }
}
