package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spindle.io.ResumeHarness;
import io.spindle.train.TestData;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The ML API's {@code sync} param: the same weights in both modes, and checked values. */
class SpindleClassifierSyncTest extends MlTestBase {

  static final String MLP = "layers = [{type = dense, units = 16}, {type = relu},"
      + " {type = dropout, rate = 0.1}, {type = dense, units = 3}]";

  SpindleClassificationModel fit(Dataset<Row> train, String sync) {
    return new SpindleClassifier().setNetwork(MLP).setEpochs(2).setBatchSize(32)
        .setLearningRate(0.01).setSync(sync).fit(train);
  }

  @Test
  void barrierAndOneJobPerIterationFitTheSameWeights() {
    Dataset<Row> train = frame(TestData.classification(600, 8, 3, 5L), 2);
    SpindleClassificationModel job = fit(train, "job");
    SpindleClassificationModel barrier = fit(train, "barrier");
    SpindleClassificationModel auto = fit(train, "auto");
    assertEquals("auto", new SpindleClassifier().getSync(), "the default");
    assertArrayEquals(ResumeHarness.bits(job.weights()), ResumeHarness.bits(barrier.weights()));
    assertArrayEquals(ResumeHarness.bits(job.weights()), ResumeHarness.bits(auto.weights()));
  }

  @Test
  void anUnknownModeIsRefusedWhenSet() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SpindleClassifier().setSync("allreduce"));
    assertEquals(true, e.getMessage().contains("sync"), e.getMessage());
  }
}
