package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Schedule values at the iterations where their formulas change. */
class LearningRateScheduleTest {

  private static final double EPS = 1e-15;

  @Test
  void constantIsConstant() {
    LearningRateSchedule s = LearningRateSchedule.constant(0.03);
    assertEquals(0.03, s.rate(0), EPS);
    assertEquals(0.03, s.rate(1_000_000), EPS);
  }

  @Test
  void stepMultipliesByGammaEveryNIterations() {
    LearningRateSchedule s = LearningRateSchedule.step(0.1, 10, 0.5);
    assertEquals(0.1, s.rate(0), EPS);
    assertEquals(0.1, s.rate(9), EPS);
    assertEquals(0.05, s.rate(10), EPS);
    assertEquals(0.05, s.rate(19), EPS);
    assertEquals(0.025, s.rate(20), EPS);
    assertEquals(0.1 * Math.pow(0.5, 7), s.rate(75), EPS);
  }

  @Test
  void cosineGoesFromTheRateToTheMinimumOverTheRun() {
    double base = 0.1;
    double min = 0.001;
    LearningRateSchedule s = LearningRateSchedule.cosine(base, min, 100);
    assertEquals(base, s.rate(0), EPS);
    assertEquals((base + min) / 2, s.rate(50), EPS);
    // A quarter of the way: cos(pi/4) = sqrt(2)/2.
    assertEquals(min + (base - min) * (1 + Math.sqrt(0.5)) / 2, s.rate(25), 1e-12);
    assertEquals(min, s.rate(100), EPS);
    assertEquals(min, s.rate(150), EPS, "flat after the run");
    for (int i = 1; i <= 100; i++) {
      assertTrue(s.rate(i) < s.rate(i - 1), "decreasing at " + i);
    }
  }

  @Test
  void warmupRampsLinearlyThenHandsOver() {
    LearningRateSchedule s = LearningRateSchedule.constant(0.1).withWarmup(5);
    assertEquals(0.02, s.rate(0), 1e-12);
    assertEquals(0.06, s.rate(2), 1e-12);
    assertEquals(0.1, s.rate(4), 1e-12);
    assertEquals(0.1, s.rate(5), EPS);
    assertEquals(0.1, s.rate(500), EPS);
    assertEquals(LearningRateSchedule.constant(0.1), LearningRateSchedule.constant(0.1).withWarmup(0));
  }

  @Test
  void warmupShiftsTheWrappedSchedule() {
    LearningRateSchedule step = LearningRateSchedule.step(0.1, 10, 0.1).withWarmup(4);
    assertEquals(0.025, step.rate(0), 1e-12);
    assertEquals(0.1, step.rate(4), EPS);
    assertEquals(0.1, step.rate(13), EPS);
    assertEquals(0.01, step.rate(14), 1e-12);
  }

  @Test
  void specCosineWithWarmupEndsAtTheMinimumAtTheTotal() {
    LearningRateSchedule s = ScheduleSpec.cosine(0.0).withWarmup(10).build(0.2, 110);
    assertEquals(0.02, s.rate(0), 1e-12);
    assertEquals(0.2, s.rate(9), 1e-12);
    assertEquals(0.2, s.rate(10), EPS);
    assertEquals(0.1, s.rate(60), 1e-12);
    assertEquals(0.0, s.rate(110), EPS);
  }

  @Test
  void specBuildsEachType() {
    assertEquals(LearningRateSchedule.constant(0.5), ScheduleSpec.constant().build(0.5, 0));
    assertEquals(LearningRateSchedule.step(0.5, 3, 0.2), ScheduleSpec.step(3, 0.2).build(0.5, 0));
    assertEquals(LearningRateSchedule.cosine(0.5, 0.1, 100), ScheduleSpec.cosine(0.1).build(0.5, 100));
  }

  @Test
  void badSchedulesAreRejectedWithTheReason() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScheduleSpec.cosine(0.0).withWarmup(100).build(0.1, 100));
    assertTrue(e.getMessage().contains("warm-up"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.step(0, 0.5));
    assertTrue(e.getMessage().contains("step-iterations must be positive"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new ScheduleSpec("exponential", 0, 0, 1, 0));
    assertTrue(e.getMessage().contains("constant, step, cosine"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.cosine(0.5).build(0.1, 10));
    assertTrue(e.getMessage().contains("exceeds the learning rate"), e.getMessage());
  }
}
