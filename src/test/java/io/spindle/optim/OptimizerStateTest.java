package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Checkpoint state: restoring it resumes bit for bit, and mismatched state is refused. */
class OptimizerStateTest {

  private static final int N = 11;

  private static float[] gradient(long iteration) {
    SplittableRandom rng = new SplittableRandom(1000 + iteration);
    float[] g = new float[N];
    for (int i = 0; i < N; i++) {
      g[i] = (float) rng.nextDouble(-1, 1);
    }
    return g;
  }

  private static OptimizerSpec spec(String name) {
    return OptimizerSpec.defaults(name).withLearningRate(0.05).withWeightDecay(0.01)
        .withSchedule(ScheduleSpec.cosine(0.001).withWarmup(3));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "adamw"})
  void restoredStateResumesExactly(String name) {
    long total = 20;
    long checkpointAt = 7;
    float[] params = new float[N];
    java.util.Arrays.fill(params, 0.5f);
    Optimizer uninterrupted = spec(name).build(N, total);
    float[] saved = null;
    List<float[]> savedState = null;
    for (long it = 0; it < total; it++) {
      if (it == checkpointAt) {
        saved = params.clone();
        savedState = new ArrayList<>();
        for (float[] s : uninterrupted.state()) {
          savedState.add(s.clone());
        }
      }
      uninterrupted.step(params, gradient(it), it);
    }

    Optimizer resumed = spec(name).build(N, total);
    resumed.restoreState(savedState);
    float[] resumedParams = saved.clone();
    for (long it = checkpointAt; it < total; it++) {
      resumed.step(resumedParams, gradient(it), it);
    }
    assertArrayEquals(params, resumedParams, name + " resumed from iteration " + checkpointAt);
    assertEquals(resumed.stateNames().size(), resumed.state().size());
    assertEquals(name, resumed.name());
  }

  @Test
  void freshStateDiffersFromRestoredState() {
    // Guards the test above: without the restore, the resumed run would differ.
    Optimizer a = spec("adam").build(N, 20);
    Optimizer b = spec("adam").build(N, 20);
    float[] pa = new float[N];
    float[] pb = new float[N];
    a.step(pa, gradient(0), 0);
    a.step(pa, gradient(1), 1);
    b.step(pb, gradient(1), 1);
    assertFalse(java.util.Arrays.equals(pa, pb));
  }

  @Test
  void stateOfTheWrongShapeIsRefusedAndLeavesStateUntouched() {
    Optimizer adam = spec("adam").build(N, 20);
    adam.step(new float[N], gradient(0), 0);
    float[] mBefore = adam.state().get(0).clone();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> adam.restoreState(List.of(new float[N])));
    assertTrue(e.getMessage().contains("expected 2 array(s) [m, v] but got 1"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> adam.restoreState(List.of(new float[N], new float[N + 1])));
    assertTrue(e.getMessage().contains("'v': expected 11 floats but got 12"), e.getMessage());
    assertArrayEquals(mBefore, adam.state().get(0), "m untouched by a rejected restore");

    e = assertThrows(IllegalArgumentException.class,
        () -> spec("sgd").build(N, 20).restoreState(List.of(new float[N])));
    assertTrue(e.getMessage().startsWith("sgd state: expected 0 array(s)"), e.getMessage());
  }

  @Test
  void stepOnAnotherNetworksVectorsIsRefused() {
    Optimizer momentum = spec("momentum").build(N, 20);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> momentum.step(new float[N + 1], new float[N + 1], 0));
    assertTrue(e.getMessage().contains("built for 11 parameters"), e.getMessage());
  }
}
