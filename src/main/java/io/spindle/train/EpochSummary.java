package io.spindle.train;

/**
 * One epoch's figures, as logged and written to metrics files. Test values are NaN when the
 * epoch was not validated. Epochs are 1-based here (as printed).
 *
 * @param iterations global iterations completed at the end of this epoch
 * @param trainLoss mean loss over the epoch's training batches (as the weights moved)
 * @param imagesPerSecond training examples per second of this epoch, validation excluded
 * @param elapsedSeconds wall time since training started, validation included
 * @param etaSeconds estimated wall time to the end of training
 */
public record EpochSummary(int epoch, int epochs, long iterations, long examples,
    double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
    double imagesPerSecond, double elapsedSeconds, double etaSeconds) {

  public boolean validated() {
    return !Double.isNaN(testLoss);
  }
}
