package io.spindle.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress lines through slf4j: one per epoch (train and test loss/accuracy, images/s, elapsed,
 * ETA) and, with {@code everySteps > 0}, one every that many iterations with the loss and
 * accuracy averaged over those iterations.
 */
public final class LoggingListener implements TrainingListener {

  private static final Logger LOG = LoggerFactory.getLogger("io.spindle.train");

  private final int everySteps;
  private final Metrics window = new Metrics();

  public LoggingListener(int everySteps) {
    if (everySteps < 0) {
      throw new IllegalArgumentException("logging interval must be >= 0, got " + everySteps);
    }
    this.everySteps = everySteps;
  }

  public LoggingListener() {
    this(0);
  }

  @Override
  public void onTrainingStart(TrainingContext ctx) {
    LOG.info("training {} parameters on {} examples in {} partition(s): {} epoch(s) of {}"
            + " iterations, global batch {}, optimizer {}{}",
        ctx.spec().paramCount(), ctx.schedule().totalExamples(), ctx.schedule().partitions(),
        ctx.epochs(), ctx.stepsPerEpoch(), ctx.schedule().globalBatch(), ctx.optimizer().name(),
        ctx.options().startIteration() > 0
            ? ", resuming at iteration " + ctx.options().startIteration() : "");
  }

  @Override
  public void onIteration(TrainingContext ctx, Metrics batch) {
    if (everySteps == 0) {
      return;
    }
    window.merge(batch);
    long done = ctx.iteration() + 1;
    if (done % everySteps == 0) {
      LOG.info(String.format("epoch %d/%d step %d/%d: loss %.4f, accuracy %.4f, %.0f images/s,"
              + " elapsed %s, ETA %s",
          ctx.epoch() + 1, ctx.epochs(), ctx.step() + 1, ctx.stepsPerEpoch(), window.meanLoss(),
          window.accuracy(), ctx.imagesPerSecond(), duration(ctx.elapsedSeconds()),
          duration(ctx.etaSeconds(done))));
      window.lossSum = 0;
      window.correct = 0;
      window.count = 0;
    }
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
    String test = s.validated()
        ? String.format(", test loss %.4f, test accuracy %.4f", s.testLoss(), s.testAccuracy())
        : "";
    DataResidency data = ctx.dataResidency();
    LOG.info(String.format("epoch %d/%d: train loss %.4f, train accuracy %.4f%s, %.0f images/s,"
            + " elapsed %s, ETA %s%s",
        s.epoch(), s.epochs(), s.trainLoss(), s.trainAccuracy(), test, s.imagesPerSecond(),
        duration(s.elapsedSeconds()), duration(s.etaSeconds()),
        data == null ? "" : "; " + data.describe()));
  }

  @Override
  public void onTrainingEnd(TrainingContext ctx, TrainingResult r) {
    LOG.info(String.format("training done: %d iterations, %d examples in %s (%.0f images/s"
            + " training)", r.iterations(), r.examples(), duration(r.elapsedSeconds()),
        r.imagesPerSecond()) + (ctx.stopReason() == null ? "" : "; stopped early: "
        + ctx.stopReason()));
  }

  /** Seconds as {@code 1h02m03s}, {@code 2m03s} or {@code 4.5s}. */
  static String duration(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      return "?";
    }
    if (seconds < 60) {
      return String.format("%.1fs", seconds);
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm%02ds", s / 3600, s % 3600 / 60, s % 60)
        : String.format("%dm%02ds", s / 60, s % 60);
  }
}
