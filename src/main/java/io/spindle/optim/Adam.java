package io.spindle.optim;

import java.util.List;

/**
 * Adam (Kingma and Ba) and AdamW (Loshchilov and Hutter), as PyTorch implements them.
 *
 * <pre>
 *   t = iteration + 1
 *   adam:  g = grad + decay * w              (L2 folded into the gradient)
 *   adamw: g = grad; w -= lr * decay * w     (decoupled weight decay, before the moment step)
 *   m = b1 * m + (1 - b1) * g
 *   v = b2 * v + (1 - b2) * g^2
 *   w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * The step count t comes from the iteration, so the only state is m and v: a checkpoint that
 * saves them with the iteration counter resumes exactly.
 */
public final class Adam implements Optimizer {

  private static final long serialVersionUID = 1L;

  private final LearningRateSchedule schedule;
  private final double beta1;
  private final double beta2;
  private final float epsilon;
  private final float decay;
  private final boolean decoupled;
  private final float[] m;
  private final float[] v;

  private Adam(LearningRateSchedule schedule, double beta1, double beta2, double epsilon,
      double decay, boolean decoupled, int paramCount) {
    String name = decoupled ? "adamw" : "adam";
    checkBeta(name, "beta1", beta1);
    checkBeta(name, "beta2", beta2);
    if (!(epsilon > 0.0 && Double.isFinite(epsilon))) {
      throw new IllegalArgumentException(name + ": epsilon must be positive, got " + epsilon);
    }
    this.schedule = schedule;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = (float) epsilon;
    this.decay = (float) Momentum.checkDecay(name, decay);
    this.decoupled = decoupled;
    this.m = new float[OptimizerState.checkParamCount(name, paramCount)];
    this.v = new float[paramCount];
  }

  /** Adam with L2 regularization added to the gradient ({@code l2 = 0} for none). */
  public static Adam adam(LearningRateSchedule schedule, double beta1, double beta2,
      double epsilon, double l2, int paramCount) {
    return new Adam(schedule, beta1, beta2, epsilon, l2, false, paramCount);
  }

  /** AdamW: weight decay applied to the weights directly, scaled by the learning rate. */
  public static Adam adamW(LearningRateSchedule schedule, double beta1, double beta2,
      double epsilon, double weightDecay, int paramCount) {
    return new Adam(schedule, beta1, beta2, epsilon, weightDecay, true, paramCount);
  }

  private static void checkBeta(String name, String key, double beta) {
    if (!(beta >= 0.0 && beta < 1.0)) {
      throw new IllegalArgumentException(name + ": " + key + " must be in [0, 1), got " + beta);
    }
  }

  @Override
  public String name() {
    return decoupled ? "adamw" : "adam";
  }

  @Override
  public void step(float[] params, float[] grad, long iteration) {
    OptimizerState.checkStep(name(), m.length, params, grad);
    double lr = schedule.rate(iteration);
    long t = iteration + 1;
    // Bias corrections in double; per element only float arithmetic.
    float stepSize = (float) (lr / (1.0 - Math.pow(beta1, t)));
    float invSqrtBc2 = (float) (1.0 / Math.sqrt(1.0 - Math.pow(beta2, t)));
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float c1 = (float) (1.0 - beta1);
    float c2 = (float) (1.0 - beta2);
    float l2 = decoupled ? 0f : decay;
    float shrink = decoupled ? (float) (1.0 - lr * decay) : 1f;
    for (int i = 0; i < params.length; i++) {
      float w = params[i] * shrink;
      float g = grad[i] + l2 * w;
      float mi = b1 * m[i] + c1 * g;
      float vi = b2 * v[i] + c2 * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = w - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + epsilon);
    }
  }

  @Override
  public List<float[]> state() {
    return List.of(m, v);
  }

  @Override
  public List<String> stateNames() {
    return List.of("m", "v");
  }

  @Override
  public double learningRate(long iteration) {
    return schedule.rate(iteration);
  }

  @Override
  public String toString() {
    return name() + "(schedule=" + schedule + ", beta1=" + beta1 + ", beta2=" + beta2
        + ", epsilon=" + epsilon + (decoupled ? ", weight-decay=" : ", l2=") + decay + ")";
  }
}
