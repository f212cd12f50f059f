package io.spindle.optim;

import java.util.List;

/**
 * SGD with heavy-ball or Nesterov momentum, in PyTorch's form (dampening 0), where the learning
 * rate multiplies the velocity rather than living inside it, so a schedule changes the step
 * size at once:
 *
 * <pre>
 *   g = grad + l2 * w
 *   v = mu * v + g
 *   w -= lr * (nesterov ? g + mu * v : v)
 * </pre>
 *
 * The velocity starts at zero, so the first step is {@code v = g} as in PyTorch.
 */
public final class Momentum implements Optimizer {

  private static final long serialVersionUID = 1L;

  private final LearningRateSchedule schedule;
  private final float mu;
  private final boolean nesterov;
  private final float l2;
  private final float[] velocity;

  public Momentum(LearningRateSchedule schedule, double momentum, boolean nesterov, double l2,
      int paramCount) {
    String name = nesterov ? "nesterov" : "momentum";
    if (!(momentum >= 0.0 && momentum < 1.0)) {
      throw new IllegalArgumentException(name + ": momentum must be in [0, 1), got " + momentum);
    }
    this.schedule = schedule;
    this.mu = (float) momentum;
    this.nesterov = nesterov;
    this.l2 = (float) checkDecay(name, l2);
    this.velocity = new float[OptimizerState.checkParamCount(name, paramCount)];
  }

  static double checkDecay(String optimizer, double decay) {
    if (!(decay >= 0.0 && Double.isFinite(decay))) {
      throw new IllegalArgumentException(optimizer + ": weight decay must be a finite non-negative number, got "
          + decay);
    }
    return decay;
  }

  @Override
  public String name() {
    return nesterov ? "nesterov" : "momentum";
  }

  @Override
  public void step(float[] params, float[] grad, long iteration) {
    OptimizerState.checkStep(name(), velocity.length, params, grad);
    float lr = (float) schedule.rate(iteration);
    float[] v = velocity;
    if (nesterov) {
      for (int i = 0; i < params.length; i++) {
        float g = grad[i] + l2 * params[i];
        float vi = mu * v[i] + g;
        v[i] = vi;
        params[i] -= lr * (g + mu * vi);
      }
    } else {
      for (int i = 0; i < params.length; i++) {
        float vi = mu * v[i] + grad[i] + l2 * params[i];
        v[i] = vi;
        params[i] -= lr * vi;
      }
    }
  }

  @Override
  public List<float[]> state() {
    return List.of(velocity);
  }

  @Override
  public List<String> stateNames() {
    return List.of("velocity");
  }

  @Override
  public double learningRate(long iteration) {
    return schedule.rate(iteration);
  }

  @Override
  public String toString() {
    return name() + "(schedule=" + schedule + ", momentum=" + mu + ", l2=" + l2 + ")";
  }
}
