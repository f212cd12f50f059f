package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.spark.SparkConfs;
import io.spindle.train.TestData;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Spark ML estimator and model in a session whose serializer is Kryo. */
class SpindleClassifierKryoTest extends MlTestBase {

  @BeforeAll
  static void restartWithKryo() {
    spark.stop();
    SparkConf conf = SparkConfs.withDefaults(new SparkConf())
        .setMaster("local[2]").setAppName("spindle-ml-kryo-test")
        .set("spark.ui.enabled", "false")
        .set("spark.sql.shuffle.partitions", "2")
        .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    spark = SparkSession.builder().config(conf).getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @Test
  void fitsAndTransformsUnderKryo() {
    assertEquals("org.apache.spark.serializer.KryoSerializer",
        jsc.getConf().get("spark.serializer"));
    Dataset<Row> train = frame(TestData.classification(800, 8, 3, 5L), 2);
    Dataset<Row> test = frame(TestData.classification(1200, 8, 3, 5L).slice(800, 1200), 2);
    SpindleClassificationModel model = new SpindleClassifier()
        .setNetwork("layers = [{type = dense, units = 16}, {type = relu},"
            + " {type = dense, units = 3}]")
        .setEpochs(5).setBatchSize(32).setLearningRate(0.01).fit(train);
    Dataset<Row> out = model.transform(test);
    List<Row> rows = out.select("features", "rawPrediction", "probability", "prediction")
        .collectAsList();
    assertEquals(400, rows.size());
    // The same bar as SpindleClassifierTest#fitsTransformsSavesAndLoads (same data and settings).
    double acc = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(out);
    assertTrue(acc > 0.8, "accuracy " + acc);
    // Each row's outputs are the model's weights applied locally, on the driver.
    float[] x = new float[rows.size() * 8];
    for (int j = 0; j < rows.size(); j++) {
      double[] f = ((Vector) rows.get(j).get(0)).toArray();
      for (int i = 0; i < 8; i++) {
        x[j * 8 + i] = (float) f[i];
      }
    }
    float[] logits = model.spec().instantiate().forward(model.weights(), x, rows.size(), false);
    for (int j = 0; j < rows.size(); j++) {
      double[] raw = ((Vector) rows.get(j).get(1)).toArray();
      double[] probability = ((Vector) rows.get(j).get(2)).toArray();
      double sum = 0;
      for (int c = 0; c < 3; c++) {
        assertEquals(logits[j * 3 + c], raw[c], 1e-5 * Math.max(1, Math.abs(raw[c])),
            "row " + j + ", raw " + c);
        sum += Math.exp(raw[c]);
      }
      for (int c = 0; c < 3; c++) {
        assertEquals(Math.exp(raw[c]) / sum, probability[c], 1e-9, "row " + j + ", p" + c);
      }
      assertEquals(new DenseVector(raw).argmax(), (int) rows.get(j).getDouble(3), "row " + j);
    }
  }
}
