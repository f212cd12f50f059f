package io.spindle.optim;

import java.io.Serializable;

/**
 * The learning rate as a function of the iteration (counting from 0).
 *
 * <p>The schedules are records rather than lambdas so that they compare equal, print their
 * parameters and serialize without capturing anything. Warm-up wraps any schedule:
 * {@code LearningRateSchedule.cosine(0.1, 0.0, 900).withWarmup(100)}.
 */
@FunctionalInterface
public interface LearningRateSchedule extends Serializable {

  double rate(long iteration);

  static LearningRateSchedule constant(double rate) {
    return new Constant(rate);
  }

  /** {@code rate * gamma^floor(iteration / stepIterations)}, as PyTorch's StepLR. */
  static LearningRateSchedule step(double rate, long stepIterations, double gamma) {
    return new Step(rate, stepIterations, gamma);
  }

  /**
   * Cosine annealing from {@code rate} at iteration 0 to {@code minRate} at
   * {@code totalIterations}, then flat (PyTorch's CosineAnnealingLR without restarts).
   */
  static LearningRateSchedule cosine(double rate, double minRate, long totalIterations) {
    return new Cosine(rate, minRate, totalIterations);
  }

  /**
   * Linear warm-up over the first {@code iterations}: iteration i &lt; W runs at
   * {@code (i + 1) / W} of this schedule's first rate; afterwards this schedule continues from
   * its own iteration 0 (it is shifted by W, as PyTorch's SequentialLR does). So a cosine meant to
   * end at total iteration T should be built over {@code T - W} iterations.
   */
  default LearningRateSchedule withWarmup(long iterations) {
    return iterations == 0 ? this : new Warmup(this, iterations);
  }

  private static void checkRate(String what, double rate) {
    if (!(rate >= 0.0 && Double.isFinite(rate))) {
      throw new IllegalArgumentException(what + " must be a finite non-negative number, got " + rate);
    }
  }

  record Constant(double rate) implements LearningRateSchedule {
    public Constant {
      checkRate("learning rate", rate);
    }

    @Override
    public double rate(long iteration) {
      return rate;
    }
  }

  record Step(double rate, long stepIterations, double gamma) implements LearningRateSchedule {
    public Step {
      checkRate("learning rate", rate);
      if (stepIterations <= 0) {
        throw new IllegalArgumentException("step schedule: step-iterations must be positive, got "
            + stepIterations);
      }
      if (!(gamma > 0.0 && Double.isFinite(gamma))) {
        throw new IllegalArgumentException("step schedule: gamma must be positive, got " + gamma);
      }
    }

    @Override
    public double rate(long iteration) {
      return rate * Math.pow(gamma, Math.floorDiv(Math.max(iteration, 0), stepIterations));
    }
  }

  record Cosine(double rate, double minRate, long totalIterations) implements LearningRateSchedule {
    public Cosine {
      checkRate("learning rate", rate);
      checkRate("minimum learning rate", minRate);
      if (minRate > rate) {
        throw new IllegalArgumentException("cosine schedule: min-learning-rate " + minRate
            + " exceeds the learning rate " + rate);
      }
      if (totalIterations <= 0) {
        throw new IllegalArgumentException("cosine schedule: needs a positive number of iterations"
            + " to decay over, got " + totalIterations);
      }
    }

    @Override
    public double rate(long iteration) {
      double progress = Math.min(Math.max(iteration, 0), totalIterations) / (double) totalIterations;
      return minRate + (rate - minRate) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
    }
  }

  record Warmup(LearningRateSchedule after, long iterations) implements LearningRateSchedule {
    public Warmup {
      if (iterations < 0) {
        throw new IllegalArgumentException("warmup-iterations must be non-negative, got " + iterations);
      }
    }

    @Override
    public double rate(long iteration) {
      if (iteration < iterations) {
        return after.rate(0) * (Math.max(iteration, 0) + 1) / (double) iterations;
      }
      return after.rate(iteration - iterations);
    }
  }
}
