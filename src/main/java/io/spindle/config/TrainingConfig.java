package io.spindle.config;

import com.typesafe.config.Config;
import io.spindle.optim.OptimizerSpec;
import io.spindle.optim.ScheduleSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code training} section, typed. So far it holds the optimizer keys; the trainer's keys
 * (epochs, batch size, seed, ...) join as further components here, each listed in {@link #KEYS}
 * and in docs/config-reference.md.
 *
 * <pre>
 * training {
 *   optimizer = adam               # sgd | momentum | nesterov | adam | adamw
 *   learning-rate = 0.001          # default 0.01 for the SGD family, 0.001 for adam/adamw
 *   momentum = 0.9                 # momentum and nesterov
 *   weight-decay = 0               # L2 on the gradient; decoupled decay for adamw (default 0.01)
 *   beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8   # adam and adamw
 *   lr-schedule {
 *     type = cosine                # constant | step | cosine
 *     warmup-iterations = 100      # linear warm-up, composable with any type
 *     min-learning-rate = 0        # cosine
 *     # step-iterations = 1000, gamma = 0.1   (step)
 *   }
 * }
 * </pre>
 *
 * Hyper-parameters of an optimizer other than the chosen one (e.g. {@code momentum} with adam)
 * are accepted and unused, so a file can switch optimizers with one {@code --set}; keys that no
 * optimizer knows are errors. Inside {@code lr-schedule}, only the keys of its type are valid.
 */
public record TrainingConfig(OptimizerSpec optimizer) {

  /** Every key the {@code training} section accepts. */
  public static final List<String> KEYS = List.of("optimizer", "learning-rate", "momentum",
      "weight-decay", "beta1", "beta2", "epsilon", "lr-schedule");

  public static final String DEFAULT_OPTIMIZER = "adam";

  public TrainingConfig {
    if (optimizer == null) {
      throw new IllegalArgumentException("training: an optimizer is required");
    }
  }

  /** The {@code training} section of a resolved config; absent keys take their defaults. */
  public static TrainingConfig parse(Config config) {
    return parse(ConfigSection.root(config).optionalSection("training"));
  }

  public static TrainingConfig parse(ConfigSection training) {
    training.rejectUnknown(KEYS, "the training section");
    return new TrainingConfig(optimizer(training));
  }

  /** The optimizer keys of {@code training}, defaults filled in. */
  public static OptimizerSpec optimizer(ConfigSection t) {
    String name = t.choice("optimizer", DEFAULT_OPTIMIZER, OptimizerSpec.NAMES, "optimizer");
    OptimizerSpec d = OptimizerSpec.defaults(name);
    double lr = t.number("learning-rate", "> 0", x -> x > 0, d.learningRate());
    double momentum = t.number("momentum", "in [0, 1)", x -> x >= 0 && x < 1, d.momentum());
    double decay = t.number("weight-decay", ">= 0", x -> x >= 0, d.weightDecay());
    double beta1 = t.number("beta1", "in [0, 1)", x -> x >= 0 && x < 1, d.beta1());
    double beta2 = t.number("beta2", "in [0, 1)", x -> x >= 0 && x < 1, d.beta2());
    double epsilon = t.number("epsilon", "> 0", x -> x > 0, d.epsilon());
    ScheduleSpec schedule = schedule(t.optionalSection("lr-schedule"), lr);
    try {
      return new OptimizerSpec(name, lr, momentum, beta1, beta2, epsilon, decay, schedule);
    } catch (IllegalArgumentException e) {
      throw t.error(e.getMessage(), e);
    }
  }

  private static ScheduleSpec schedule(ConfigSection s, double learningRate) {
    String type = s.choice("type", "constant", ScheduleSpec.TYPES, "learning-rate schedule");
    List<String> keys = switch (type) {
      case "step" -> List.of("type", "warmup-iterations", "step-iterations", "gamma");
      case "cosine" -> List.of("type", "warmup-iterations", "min-learning-rate");
      default -> List.of("type", "warmup-iterations");
    };
    s.rejectUnknown(keys, "a " + type + " schedule");
    long warmup = s.longAtLeast("warmup-iterations", 0, 0);
    ScheduleSpec spec = switch (type) {
      case "step" -> ScheduleSpec.step(s.longAtLeast("step-iterations", 1),
          s.number("gamma", "> 0", g -> g > 0, 0.1));
      case "cosine" -> {
        double min = s.number("min-learning-rate", ">= 0", m -> m >= 0, 0.0);
        if (min > learningRate) {
          throw s.error("min-learning-rate", s.value("min-learning-rate"), "must not exceed"
              + " training.learning-rate (" + learningRate + "), got " + min);
        }
        yield ScheduleSpec.cosine(min);
      }
      default -> ScheduleSpec.constant();
    };
    return spec.withWarmup(warmup);
  }

  /**
   * The resolved {@code training} keys with every default filled in, for summary.json and
   * checkpoints; {@link #parse} reads it back to an equal config.
   */
  public Map<String, Object> toMap() {
    OptimizerSpec o = optimizer;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("optimizer", o.name());
    m.put("learning-rate", o.learningRate());
    m.put("momentum", o.momentum());
    m.put("weight-decay", o.weightDecay());
    m.put("beta1", o.beta1());
    m.put("beta2", o.beta2());
    m.put("epsilon", o.epsilon());
    ScheduleSpec s = o.schedule();
    Map<String, Object> schedule = new LinkedHashMap<>();
    schedule.put("type", s.type());
    schedule.put("warmup-iterations", s.warmupIterations());
    if (s.type().equals("step")) {
      schedule.put("step-iterations", s.stepIterations());
      schedule.put("gamma", s.gamma());
    } else if (s.type().equals("cosine")) {
      schedule.put("min-learning-rate", s.minLearningRate());
    }
    m.put("lr-schedule", schedule);
    return m;
  }
}
