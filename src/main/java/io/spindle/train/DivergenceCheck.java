package io.spindle.train;

/**
 * Stops training with a {@link TrainingDivergedException} when the batch loss or the averaged
 * gradient is NaN or infinite, checked before the optimizer step, so the parameters stay at
 * their last finite values.
 *
 * <p>A finite but huge gradient can still overflow the parameters in the step (the loss is
 * summed in double precision and may stay finite longer than the float parameters). So the
 * check also keeps a copy of the parameters before each step and, if the step produced a
 * non-finite value, restores the copy and reports the parameters as what diverged. The cost
 * is one copy and two scans of the parameter vector per iteration.
 */
public final class DivergenceCheck implements TrainingListener {

  private float[] before = new float[0];

  @Override
  public void beforeUpdate(TrainingContext ctx, float[] meanGradient, Metrics batch) {
    double loss = batch.meanLoss();
    if (!Double.isFinite(loss)) {
      throw diverged(ctx, "loss", loss);
    }
    for (float g : meanGradient) {
      if (!Float.isFinite(g)) {
        throw diverged(ctx, "gradient", g);
      }
    }
    float[] params = ctx.params();
    if (before.length != params.length) {
      before = new float[params.length];
    }
    System.arraycopy(params, 0, before, 0, params.length);
  }

  @Override
  public void onIteration(TrainingContext ctx, Metrics batch) {
    float[] params = ctx.params();
    for (float p : params) {
      if (!Float.isFinite(p)) {
        System.arraycopy(before, 0, params, 0, params.length);
        throw diverged(ctx, "update of the parameters", p);
      }
    }
  }

  private static TrainingDivergedException diverged(TrainingContext ctx, String what,
      double value) {
    return new TrainingDivergedException(ctx.iteration(), ctx.epoch(), ctx.step(),
        ctx.stepsPerEpoch(), what, value, ctx.optimizer().learningRate(ctx.iteration()),
        ctx.params());
  }
}
