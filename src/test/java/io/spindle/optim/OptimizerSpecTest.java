package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OptimizerSpecTest {

  @Test
  void unknownNameListsTheValidOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OptimizerSpec.defaults("rmsprop"));
    assertEquals("unknown optimizer 'rmsprop'; use one of sgd, momentum, nesterov, adam, adamw",
        e.getMessage());
  }

  @Test
  void buildsFromTheFixedRegistry() {
    assertInstanceOf(Sgd.class, OptimizerSpec.defaults("sgd").build(3, 0));
    assertInstanceOf(Momentum.class, OptimizerSpec.defaults("momentum").build(3, 0));
    assertInstanceOf(Adam.class, OptimizerSpec.defaults("adamw").build(3, 0));
    for (String name : OptimizerSpec.NAMES) {
      assertEquals(name, OptimizerSpec.defaults(name).build(3, 0).name());
    }
    assertEquals(0.01, OptimizerSpec.defaults("adamw").weightDecay());
    assertEquals(0.0, OptimizerSpec.defaults("adam").weightDecay());
    assertEquals(1e-3, OptimizerSpec.defaults("adam").learningRate());
  }

  @Test
  void outOfRangeHyperParametersAreRejected() {
    OptimizerSpec base = OptimizerSpec.defaults("momentum");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> base.withMomentum(1.0))
        .getMessage().contains("momentum must be in [0, 1)"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> base.withLearningRate(0))
        .getMessage().contains("learning-rate must be a finite positive number"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> base.withWeightDecay(-1))
        .getMessage().contains("weight-decay"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> base.withBetas(0.9, 1.0))
        .getMessage().contains("beta1 and beta2"));
  }

  /**
   * Minimizes f(w) = 1/2 sum a_i (w_i - c_i)^2 (plus 1/2 l2 |w|^2 where L2 applies). With L2 the
   * minimum moves to a_i c_i / (a_i + l2), so the test also proves the decay term is applied.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "adamw"})
  void minimizesAQuadratic(String name) {
    int n = 20;
    SplittableRandom rng = new SplittableRandom(7);
    double[] a = new double[n];
    double[] c = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = rng.nextDouble(0.5, 2.0);
      c[i] = rng.nextDouble(-3, 3);
    }
    double l2 = name.equals("adamw") ? 0.0 : 0.1;
    long iterations = 3000;
    OptimizerSpec spec = OptimizerSpec.defaults(name).withWeightDecay(l2)
        .withLearningRate(name.startsWith("adam") ? 0.05 : 0.1)
        .withSchedule(ScheduleSpec.cosine(0.0).withWarmup(10));
    Optimizer opt = spec.build(n, iterations);
    float[] w = new float[n];
    float[] g = new float[n];
    double startError = maxError(w, a, c, l2);
    for (long it = 0; it < iterations; it++) {
      for (int i = 0; i < n; i++) {
        g[i] = (float) (a[i] * (w[i] - c[i]));
      }
      opt.step(w, g, it);
    }
    assertTrue(startError > 0.5, "the start is far from the minimum");
    double error = maxError(w, a, c, l2);
    assertTrue(error < 1e-3, name + " ends " + error + " from the minimum");
  }

  private static double maxError(float[] w, double[] a, double[] c, double l2) {
    double max = 0;
    for (int i = 0; i < w.length; i++) {
      max = Math.max(max, Math.abs(w[i] - a[i] * c[i] / (a[i] + l2)));
    }
    return max;
  }
}
