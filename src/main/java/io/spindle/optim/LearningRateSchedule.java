package io.spindle.optim;

import java.io.Serializable;

/** The learning rate as a function of the iteration (counting from 0). */
@FunctionalInterface
public interface LearningRateSchedule extends Serializable {

  double rate(long iteration);

  static LearningRateSchedule constant(double rate) {
    return iteration -> rate;
  }
}
