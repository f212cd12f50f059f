package io.spindle.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A near miss of a config key gets "did you mean" with the key it probably meant. */
class UnknownKeySuggestionTest {

  private static String error(String override) {
    return assertThrows(SpindleConfigException.class,
        () -> ConfigLoader.load((Path) null, List.of(override))).getMessage();
  }

  @Test
  void nearMissesNameTheKey() {
    String british = error("training.optimiser=adam");
    assertTrue(british.contains("unknown config key 'training.optimiser'")
        && british.contains("did you mean training.optimizer?")
        && british.contains("valid keys in 'training'"), british);
    String section = error("trainng.epochs=2");
    assertTrue(section.contains("did you mean training.epochs?"), section);
    String nested = error("training.lr-schedule.tyep=cosine");
    assertTrue(nested.contains("did you mean training.lr-schedule.type?"), nested);
  }

  @Test
  void farOffKeysGetNoGuess() {
    String far = error("training.zebra=1");
    assertFalse(far.contains("did you mean"), far);
    assertTrue(far.contains("valid keys in 'training'"), far);
  }
}
