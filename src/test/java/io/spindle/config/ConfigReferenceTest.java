package io.spindle.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.optim.OptimizerSpec;
import io.spindle.optim.ScheduleSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/config-reference.md lists every key, layer type and name the parsers accept. */
class ConfigReferenceTest {

  private static String page() throws IOException {
    return Files.readString(Path.of("docs/config-reference.md"));
  }

  private static void assertDocumented(String page, String word) {
    assertTrue(page.contains("`" + word + "`"), "docs/config-reference.md does not mention `"
        + word + "`");
  }

  @Test
  void everyKeyAndTypeIsDocumented() throws IOException {
    String page = page();
    assertDocumented(page, "data.input-shape");
    for (String key : NetworkConfig.MODEL_KEYS) {
      assertDocumented(page, "model." + key);
    }
    for (String loss : NetworkConfig.LOSSES) {
      assertDocumented(page, loss);
    }
    for (String type : LayerConfig.TYPES) {
      assertTrue(page.contains("| `" + type + "`") || page.contains("`" + type + "` |"),
          "layer type " + type + " has no row");
      for (String key : LayerConfig.keys(type)) {
        assertDocumented(page, key);
      }
    }
    for (String key : TrainingConfig.OPTIMIZER_KEYS) {
      assertDocumented(page, "training." + key);
    }
    for (String name : OptimizerSpec.NAMES) {
      assertDocumented(page, name);
    }
    for (String type : ScheduleSpec.TYPES) {
      assertDocumented(page, type);
    }
    for (String key : TrainingConfig.validKeys("training.lr-schedule")) {
      assertDocumented(page, key);
    }
  }
}
