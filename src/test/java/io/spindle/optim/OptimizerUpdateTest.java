package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The first steps of every optimizer against an independent double-precision transcription of
 * the update rules as PyTorch documents them (torch.optim.SGD, Adam, AdamW). The float32
 * optimizer must track the double reference to 1e-6, far below the size of one update
 * (about 1e-2 here), so a wrong term (bias correction, Nesterov look-ahead, where decay enters)
 * shows up at once.
 */
class OptimizerUpdateTest {

  private static final int N = 7;
  private static final int STEPS = 6;
  private static final double TOL = 1e-6;

  private final double[] w0 = new double[N];
  private final double[][] grads = new double[STEPS][N];

  OptimizerUpdateTest() {
    SplittableRandom rng = new SplittableRandom(42);
    for (int i = 0; i < N; i++) {
      w0[i] = toFloat(rng.nextDouble(-1.5, 1.5));
    }
    for (int t = 0; t < STEPS; t++) {
      for (int i = 0; i < N; i++) {
        // Values exactly representable in float, so both sides see the same gradient.
        grads[t][i] = toFloat(rng.nextDouble(-2.0, 2.0));
      }
    }
  }

  private static double toFloat(double x) {
    return (float) x;
  }

  private static float[] floats(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      f[i] = (float) x[i];
    }
    return f;
  }

  private static void assertTracks(double[] expected, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOL * Math.max(1.0, Math.abs(expected[i])),
          what + "[" + i + "]");
    }
  }

  /** The same rate at every step. */
  private static double[] constant(double lr) {
    double[] r = new double[STEPS];
    java.util.Arrays.fill(r, lr);
    return r;
  }

  /**
   * Runs the optimizer and the reference side by side, comparing weights and state each step.
   * The reference gets its rate at step t from {@code rates}, pinned by hand here, never from
   * the optimizer's own schedule (a wrong schedule would otherwise feed both sides).
   */
  private interface Reference {
    /** Updates w (and the reference's own state) for 0-based step t with learning rate lr. */
    void step(double[] w, double[] g, int t, double lr);

    default double[][] state() {
      return new double[0][];
    }
  }

  private void run(Optimizer opt, double[] rates, Reference ref) {
    assertEquals(STEPS, rates.length);
    float[] params = floats(w0);
    double[] w = w0.clone();
    double moved = 0;
    for (int t = 0; t < STEPS; t++) {
      float[] g = floats(grads[t]);
      opt.step(params, g, t);
      ref.step(w, grads[t], t, rates[t]);
      assertTracks(w, params, opt.name() + " step " + t + " weights");
      double[][] refState = ref.state();
      List<float[]> state = opt.state();
      assertEquals(refState.length, state.size(), "state arrays");
      for (int s = 0; s < refState.length; s++) {
        assertTracks(refState[s], state.get(s), opt.name() + " step " + t + " state " + s);
      }
    }
    for (int i = 0; i < N; i++) {
      moved = Math.max(moved, Math.abs(w[i] - w0[i]));
    }
    assertTrue(moved > 1e3 * TOL, "the reference moved the weights by only " + moved);
  }

  @Test
  void sgdWithL2() {
    double lr = 0.1;
    double l2 = 0.05;
    run(new Sgd(LearningRateSchedule.constant(lr), l2), constant(lr), (w, g, t, rate) -> {
      for (int i = 0; i < N; i++) {
        w[i] -= rate * (g[i] + l2 * w[i]);
      }
    });
  }

  /** torch.optim.SGD(momentum=mu, dampening=0, weight_decay=l2, nesterov=...). */
  private static Reference torchSgdMomentum(double mu, double l2, boolean nesterov) {
    return new Reference() {
      final double[] buf = new double[N];

      @Override
      public void step(double[] w, double[] g, int t, double lr) {
        for (int i = 0; i < N; i++) {
          double d = g[i] + l2 * w[i];
          buf[i] = t == 0 ? d : mu * buf[i] + d; // PyTorch: first step buf = clone(d_p)
          double update = nesterov ? d + mu * buf[i] : buf[i];
          w[i] -= lr * update;
        }
      }

      @Override
      public double[][] state() {
        return new double[][] {buf};
      }
    };
  }

  @Test
  void heavyBallMomentumWithL2() {
    run(new Momentum(LearningRateSchedule.constant(0.05), 0.9, false, 0.01, N), constant(0.05),
        torchSgdMomentum(0.9, 0.01, false));
  }

  @Test
  void nesterovMomentumWithL2() {
    run(new Momentum(LearningRateSchedule.constant(0.05), 0.9, true, 0.01, N), constant(0.05),
        torchSgdMomentum(0.9, 0.01, true));
  }

  @Test
  void momentumKeepsTheLearningRateOutsideTheVelocity() {
    // A rate that halves every 2 steps: PyTorch's form applies the new rate to the whole
    // velocity at once.
    run(new Momentum(LearningRateSchedule.step(0.1, 2, 0.5), 0.8, true, 0.0, N),
        new double[] {0.1, 0.1, 0.05, 0.05, 0.025, 0.025}, torchSgdMomentum(0.8, 0.0, true));
  }

  /** torch.optim.Adam (weight_decay = L2 on the gradient) and torch.optim.AdamW. */
  private static Reference torchAdam(double b1, double b2, double eps, double decay,
      boolean decoupled) {
    return new Reference() {
      final double[] m = new double[N];
      final double[] v = new double[N];

      @Override
      public void step(double[] w, double[] g, int t, double lr) {
        int step = t + 1;
        double bc1 = 1 - Math.pow(b1, step);
        double bc2 = 1 - Math.pow(b2, step);
        for (int i = 0; i < N; i++) {
          double gi = g[i];
          if (decoupled) {
            w[i] *= 1 - lr * decay;
          } else {
            gi += decay * w[i];
          }
          m[i] = b1 * m[i] + (1 - b1) * gi;
          v[i] = b2 * v[i] + (1 - b2) * gi * gi;
          double mHat = m[i] / bc1;
          double vHat = v[i] / bc2;
          w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
      }

      @Override
      public double[][] state() {
        return new double[][] {m, v};
      }
    };
  }

  @Test
  void adam() {
    run(Adam.adam(LearningRateSchedule.constant(0.01), 0.9, 0.999, 1e-8, 0.0, N), constant(0.01),
        torchAdam(0.9, 0.999, 1e-8, 0.0, false));
  }

  @Test
  void adamWithL2AndOtherBetas() {
    run(Adam.adam(LearningRateSchedule.constant(0.02), 0.8, 0.99, 1e-3, 0.1, N), constant(0.02),
        torchAdam(0.8, 0.99, 1e-3, 0.1, false));
  }

  @Test
  void adamWDecaysTheWeightsDirectly() {
    // A large decay so the decoupled term (lr * decay * w, ~1e-3) dwarfs the tolerance.
    run(Adam.adamW(LearningRateSchedule.constant(0.01), 0.9, 0.999, 1e-8, 0.2, N), constant(0.01),
        torchAdam(0.9, 0.999, 1e-8, 0.2, true));
  }

  @Test
  void adamWWithWarmupAndCosine() {
    LearningRateSchedule lr = ScheduleSpec.cosine(0.001).withWarmup(2).build(0.03, STEPS);
    // Warm-up: (t + 1) / 2 of 0.03; then a cosine from 0.03 to 0.001 over the 4 steps left,
    // 0.001 + 0.0145 (1 + cos(pi s / 4)) at its step s.
    double[] rates = {0.015, 0.03, 0.03, 0.001 + 0.0145 * (1 + Math.sqrt(0.5)), 0.0155,
        0.001 + 0.0145 * (1 - Math.sqrt(0.5))};
    run(Adam.adamW(lr, 0.9, 0.999, 1e-8, 0.05, N), rates, torchAdam(0.9, 0.999, 1e-8, 0.05, true));
  }

  @Test
  void specBuildsTheMatchingOptimizer() {
    OptimizerSpec spec = OptimizerSpec.defaults("nesterov").withLearningRate(0.05)
        .withMomentum(0.9).withWeightDecay(0.01);
    run(spec.build(N, 0), constant(0.05), torchSgdMomentum(0.9, 0.01, true));
    OptimizerSpec adamW = OptimizerSpec.defaults("adamw").withLearningRate(0.01)
        .withWeightDecay(0.2);
    run(adamW.build(N, 0), constant(0.01), torchAdam(0.9, 0.999, 1e-8, 0.2, true));
  }
}
