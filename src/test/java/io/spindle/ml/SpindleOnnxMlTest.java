package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.MeanSquaredError;
import io.spindle.onnx.OnnxBadFiles;
import io.spindle.train.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark ML models export to ONNX and are built from ONNX files. */
class SpindleOnnxMlTest extends MlTestBase {

  @TempDir
  Path tmp;

  static float[] features(ExampleBlock b) {
    float[] x = new float[b.count() * b.featureSize()];
    b.gatherRange(0, b.count(), x, new float[b.count() * b.targetSize()]);
    return x;
  }

  @Test
  void anImportedClassifierTransformsAsOnnxRuntimeScores() throws Exception {
    Path file = tmp.resolve("torch.onnx");
    byte[] bytes = OnnxBadFiles.torchCnn();
    Files.write(file, bytes);
    SpindleClassificationModel model = SpindleClassificationModel.fromOnnx(file);
    assertEquals(10, model.numClasses());
    assertEquals(784, model.numFeatures());
    ExampleBlock test = mnist(false, 40);
    List<Row> rows = model.transform(frame(test, 2)).select("probability", "prediction").collectAsList();
    float[][] ort = OnnxBadFiles.runtime(bytes, "x", model.spec(), features(test), 40).get("prob");
    for (int i = 0; i < rows.size(); i++) {
      Vector p = rows.get(i).getAs(0);
      for (int c = 0; c < 10; c++) {
        assertEquals(ort[i][c], p.apply(c), 1e-4, "row " + i + " class " + c);
      }
      assertEquals(p.argmax(), rows.get(i).getDouble(1), 0.0);
    }
  }

  @Test
  void aFitClassifierExportsAndOnnxRuntimeGivesItsRawPrediction() throws Exception {
    ExampleBlock data = TestData.classification(200, 8, 3, 5L);
    SpindleClassificationModel model = new SpindleClassifier()
        .setNetwork("layers = [{type = dense, units = 16}, {type = tanh}, {type = dense, units = 3}]")
        .setEpochs(1).setBatchSize(50).setLearningRate(0.01).fit(frame(data, 2));
    Path file = tmp.resolve("fit.onnx");
    model.exportOnnx(file);
    List<Row> rows = model.transform(frame(data, 2)).select("rawPrediction").collectAsList();
    float[][] ort = OnnxBadFiles.runtime(Files.readAllBytes(file), "input", model.spec(),
        features(data), data.count()).get("logits");
    for (int i = 0; i < rows.size(); i++) {
      Vector raw = rows.get(i).getAs(0);
      for (int c = 0; c < 3; c++) {
        assertEquals(ort[i][c], raw.apply(c), 1e-4, "row " + i);
      }
    }
    SpindleClassificationModel back = SpindleClassificationModel.fromOnnx(file);
    assertArrayEquals(model.weights(), back.weights());
  }

  @Test
  void aRegressorRoundTripsThroughOnnx() throws Exception {
    NetworkSpec spec = NetworkSpec.builder().input(6).dense(5).relu().dense(1)
        .loss(new MeanSquaredError()).build();
    SpindleRegressionModel model = new SpindleRegressionModel("reg", spec, spec.initParams(4));
    Path file = tmp.resolve("reg.onnx");
    model.exportOnnx(file);
    SpindleRegressionModel back = SpindleRegressionModel.fromOnnx(file);
    ExampleBlock data = TestData.regression(50, 6, 2L);
    assertEquals(model.transform(frame(data, 2)).select("prediction").collectAsList(),
        back.transform(frame(data, 2)).select("prediction").collectAsList());
    assertTrue(SpindleModel.importOnnx(file).spec().loss() instanceof MeanSquaredError);
  }

}
