package io.spindle.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every key of defaults.conf (the one list of valid keys) has a row in the reference page. */
class DefaultsDocumentedTest {

  @Test
  void everyDefaultKeyIsDocumented() throws IOException {
    String doc = Files.readString(Path.of("docs/config-reference.md"));
    Config defaults = ConfigLoader.defaults();
    TreeSet<String> missing = new TreeSet<>();
    for (Map.Entry<String, ?> e : defaults.entrySet()) {
      String key = e.getKey();
      String schedulePrefix = "training.lr-schedule.";
      boolean documented = key.startsWith(schedulePrefix)
          ? doc.contains("| `" + key.substring(schedulePrefix.length()) + "` |")
          : doc.contains("| `" + key + "` |");
      if (!documented) {
        missing.add(key);
      }
    }
    assertEquals(List.of(), List.copyOf(missing), "keys of defaults.conf missing from docs/config-reference.md");
  }
}
