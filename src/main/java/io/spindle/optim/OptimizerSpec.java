package io.spindle.optim;

import java.io.Serializable;
import java.util.List;

/**
 * An optimizer as configured: a name from a fixed registry (never a class name) and its
 * hyper-parameters. {@link #build} makes the optimizer for a network's parameter count and a
 * run's length. Start from {@link #defaults} and override with the {@code with...} methods.
 *
 * @param name one of {@link #NAMES}
 * @param learningRate the base rate the schedule scales
 * @param momentum momentum and nesterov: the velocity decay mu
 * @param beta1 adam and adamw: decay of the first moment
 * @param beta2 adam and adamw: decay of the second moment
 * @param epsilon adam and adamw: added to the root of the second moment
 * @param weightDecay L2 added to the gradient for sgd, momentum, nesterov and adam; the
 *     decoupled weight decay for adamw (as PyTorch's {@code weight_decay})
 * @param schedule how the rate changes over iterations
 */
public record OptimizerSpec(String name, double learningRate, double momentum, double beta1,
    double beta2, double epsilon, double weightDecay, ScheduleSpec schedule)
    implements Serializable {

  public static final List<String> NAMES = List.of("sgd", "momentum", "nesterov", "adam", "adamw");

  public OptimizerSpec {
    checkName(name);
    if (!(learningRate > 0.0 && Double.isFinite(learningRate))) {
      throw new IllegalArgumentException("learning-rate must be a finite positive number, got "
          + learningRate);
    }
    if (!(momentum >= 0.0 && momentum < 1.0)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (!(beta1 >= 0.0 && beta1 < 1.0) || !(beta2 >= 0.0 && beta2 < 1.0)) {
      throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1
          + " and " + beta2);
    }
    if (!(epsilon > 0.0 && Double.isFinite(epsilon))) {
      throw new IllegalArgumentException("epsilon must be a finite positive number, got " + epsilon);
    }
    if (!(weightDecay >= 0.0 && Double.isFinite(weightDecay))) {
      throw new IllegalArgumentException("weight-decay must be a finite non-negative number, got "
          + weightDecay);
    }
    if (schedule == null) {
      throw new IllegalArgumentException("a learning-rate schedule is required; use ScheduleSpec.constant()");
    }
  }

  /** Fails with the list of valid names unless {@code name} is one of {@link #NAMES}. */
  public static String checkName(String name) {
    if (name == null || !NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown optimizer '" + name + "'; use one of "
          + String.join(", ", NAMES));
    }
    return name;
  }

  /**
   * Defaults for the Java API, PyTorch's where it has them: learning rate 0.01 for the SGD family
   * and 0.001 for Adam, momentum 0.9, betas 0.9 and 0.999, epsilon 1e-8, weight decay 0 (0.01
   * for adamw), constant schedule. Config files take theirs from defaults.conf instead
   * ({@code config.TrainingConfig}).
   */
  public static OptimizerSpec defaults(String name) {
    checkName(name);
    boolean adaptive = name.startsWith("adam");
    return new OptimizerSpec(name, adaptive ? 1e-3 : 1e-2, 0.9, 0.9, 0.999, 1e-8,
        name.equals("adamw") ? 1e-2 : 0.0, ScheduleSpec.constant());
  }

  public boolean usesMomentum() {
    return name.equals("momentum") || name.equals("nesterov");
  }

  public boolean isAdaptive() {
    return name.equals("adam") || name.equals("adamw");
  }

  public OptimizerSpec withLearningRate(double rate) {
    return new OptimizerSpec(name, rate, momentum, beta1, beta2, epsilon, weightDecay, schedule);
  }

  public OptimizerSpec withMomentum(double mu) {
    return new OptimizerSpec(name, learningRate, mu, beta1, beta2, epsilon, weightDecay, schedule);
  }

  public OptimizerSpec withBetas(double b1, double b2) {
    return new OptimizerSpec(name, learningRate, momentum, b1, b2, epsilon, weightDecay, schedule);
  }

  public OptimizerSpec withEpsilon(double eps) {
    return new OptimizerSpec(name, learningRate, momentum, beta1, beta2, eps, weightDecay, schedule);
  }

  public OptimizerSpec withWeightDecay(double decay) {
    return new OptimizerSpec(name, learningRate, momentum, beta1, beta2, epsilon, decay, schedule);
  }

  public OptimizerSpec withSchedule(ScheduleSpec s) {
    return new OptimizerSpec(name, learningRate, momentum, beta1, beta2, epsilon, weightDecay, s);
  }

  /** The schedule for a run of {@code totalIterations} (0 when unknown, unless cosine). */
  public LearningRateSchedule learningRateSchedule(long totalIterations) {
    return schedule.build(learningRate, totalIterations);
  }

  /**
   * A fresh optimizer (zero state) for a flat parameter vector of {@code paramCount} floats and a
   * run of {@code totalIterations} (used by the cosine schedule; 0 when unknown otherwise).
   */
  public Optimizer build(int paramCount, long totalIterations) {
    LearningRateSchedule lr = learningRateSchedule(totalIterations);
    return switch (name) {
      case "sgd" -> new Sgd(lr, weightDecay);
      case "momentum" -> new Momentum(lr, momentum, false, weightDecay, paramCount);
      case "nesterov" -> new Momentum(lr, momentum, true, weightDecay, paramCount);
      case "adam" -> Adam.adam(lr, beta1, beta2, epsilon, weightDecay, paramCount);
      case "adamw" -> Adam.adamW(lr, beta1, beta2, epsilon, weightDecay, paramCount);
      default -> throw new IllegalStateException(name);
    };
  }
}
