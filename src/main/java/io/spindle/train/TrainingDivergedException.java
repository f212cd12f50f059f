package io.spindle.train;

/**
 * Training stopped because the loss or the gradient stopped being finite. It is thrown before
 * the optimizer step, so {@link #params()} are the last finite parameters.
 */
public final class TrainingDivergedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final long iteration;
  private final String quantity;
  private final transient float[] params;

  public TrainingDivergedException(long iteration, int epoch, int step, int stepsPerEpoch,
      String quantity, double value, double learningRate, float[] params) {
    super(String.format("training diverged at iteration %d (epoch %d, step %d/%d): the %s is %s."
            + " The parameters are left at their last finite values (before this update)."
            + " Lower the learning rate (it was %.3g; try %.3g), or normalize the inputs.",
        iteration + 1, epoch + 1, step + 1, stepsPerEpoch, quantity, format(value), learningRate,
        learningRate / 10));
    this.iteration = iteration;
    this.quantity = quantity;
    this.params = params;
  }

  private static String format(double v) {
    return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
  }

  /** 0-based global iteration whose batch diverged (the message prints it 1-based). */
  public long iteration() {
    return iteration;
  }

  /** What was not finite: {@code loss}, {@code gradient} or {@code update of the parameters}. */
  public String quantity() {
    return quantity;
  }

  /** The parameters when training stopped: the last finite ones. */
  public float[] params() {
    return params;
  }
}
