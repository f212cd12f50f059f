package io.spindle.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Optimizer;
import io.spindle.optim.OptimizerSpec;
import io.spindle.train.EpochSummary;
import io.spindle.train.Metrics;
import io.spindle.train.TrainingContext;
import io.spindle.train.TrainingListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Interrupt-and-resume runs for the exact-resume tests, whatever trains (local or Spark): a run
 * with checkpoints that crashes before iteration k, then a run resumed from the newest valid
 * checkpoint with a fresh optimizer, compared bit for bit with an uninterrupted run.
 */
public final class ResumeHarness {

  /** Trains with the given optimizer and options from {@code init}. */
  @FunctionalInterface
  public interface Fit {
    TrainingResult fit(Optimizer optimizer, TrainingOptions options, float[] init);
  }

  /** The simulated crash. */
  public static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Crash(long iteration) {
      super("simulated crash before iteration " + iteration);
    }
  }

  /** Throws before the optimizer step of iteration {@code k}: iterations 0..k-1 are done. */
  public static TrainingListener crashBefore(long k) {
    return new TrainingListener() {
      @Override
      public void beforeUpdate(TrainingContext ctx, float[] meanGradient, Metrics batch) {
        if (ctx.iteration() == k) {
          throw new Crash(k);
        }
      }
    };
  }

  private final NetworkSpec spec;
  private final OptimizerSpec optimizer;
  private final TrainingOptions base;
  private final long initSeed;
  private final Fit fit;

  public ResumeHarness(NetworkSpec spec, OptimizerSpec optimizer, TrainingOptions base,
      long initSeed, Fit fit) {
    this.spec = spec;
    this.optimizer = optimizer;
    this.base = base;
    this.initSeed = initSeed;
    this.fit = fit;
  }

  public Optimizer freshOptimizer() {
    return optimizer.build(spec.paramCount(), 0);
  }

  public TrainingResult uninterrupted() {
    return fit.fit(freshOptimizer(), base, spec.initParams(initSeed));
  }

  /** What an interrupted and resumed run produced. */
  public record Resumed(TrainingResult result, Checkpoint from, List<EpochSummary> history,
      List<String> warnings) {}

  /**
   * Crashes before iteration {@code k} with checkpoints every {@code everyIterations} into
   * {@code dir}, then resumes from the newest valid checkpoint (or from scratch when none was
   * written) and trains to the end.
   */
  public Resumed interruptAndResume(Path dir, long k, int everyIterations, int everyEpochs)
      throws IOException {
    CheckpointStore store = CheckpointStore.open(dir.toString(), null);
    TrainingOptions first = base.toBuilder()
        .listener(CheckpointListener.builder(store).everyIterations(everyIterations)
            .everyEpochs(everyEpochs).keep(2).build())
        .listener(crashBefore(k))
        .build();
    assertThrows(Crash.class, () -> fit.fit(freshOptimizer(), first, spec.initParams(initSeed)));

    List<String> warnings = new ArrayList<>();
    Checkpoint cp = store.list().isEmpty() ? null : store.latestValid(warnings::add);
    Optimizer optimizer = freshOptimizer();
    TrainingOptions.Builder b = base.toBuilder();
    float[] init = spec.initParams(initSeed);
    if (cp != null) {
      cp.resume(b, optimizer);
      init = cp.params();
    }
    b.listener(CheckpointListener.builder(store).everyIterations(everyIterations)
        .everyEpochs(everyEpochs).keep(2).resumedFrom(cp).build());
    TrainingResult r = fit.fit(optimizer, b.build(), init);
    List<EpochSummary> history = new ArrayList<>(cp != null ? cp.history() : List.of());
    history.addAll(r.history());
    return new Resumed(r, cp, history, warnings);
  }

  /** Bit-for-bit equality of the weights and of each epoch's training figures. */
  public static void assertSameRun(TrainingResult expected, Resumed actual, String what,
      boolean exactTestLoss) {
    assertArrayEquals(bits(expected.params()), bits(actual.result().params()),
        what + ": final weights differ");
    assertEquals(expected.iterations(), actual.result().iterations(), what);
    assertEquals(expected.history().size(), actual.history().size(), what + ": epochs");
    for (int e = 0; e < expected.history().size(); e++) {
      EpochSummary x = expected.history().get(e);
      EpochSummary y = actual.history().get(e);
      String at = what + ", epoch " + x.epoch();
      assertEquals(x.epoch(), y.epoch(), at);
      assertEquals(x.iterations(), y.iterations(), at);
      assertEquals(Double.doubleToLongBits(x.trainLoss()), Double.doubleToLongBits(y.trainLoss()),
          at + ": train loss " + x.trainLoss() + " vs " + y.trainLoss());
      assertEquals(x.trainAccuracy(), y.trainAccuracy(), 0.0, at);
      assertEquals(x.testAccuracy(), y.testAccuracy(), 0.0, at);
      if (exactTestLoss) {
        assertEquals(x.testLoss(), y.testLoss(), 0.0, at);
      } else {
        assertEquals(x.testLoss(), y.testLoss(), 1e-12 * Math.abs(x.testLoss()), at);
      }
    }
  }

  public static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }
}
