package io.spindle.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unknown keys that are quoted path elements (found by ConfigFuzzTest: the loader cut the
 * rendered key at its first dot and handed {@code "model} to typesafe, whose BadPath escaped).
 */
class ConfigLoaderQuotedKeysTest {

  @TempDir
  Path dir;

  @Test
  void aQuotedKeyWithADotIsOneUnknownKey() throws IOException {
    Path file = Files.writeString(dir.resolve("job.conf"), "\"model.layers\" = []\n");
    assertUnknown(() -> ConfigLoader.load(file, List.of()), "'\"model.layers\"' (job.conf:1)",
        "valid sections are data, model, training, spark");
  }

  @Test
  void quotesInsideAKeyAreReportedNotThrownAsTypesafeErrors() throws IOException {
    Path file = Files.writeString(dir.resolve("job.conf"), "\"trai\\\"ning\".epochs = 3\n");
    assertUnknown(() -> ConfigLoader.load(file, List.of()), "unknown config key '\"trai\\\"ning\".epochs'");
    assertUnknown(() -> ConfigLoader.load((Path) null, List.of("\"training.epochs\"=3")),
        "'\"training.epochs\"' (--set");
  }

  @Test
  void aQuotedElementInsideAKnownSectionListsTheSectionsKeys() {
    assertUnknown(() -> ConfigLoader.load((Path) null, List.of("training.\"a.b\"=3")),
        "unknown config key 'training.\"a.b\"'", "valid keys in 'training': training.batch-size");
  }

  @Test
  void layerEntriesStillPassToTheNetworkParserAndQuotedLayersKeysDoNot() {
    assertEquals(List.of(), ConfigLoader.load((Path) null, List.of("model.layers=[]"))
        .getList("model.layers").unwrapped());
    assertUnknown(() -> ConfigLoader.load((Path) null, List.of("model.layersX=[]")),
        "unknown config key 'model.layersX'", "valid keys in 'model': model.layers, model.loss");
  }

  /** Found by ConfigFuzzTest in CI: a --set key holding a newline gave a two-line message. */
  @Test
  void controlCharactersInAKeyAreShownEscapedOnOneLine() {
    SpindleConfigException e = assertThrows(SpindleConfigException.class,
        () -> ConfigLoader.load((Path) null, List.of("sh\u0002ape stride3]\nmodel=1")));
    assertTrue(e.getMessage().contains("'sh\\u0002ape stride3]\\nmodel' is not a valid config key"),
        e.getMessage());
  }

  private static void assertUnknown(Runnable load, String... fragments) {
    SpindleConfigException e = assertThrows(SpindleConfigException.class, load::run);
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
    }
  }
}
