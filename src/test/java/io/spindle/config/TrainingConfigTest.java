package io.spindle.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.spindle.optim.Optimizer;
import io.spindle.optim.OptimizerSpec;
import io.spindle.optim.ScheduleSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

  private static TrainingConfig parse(String text) {
    return TrainingConfig.parse(TestConfigs.parse(text, "train.conf"));
  }

  private static String error(String text, String key) {
    SpindleConfigException e = assertThrows(SpindleConfigException.class, () -> parse(text));
    assertEquals(key, e.key(), e.getMessage());
    assertTrue(e.getMessage().startsWith(key), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
    }
  }

  @Test
  void absentKeysTakeTheShippedDefaults() {
    Config defaults = ConfigLoader.defaults();
    OptimizerSpec spec = parse("model.loss = mse").optimizer();
    assertEquals(defaults.getString("training.optimizer"), spec.name());
    assertEquals(defaults.getDouble("training.learning-rate"), spec.learningRate());
    assertEquals(defaults.getDouble("training.weight-decay"), spec.weightDecay());
    assertEquals(defaults.getDouble("training.beta2"), spec.beta2());
    assertEquals(ScheduleSpec.constant(), spec.schedule());
    // Only the given keys change; a step schedule takes its gamma from the defaults.
    OptimizerSpec step = parse("training.lr-schedule { type = step, step-iterations = 7 }").optimizer();
    assertEquals(ScheduleSpec.step(7, defaults.getDouble("training.lr-schedule.gamma")),
        step.schedule());
  }

  @Test
  void aLoadedJobConfigParses() {
    TrainingConfig t = TrainingConfig.parse(ConfigLoader.load(Path.of("conf/cnn-large-mnist.conf"),
        List.of("training.optimizer=nesterov", "training.learning-rate=0.05")));
    assertEquals("nesterov", t.optimizer().name());
    assertEquals(0.05, t.optimizer().learningRate());
    assertEquals("cosine", t.optimizer().schedule().type());
    assertEquals(200, t.optimizer().schedule().warmupIterations());
    // The trainer's keys (epochs, seed, ...) are valid in the section too.
    TrainingConfig.parse(ConfigLoader.load(Path.of("conf/lenet5-mnist.conf"), List.of()));
  }

  @Test
  void everyOptimizerKeyIsRead() {
    TrainingConfig t = parse("""
        training {
          optimizer = nesterov        # Nesterov momentum
          learning-rate = 0.05
          momentum = 0.8
          weight-decay = 5e-4
          lr-schedule { type = cosine, warmup-iterations = 10, min-learning-rate = 0.001 }
        }
        """);
    OptimizerSpec expected = OptimizerSpec.defaults("nesterov").withLearningRate(0.05)
        .withMomentum(0.8).withWeightDecay(5e-4)
        .withSchedule(ScheduleSpec.cosine(0.001).withWarmup(10));
    assertEquals(expected, t.optimizer());

    Optimizer opt = t.optimizer().build(100, 110);
    assertEquals("nesterov", opt.name());
    assertEquals(0.005, opt.learningRate(0), 1e-12);
    assertEquals(0.05, opt.learningRate(10), 1e-12);
    assertEquals(0.001, opt.learningRate(110), 1e-12);

    TrainingConfig adam = parse("""
        training { optimizer = adam, beta1 = 0.8, beta2 = 0.99, epsilon = 1e-6,
                   lr-schedule { type = step, step-iterations = 100, gamma = 0.5 } }
        """);
    assertEquals(OptimizerSpec.defaults("adam").withBetas(0.8, 0.99).withEpsilon(1e-6)
        .withSchedule(ScheduleSpec.step(100, 0.5)), adam.optimizer());
  }

  @Test
  void resolvedMapRoundTrips() {
    TrainingConfig t = parse("""
        training { optimizer = momentum, learning-rate = 0.1,
                   lr-schedule { type = step, step-iterations = 30, warmup-iterations = 3 } }
        """);
    Map<String, Object> map = t.toMap();
    assertFalse(map.containsKey("gamma"), "gamma lives in lr-schedule");
    assertEquals(Map.of("type", "step", "warmup-iterations", 3L, "step-iterations", 30L,
        "gamma", 0.1), map.get("lr-schedule"));
    TrainingConfig back = TrainingConfig.parse(
        ConfigValueFactory.fromMap(Map.of("training", map)).toConfig());
    assertEquals(t, back);
    for (String name : OptimizerSpec.NAMES) {
      TrainingConfig d = new TrainingConfig(OptimizerSpec.defaults(name)
          .withSchedule(ScheduleSpec.cosine(1e-5)));
      assertEquals(d, TrainingConfig.parse(
          ConfigValueFactory.fromMap(Map.of("training", d.toMap())).toConfig()));
    }
  }

  @Test
  void numbersMayBeQuotedAsCommandLineOverridesWriteThem() {
    assertEquals(0.5, parse("training { optimizer = sgd, learning-rate = \"0.5\" }")
        .optimizer().learningRate());
  }

  @Test
  void unknownNamesListTheValidOnes() {
    String m = error("training.optimizer = rmsprop", "training.optimizer");
    assertContains(m, "(train.conf: 1)", "unknown optimizer 'rmsprop'",
        "valid: sgd, momentum, nesterov, adam, adamw");
    m = error("training.lr-schedule.type = exponential", "training.lr-schedule.type");
    assertContains(m, "unknown learning-rate schedule 'exponential'", "valid: constant, step, cosine");
  }

  @Test
  void unknownKeysAreRejected() {
    String m = error("training.learnig-rate = 0.1", "training.learnig-rate");
    assertContains(m, "did you mean learning-rate?",
        "valid keys: " + String.join(", ", TrainingConfig.validKeys("training")));
    assertTrue(TrainingConfig.validKeys("training").containsAll(TrainingConfig.OPTIMIZER_KEYS));
    m = error("training.lr-schedule { type = cosine, min-lr = 0.5 }", "training.lr-schedule.min-lr");
    assertContains(m, "unknown key for training.lr-schedule", "valid keys: gamma, min-learning-rate,"
        + " step-iterations, type, warmup-iterations");
  }

  @Test
  void unusedKeysOfOtherTypesAreStillChecked() {
    // gamma belongs to step schedules: accepted with cosine, but not when it is nonsense.
    assertEquals(ScheduleSpec.cosine(0.0), parse("training.lr-schedule { type = cosine, gamma = 0.5 }")
        .optimizer().schedule());
    String m = error("training.lr-schedule { type = cosine, gamma = -1 }", "training.lr-schedule.gamma");
    assertContains(m, "must be a number > 0, got -1");
    m = error("training { optimizer = adam, momentum = 2 }", "training.momentum");
    assertContains(m, "must be a number in [0, 1), got 2");
  }

  @Test
  void wrongTypesAndRangesNameTheKey() {
    String m = error("training.learning-rate = fast", "training.learning-rate");
    assertContains(m, "expected a number > 0", "the string \"fast\"");
    m = error("training.momentum = 1.5", "training.momentum");
    assertContains(m, "must be a number in [0, 1), got 1.5");
    m = error("training.lr-schedule { type = step, step-iterations = 2.5 }",
        "training.lr-schedule.step-iterations");
    assertContains(m, "expected an integer >= 1, got 2.5");
    m = error("training.lr-schedule = cosine", "training.lr-schedule");
    assertContains(m, "expected an object", "the string \"cosine\"");
    m = error("training { learning-rate = 0.01, lr-schedule { type = cosine, min-learning-rate = 0.1 } }",
        "training.lr-schedule.min-learning-rate");
    assertContains(m, "must not exceed training.learning-rate");
  }
}
