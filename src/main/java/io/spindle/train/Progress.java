package io.spindle.train;

import java.io.Serializable;

/**
 * Where training stands when a gradient or an evaluation is asked for: epoch and step within
 * it (both 0-based) and the global iteration. Sources use it for the dropout seed, the epoch
 * order and the Spark UI job name.
 *
 * @param step the step within the epoch, or -1 for the end-of-epoch validation
 */
public record Progress(int epoch, int epochs, int step, int stepsPerEpoch, long iteration)
    implements Serializable {

  public boolean isValidation() {
    return step < 0;
  }

  /** Human-readable, 1-based, e.g. {@code spindle epoch 3/10 step 120/469}. */
  public String describe() {
    String e = "spindle epoch " + (epoch + 1) + "/" + epochs;
    return isValidation() ? e + " validation" : e + " step " + (step + 1) + "/" + stepsPerEpoch;
  }

  @Override
  public String toString() {
    return describe();
  }
}
