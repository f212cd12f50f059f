package io.spindle.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.config.ConfigLoader;
import io.spindle.config.JobConfig;
import io.spindle.nn.NetworkSpec;
import io.spindle.train.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Spindle reads from files cannot run code or exhaust memory: no Java deserialization and
 * no reflection anywhere in the main code, layer and optimizer types only from fixed
 * registries, sizes checked before allocation, and unknown format versions refused clearly for
 * model and checkpoint directories (checkpoints: CheckpointStoreTest).
 */
class FileSecurityTest {

  @TempDir
  Path tmp;

  /**
   * APIs that turn file contents into objects or classes. Spark serializes closures and task
   * results with Java serialization between its own processes; that is Spark's wire protocol,
   * not a file Spindle reads, and it is not in this source tree.
   */
  static final Pattern FORBIDDEN = Pattern.compile("ObjectInputStream|readObject\\s*\\("
      + "|readUnshared|XMLDecoder|enableDefaultTyping|activateDefaultTyping|@JsonTypeInfo"
      + "|Class\\.forName|\\.loadClass\\s*\\(|\\.newInstance\\s*\\(|getDeclaredConstructor"
      + "|ServiceLoader|SerializationUtils|Yaml\\s*\\(");

  /**
   * The one use allowed: Spark's own closure serializer ({@code SerializerInstance} comes from
   * {@code Serializer.newInstance()}, a factory, not reflection), which ClosureSerialized uses
   * to ship the run setup inside broadcasts under any spark.serializer: bytes made by this
   * application's driver, the same wire protocol as every task closure. And protobuf's
   * {@code CodedInputStream.newInstance}, a static factory over bytes (the ONNX reader parses
   * one fixed message type, generated at build time; nothing is looked up by name).
   */
  static final Pattern SPARK_WIRE = Pattern.compile("closureSerializer\\(\\)\\.newInstance\\(\\)"
      + "|CodedInputStream\\.newInstance\\(");

  @Test
  void theMainCodeNeitherDeserializesNorReflects() throws IOException {
    List<String> hits = new ArrayList<>();
    int files = 0;
    try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
        files++;
        List<String> lines = Files.readAllLines(p);
        for (int i = 0; i < lines.size(); i++) {
          String line = SPARK_WIRE.matcher(lines.get(i)).replaceAll("");
          if (FORBIDDEN.matcher(line).find()) {
            hits.add(p + ":" + (i + 1) + ": " + lines.get(i).strip());
          }
        }
      }
    }
    assertTrue(files > 50, "scanned the main sources (" + files + " files)");
    assertEquals(List.of(), hits);
    // The scan finds what it looks for.
    assertTrue(FORBIDDEN.matcher("new java.io.ObjectInputStream(in).readObject()").find());
    assertTrue(FORBIDDEN.matcher(SPARK_WIRE.matcher("x.closureSerializer().newInstance();"
        + " Foo.class.getConstructor().newInstance()").replaceAll("")).find(),
        "the allowance covers Spark's serializer factory only");
  }

  @Test
  void layerAndOptimizerTypesComeFromFixedRegistries() {
    IllegalArgumentException layer = assertThrows(IllegalArgumentException.class,
        () -> JobConfig.from(ConfigLoader.load((Path) null, List.of(
            "model.layers=[{type = java.lang.ProcessBuilder}]"))));
    assertTrue(layer.getMessage().contains("unknown layer type 'java.lang.ProcessBuilder'")
        && layer.getMessage().contains("valid: dense"), layer.getMessage());
    IllegalArgumentException opt = assertThrows(IllegalArgumentException.class,
        () -> JobConfig.from(ConfigLoader.load((Path) null, List.of(
            "model.layers=[{type = dense, units = 10}]", "data.input-shape=[4]",
            "training.optimizer=java.lang.Runtime"))));
    assertTrue(opt.getMessage().contains("unknown optimizer 'java.lang.Runtime'")
        && opt.getMessage().contains("valid: sgd"), opt.getMessage());
  }

  @Test
  void aModelOfAnotherFormatVersionIsRefusedClearly() throws IOException {
    NetworkSpec spec = TestData.mlp(16, 3);
    Path dir = tmp.resolve("model");
    SpindleModel.save(dir, spec, spec.initParams(1), Map.of());
    Path json = dir.resolve("model.json");
    Files.writeString(json, Files.readString(json).replace("\"version\" : 1", "\"version\" : 3"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SpindleModel.load(dir));
    assertInstanceOf(FormatVersionException.class, e);
    assertTrue(e.getMessage().contains("format version 3") && e.getMessage().contains(
        "reads version 1") && e.getMessage().contains("use the Spindle release that wrote it"),
        e.getMessage());
  }

  @Test
  void hugeDeclaredModelSizesAreRefusedBeforeAllocating() throws IOException {
    // A consistent descriptor for 1.5 billion parameters (6 GB, more than the test heap) over
    // a tiny file: refused from the sizes alone, with no OutOfMemoryError.
    NetworkSpec spec = TestData.mlp(16, 3);
    Path dir = tmp.resolve("huge");
    SpindleModel.save(dir, spec, spec.initParams(1), Map.of());
    Path json = dir.resolve("model.json");
    String big = "\"network\" : { \"data\" : { \"input-shape\" : [ 1000 ] }, \"model\" : { "
        + "\"loss\" : \"mse\", \"layers\" : [ { \"type\" : \"dense\", \"units\" : 1500000 } ] } }";
    Files.writeString(json, Files.readString(json)
        .replaceFirst("(?s)\"network\" : \\{.*?\\n  \\}", big)
        .replaceFirst("\"count\" : \\d+", "\"count\" : " + (1000L * 1500000 + 1500000)));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SpindleModel.load(dir));
    assertTrue(e.getMessage().contains("parameters.f32 holds") && e.getMessage().contains(
        "truncated or corrupt"), e.getMessage());
  }
}
