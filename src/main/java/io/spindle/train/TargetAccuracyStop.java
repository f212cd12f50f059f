package io.spindle.train;

import java.util.Locale;

/**
 * Ends training at the first validation whose test accuracy reaches a target, instead of
 * running every planned epoch; how a time-to-accuracy run stops.
 */
public final class TargetAccuracyStop implements TrainingListener {

  private final double target;

  /** @param target test accuracy in (0, 1] */
  public TargetAccuracyStop(double target) {
    if (!(target > 0 && target <= 1)) {
      throw new IllegalArgumentException("the target accuracy must be in (0, 1], got " + target);
    }
    this.target = target;
  }

  @Override
  public void onEpochEnd(TrainingContext context, EpochSummary summary) {
    if (summary.validated() && summary.testAccuracy() >= target) {
      context.requestStop(String.format(Locale.ROOT,
          "test accuracy %.4f reached the target %.4f after epoch %d", summary.testAccuracy(),
          target, summary.epoch()));
    }
  }
}
