package io.spindle.optim;

import java.io.Serializable;
import java.util.List;

/**
 * A learning-rate schedule as configured ({@code training.lr-schedule}), independent of the base
 * rate and run length, which {@link #build} takes. Fields that do not apply to the type are
 * ignored (and left at their defaults by the factories).
 *
 * @param type one of {@link #TYPES}
 * @param warmupIterations linear warm-up before the schedule proper; 0 for none
 * @param stepIterations step: multiply the rate by gamma every this many iterations
 * @param gamma step: the factor
 * @param minLearningRate cosine: the rate reached at the last iteration
 */
public record ScheduleSpec(String type, long warmupIterations, long stepIterations, double gamma,
    double minLearningRate) implements Serializable {

  public static final List<String> TYPES = List.of("constant", "step", "cosine");

  public ScheduleSpec {
    if (type == null || !TYPES.contains(type)) {
      throw new IllegalArgumentException("unknown learning-rate schedule '" + type
          + "'; use one of " + String.join(", ", TYPES));
    }
    if (warmupIterations < 0) {
      throw new IllegalArgumentException("warmup-iterations must be non-negative, got " + warmupIterations);
    }
    if (type.equals("step")) {
      // Constructing the schedule validates step-iterations and gamma.
      new LearningRateSchedule.Step(1.0, stepIterations, gamma);
    }
    if (type.equals("cosine") && !(minLearningRate >= 0.0 && Double.isFinite(minLearningRate))) {
      throw new IllegalArgumentException("min-learning-rate must be a finite non-negative number, got "
          + minLearningRate);
    }
  }

  public static ScheduleSpec constant() {
    return new ScheduleSpec("constant", 0, 0, 1.0, 0.0);
  }

  public static ScheduleSpec step(long stepIterations, double gamma) {
    return new ScheduleSpec("step", 0, stepIterations, gamma, 0.0);
  }

  public static ScheduleSpec cosine(double minLearningRate) {
    return new ScheduleSpec("cosine", 0, 0, 1.0, minLearningRate);
  }

  public ScheduleSpec withWarmup(long iterations) {
    return new ScheduleSpec(type, iterations, stepIterations, gamma, minLearningRate);
  }

  /**
   * The schedule for a run of {@code totalIterations} (only cosine needs it; pass 0 when unknown
   * for the others). A cosine decays over the iterations after warm-up, reaching its minimum
   * at {@code totalIterations}.
   */
  public LearningRateSchedule build(double learningRate, long totalIterations) {
    LearningRateSchedule schedule = switch (type) {
      case "constant" -> LearningRateSchedule.constant(learningRate);
      case "step" -> LearningRateSchedule.step(learningRate, stepIterations, gamma);
      case "cosine" -> {
        if (totalIterations <= warmupIterations) {
          throw new IllegalArgumentException("cosine schedule: the run has " + totalIterations
              + " iterations, which leaves none to decay over after " + warmupIterations
              + " warm-up iterations; train longer or lower warmup-iterations");
        }
        if (minLearningRate > learningRate) {
          throw new IllegalArgumentException("cosine schedule: min-learning-rate " + minLearningRate
              + " exceeds the learning rate " + learningRate + "; lower it");
        }
        yield LearningRateSchedule.cosine(learningRate, minLearningRate,
            totalIterations - warmupIterations);
      }
      default -> throw new IllegalStateException(type);
    };
    return schedule.withWarmup(warmupIterations);
  }
}
