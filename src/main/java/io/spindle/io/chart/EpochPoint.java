package io.spindle.io.chart;

/**
 * One epoch's figures for the training-curves chart. A value that was not measured (e.g. the test
 * set is evaluated only every few epochs) is NaN. Accuracies are fractions in [0, 1].
 */
public record EpochPoint(int epoch, double trainLoss, double trainAccuracy, double testLoss,
    double testAccuracy) {}
