package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.BatchSchedule;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Sgd;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Each way of diverging, from a scripted gradient source, through the real trainer loop. */
class DivergenceCheckTest {

  final NetworkSpec spec = NetworkSpec.builder().input(2).dense(1)
      .loss(new io.spindle.nn.loss.MeanSquaredError()).build();

  /** Gradient 1 and loss 1 until {@code badIteration}, then the given values. */
  GradientSource scripted(long badIteration, double badLoss, float badGrad) {
    BatchSchedule schedule = new BatchSchedule(new long[] {100}, 10);
    return new GradientSource() {
      @Override
      public BatchSchedule schedule() {
        return schedule;
      }

      @Override
      public Metrics accumulate(Progress p, float[] params, float[] gradSum) {
        boolean bad = p.iteration() == badIteration;
        Arrays.fill(gradSum, 10 * (bad ? badGrad : 1f));
        return new Metrics().add(10 * (bad ? badLoss : 1.0), 0, 10);
      }
    };
  }

  TrainingDivergedException run(GradientSource source, double lr, float[][] lastGood) {
    TrainingOptions options = TrainingOptions.builder().epochs(2).batchSize(10)
        .listener(new TrainingListener() {
          @Override
          public void onIteration(TrainingContext ctx, Metrics batch) {
            lastGood[0] = ctx.params().clone();
          }
        }).build();
    // The divergence check runs before user listeners, so lastGood holds the params after
    // the last successful step.
    return assertThrows(TrainingDivergedException.class,
        () -> new Trainer(spec, new Sgd(lr), options).fit(source, null, new float[3]));
  }

  @Test
  void nanLossStopsBeforeTheUpdate() {
    float[][] good = new float[1][];
    TrainingDivergedException e = run(scripted(7, Double.NaN, 1f), 0.1, good);
    assertEquals(7, e.iteration());
    assertEquals("loss", e.quantity());
    assertTrue(e.getMessage().startsWith("training diverged at iteration 8 (epoch 1, step 8/10):"
        + " the loss is NaN."), e.getMessage());
    assertArrayEquals(good[0], e.params());
  }

  @Test
  void infiniteGradientStopsBeforeTheUpdate() {
    float[][] good = new float[1][];
    TrainingDivergedException e = run(scripted(12, 1.0, Float.POSITIVE_INFINITY), 0.1, good);
    assertEquals("gradient", e.quantity());
    assertTrue(e.getMessage().contains("iteration 13 (epoch 2, step 3/10): the gradient is +Inf"),
        e.getMessage());
    assertArrayEquals(good[0], e.params());
  }

  @Test
  void anUpdateThatOverflowsIsUndone() {
    float[][] good = new float[1][];
    // A finite gradient of 1e37 at learning rate 1e6 overflows the float parameters.
    TrainingDivergedException e = run(scripted(3, 1.0, 1e37f), 1e6, good);
    assertEquals("update of the parameters", e.quantity());
    assertTrue(TestData.allFinite(e.params()));
    assertArrayEquals(good[0], e.params(), "restored to the values before the bad step");
  }
}
