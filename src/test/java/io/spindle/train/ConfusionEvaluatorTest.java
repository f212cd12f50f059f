package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.MeanSquaredError;
import io.spindle.nn.loss.SigmoidBinaryCrossEntropy;
import io.spindle.nn.loss.SoftmaxCrossEntropy;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConfusionEvaluatorTest {

  private static final NetworkSpec SOFTMAX = NetworkSpec.builder().input(4).dense(5).relu()
      .dense(3).loss(new SoftmaxCrossEntropy()).build();

  /** Random features and labels 0..2, 23 examples (not a multiple of the batch sizes used). */
  private static ExampleBlock block(int count, int classes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[count * 4];
    float[] y = new float[count];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < count; i++) {
      y[i] = rng.nextInt(classes);
    }
    return ExampleBlock.ofFloats(x, y, count, 4, 1);
  }

  @Test
  void matchesOneExampleAtATimeForAnyBatchSize() {
    float[] params = SOFTMAX.initParams(7);
    ExampleBlock data = block(23, 3, 11);
    // Reference: one example per forward pass, argmax and loss sums taken here.
    GradientStep single = new GradientStep(SOFTMAX);
    ConfusionMatrix expected = new ConfusionMatrix(3);
    Metrics expectedMetrics = new Metrics();
    float[] x = new float[4];
    float[] y = new float[1];
    for (int i = 0; i < data.count(); i++) {
      data.gatherRange(i, 1, x, y);
      float[] out = single.predictRaw(params, x, 1);
      int best = 0;
      for (int k = 1; k < 3; k++) {
        best = out[k] > out[best] ? k : best;
      }
      expected.add((int) y[0], best);
      single.evaluate(params, x, y, 1, expectedMetrics);
    }
    for (int batch : new int[] {1, 5, 23, 64}) {
      ConfusionEvaluator.Result r = new ConfusionEvaluator(SOFTMAX, batch).evaluate(params, data);
      assertEquals(expected, r.confusion(), "batch " + batch);
      assertEquals(23, r.metrics().count);
      assertEquals(expected.correct(), r.metrics().correct);
      assertEquals(expectedMetrics.lossSum, r.metrics().lossSum, 1e-4 * expectedMetrics.lossSum);
    }
  }

  @Test
  void partitionResultsMergeToTheWholeResult() {
    float[] params = SOFTMAX.initParams(3);
    ExampleBlock data = block(50, 3, 5);
    ConfusionEvaluator evaluator = new ConfusionEvaluator(SOFTMAX, 8);
    ConfusionEvaluator.Result whole = evaluator.evaluate(params, data);
    ConfusionEvaluator.Result merged = evaluator.newResult();
    for (ExampleBlock part : data.split(3)) {
      merged.merge(evaluator.evaluate(params, part));
    }
    assertEquals(whole.confusion(), merged.confusion());
    assertEquals(whole.metrics().correct, merged.metrics().correct);
    assertEquals(whole.metrics().count, merged.metrics().count);
    assertEquals(whole.metrics().correct, whole.confusion().correct());
  }

  @Test
  void oneSigmoidOutputGivesTwoClassesAndRegressionNone() {
    NetworkSpec binary = NetworkSpec.builder().input(4).dense(1)
        .loss(new SigmoidBinaryCrossEntropy()).build();
    ConfusionEvaluator evaluator = new ConfusionEvaluator(binary, 4);
    assertEquals(2, evaluator.classes());
    ConfusionEvaluator.Result r = evaluator.evaluate(binary.initParams(1), block(9, 2, 2));
    assertEquals(9, r.confusion().total());
    assertEquals(r.metrics().correct, r.confusion().correct());

    NetworkSpec multiLabel = NetworkSpec.builder().input(4).dense(3)
        .loss(new SigmoidBinaryCrossEntropy()).build();
    assertEquals(0, ConfusionEvaluator.classesOf(multiLabel));

    NetworkSpec regression = NetworkSpec.builder().input(4).dense(1)
        .loss(new MeanSquaredError()).build();
    ConfusionEvaluator.Result mse = new ConfusionEvaluator(regression)
        .evaluate(regression.initParams(1), block(6, 2, 3));
    assertNull(mse.confusion());
    assertEquals(6, mse.metrics().count);
  }

  @Test
  void mismatchedDataIsRefused() {
    ExampleBlock wrong = ExampleBlock.ofFloats(new float[6], new float[2], 2, 3, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ConfusionEvaluator(SOFTMAX).evaluate(SOFTMAX.initParams(1), wrong));
    assertEquals("examples have 3 features but the network input 4 needs 4; fix"
        + " data.input-shape or the data", e.getMessage());
  }
}
