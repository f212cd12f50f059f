package io.spindle.config;

import com.typesafe.config.Config;
import io.spindle.optim.OptimizerSpec;
import io.spindle.optim.ScheduleSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code training} section, typed. So far it holds the optimizer; the trainer's keys
 * (epochs, batch size, seed, ...) join as further components here. Defaults and the set of
 * valid keys come from {@code io/spindle/defaults.conf}, the one list of keys
 * ({@link ConfigLoader}); docs/config-reference.md documents each.
 *
 * <pre>
 * training {
 *   optimizer = adam               # sgd | momentum | nesterov | adam | adamw
 *   learning-rate = 0.001
 *   momentum = 0.9                 # momentum and nesterov
 *   weight-decay = 0               # L2 on the gradient; decoupled decay for adamw
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
 * Every key is type- and range-checked, but hyper-parameters of an optimizer or schedule other
 * than the chosen one (e.g. {@code momentum} with adam) are unused: the defaults set them all,
 * and one {@code --set training.optimizer=...} can switch optimizers. Keys absent from the
 * defaults are errors.
 */
public record TrainingConfig(OptimizerSpec optimizer) {

  private static final Config DEFAULTS = ConfigLoader.defaults();

  /** The keys of {@code training} this class reads for the optimizer. */
  public static final List<String> OPTIMIZER_KEYS = List.of("optimizer", "learning-rate",
      "momentum", "weight-decay", "beta1", "beta2", "epsilon", "lr-schedule");

  public TrainingConfig {
    if (optimizer == null) {
      throw new IllegalArgumentException("training: an optimizer is required");
    }
  }

  /**
   * The {@code training} section of {@code config}; keys it does not set take the values of
   * defaults.conf (so it works on a {@link ConfigLoader#load} result or a bare file alike).
   */
  public static TrainingConfig parse(Config config) {
    ConfigSection root = ConfigSection.root(config.withFallback(DEFAULTS));
    ConfigSection training = root.section("training");
    training.rejectUnknown(validKeys("training"), "the training section");
    return new TrainingConfig(optimizer(training));
  }

  /** The keys defaults.conf gives a section, e.g. {@code training.lr-schedule}. */
  static List<String> validKeys(String section) {
    return List.copyOf(new TreeSet<>(DEFAULTS.getObject(section).keySet()));
  }

  private static OptimizerSpec optimizer(ConfigSection t) {
    String name = t.choice("optimizer", OptimizerSpec.NAMES, "optimizer");
    double lr = t.number("learning-rate", "> 0", x -> x > 0);
    double momentum = t.number("momentum", "in [0, 1)", x -> x >= 0 && x < 1);
    double decay = t.number("weight-decay", ">= 0", x -> x >= 0);
    double beta1 = t.number("beta1", "in [0, 1)", x -> x >= 0 && x < 1);
    double beta2 = t.number("beta2", "in [0, 1)", x -> x >= 0 && x < 1);
    double epsilon = t.number("epsilon", "> 0", x -> x > 0);
    ScheduleSpec schedule = schedule(t.section("lr-schedule"), lr);
    try {
      return new OptimizerSpec(name, lr, momentum, beta1, beta2, epsilon, decay, schedule);
    } catch (IllegalArgumentException e) {
      throw t.error(e.getMessage(), e);
    }
  }

  private static ScheduleSpec schedule(ConfigSection s, double learningRate) {
    s.rejectUnknown(validKeys("training.lr-schedule"), "training.lr-schedule");
    String type = s.choice("type", ScheduleSpec.TYPES, "learning-rate schedule");
    long warmup = s.longAtLeast("warmup-iterations", 0);
    long stepIterations = s.longAtLeast("step-iterations", 1);
    double gamma = s.number("gamma", "> 0", g -> g > 0);
    double min = s.number("min-learning-rate", ">= 0", m -> m >= 0);
    if (type.equals("cosine") && min > learningRate) {
      throw s.error("min-learning-rate", s.value("min-learning-rate"), "must not exceed"
          + " training.learning-rate (" + learningRate + ") for a cosine schedule, got " + min);
    }
    ScheduleSpec spec = switch (type) {
      case "step" -> ScheduleSpec.step(stepIterations, gamma);
      case "cosine" -> ScheduleSpec.cosine(min);
      default -> ScheduleSpec.constant();
    };
    return spec.withWarmup(warmup);
  }

  /**
   * The optimizer keys as resolved, for summary.json and checkpoints; {@link #parse} reads them
   * back to an equal config. Keys of other schedule types are left out.
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
