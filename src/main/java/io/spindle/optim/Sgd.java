package io.spindle.optim;

import java.util.List;

/** Plain stochastic gradient descent with optional L2: w <- w - lr * (grad + l2 * w). */
public final class Sgd implements Optimizer {

  private static final long serialVersionUID = 1L;

  private final LearningRateSchedule schedule;
  private final float l2;

  public Sgd(LearningRateSchedule schedule, double l2) {
    this.schedule = schedule;
    this.l2 = (float) Momentum.checkDecay("sgd", l2);
  }

  public Sgd(double learningRate) {
    this(LearningRateSchedule.constant(learningRate), 0.0);
  }

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public void step(float[] params, float[] grad, long iteration) {
    if (params.length != grad.length) {
      throw new IllegalArgumentException("sgd: params has " + params.length
          + " floats but the gradient has " + grad.length + "; both must be the network's paramCount()");
    }
    float lr = (float) schedule.rate(iteration);
    for (int i = 0; i < params.length; i++) {
      params[i] -= lr * (grad[i] + l2 * params[i]);
    }
  }

  @Override
  public List<float[]> state() {
    return List.of();
  }

  @Override
  public double learningRate(long iteration) {
    return schedule.rate(iteration);
  }

  @Override
  public String toString() {
    return "sgd(schedule=" + schedule + ", l2=" + l2 + ")";
  }
}
