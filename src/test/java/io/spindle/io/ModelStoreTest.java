package io.spindle.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

  @TempDir
  Path tmp;

  private static final Map<String, Object> NETWORK = Map.of("input-shape", List.of(3));

  private float[] params(int n) {
    float[] p = new float[n];
    Random r = new Random(1);
    for (int i = 0; i < n; i++) {
      p[i] = (float) r.nextGaussian();
    }
    p[0] = Float.MIN_VALUE; // denormals and extremes survive bit for bit
    p[1] = -Float.MAX_VALUE;
    return p;
  }

  @Test
  void roundTripIsBitExact() throws IOException {
    Path dir = tmp.resolve("model");
    float[] p = params(100_003);
    ModelStore.write(dir, NETWORK, p, Map.of("epochs", 2));
    ModelStore.StoredModel m = ModelStore.read(dir, net -> p.length);
    assertArrayEquals(p, m.params());
    assertEquals(2, m.metadata().path("epochs").asInt());
    assertEquals(3, m.network().path("input-shape").get(0).asInt());
    assertEquals(100_003L * 4, Files.size(dir.resolve(ModelStore.PARAMETERS)));
  }

  /**
   * A network with batch normalization: version 2, the running statistics in state.f32 with
   * their own checksum, read back bit for bit as the model vector; evaluating the loaded model
   * gives the outputs of the saved one.
   */
  @Test
  void aBatchNormModelIsVersion2WithItsStateAndLoadsBitExact() throws IOException {
    io.spindle.nn.NetworkSpec spec = io.spindle.nn.NetworkSpec.builder().input(1, 4, 4)
        .conv(2, 3).pad(1).batchNorm().relu()
        .residual(b -> b.conv(2, 3).pad(1).batchNorm()).globalAvgPool().dense(3).build();
    float[] model = spec.initParams(3);
    Random r = new Random(2);
    for (int i = 0; i < model.length; i++) {
      model[i] += (float) r.nextGaussian() * 0.1f;
    }
    Path dir = tmp.resolve("bn");
    SpindleModel.save(dir, spec, model, Map.of());
    com.fasterxml.jackson.databind.JsonNode root = ModelStore.json()
        .readTree(dir.resolve(ModelStore.DESCRIPTOR).toFile());
    assertEquals(2, root.path("version").asInt());
    assertEquals(spec.paramCount(), root.path("parameters").path("count").asInt());
    assertEquals(spec.stateCount(), root.path("state").path("count").asInt());
    assertEquals(4L * spec.stateCount(), Files.size(dir.resolve(ModelStore.STATE)));
    SpindleModel loaded = SpindleModel.load(dir);
    assertArrayEquals(model, loaded.params());
    float[] x = params(2 * 16);
    assertArrayEquals(spec.instantiate().forward(model, x, 2, false),
        loaded.spec().instantiate().forward(loaded.params(), x, 2, false));

    // A corrupt state file is caught by its checksum.
    byte[] bytes = Files.readAllBytes(dir.resolve(ModelStore.STATE));
    bytes[5] ^= 0x10;
    Files.write(dir.resolve(ModelStore.STATE), bytes);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SpindleModel.load(dir));
    assertTrue(e.getMessage().contains("state.f32") && e.getMessage().contains("checksum"),
        e.getMessage());
  }

  /** Models without state are still written, and read, as version 1 (older releases read them). */
  @Test
  void aModelWithoutStateIsVersion1AndVersion1StillLoads() throws IOException {
    io.spindle.nn.NetworkSpec spec = io.spindle.nn.NetworkSpec.builder().input(4).dense(3)
        .build();
    Path dir = tmp.resolve("v1");
    float[] p = params(spec.paramCount());
    SpindleModel.save(dir, spec, p, Map.of());
    assertEquals(1, ModelStore.json().readTree(dir.resolve(ModelStore.DESCRIPTOR).toFile())
        .path("version").asInt());
    assertFalse(Files.exists(dir.resolve(ModelStore.STATE)));
    assertArrayEquals(p, SpindleModel.load(dir).params());
  }

  /** A batch-norm network's descriptor edited to version 1 lacks its state: refused. */
  @Test
  void aBatchNormNetworkWithoutItsStateIsRefused() throws IOException {
    io.spindle.nn.NetworkSpec spec = io.spindle.nn.NetworkSpec.builder().input(4).dense(3)
        .batchNorm().build();
    Path dir = tmp.resolve("edited");
    SpindleModel.save(dir, spec, spec.initParams(1), Map.of());
    Path desc = dir.resolve(ModelStore.DESCRIPTOR);
    com.fasterxml.jackson.databind.node.ObjectNode root =
        (com.fasterxml.jackson.databind.node.ObjectNode) ModelStore.json().readTree(desc.toFile());
    root.put("version", 1);
    root.remove("state");
    ModelStore.json().writeValue(desc.toFile(), root);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SpindleModel.load(dir));
    assertTrue(e.getMessage().contains("declares 0 state values but its network needs 6"),
        e.getMessage());
  }

  @Test
  void overwriteReplacesWholeModelAndLeavesNoTemporaries() throws IOException {
    Path dir = tmp.resolve("model");
    ModelStore.write(dir, NETWORK, params(10), Map.of());
    float[] second = params(20);
    ModelStore.write(dir, NETWORK, second, Map.of());
    assertArrayEquals(second, ModelStore.read(dir, null).params());
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(dir), s.toList(), "only the model directory remains");
    }
  }

  @Test
  void checksumMismatchIsRefused() throws IOException {
    Path dir = tmp.resolve("model");
    ModelStore.write(dir, NETWORK, params(50), Map.of());
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(ModelStore.PARAMETERS).toFile(), "rw")) {
      f.seek(17);
      f.write(0x5A);
    }
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
  }

  @Test
  void wrongParameterCountForTheNetworkIsRefused() throws IOException {
    Path dir = tmp.resolve("model");
    ModelStore.write(dir, NETWORK, params(50), Map.of());
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> ModelStore.read(dir, net -> 51));
    assertTrue(e.getMessage().contains("declares 50 parameters but its network needs 51"), e.getMessage());
  }

  @Test
  void truncatedParametersAreRefused() throws IOException {
    Path dir = tmp.resolve("model");
    ModelStore.write(dir, NETWORK, params(50), Map.of());
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(ModelStore.PARAMETERS).toFile(), "rw")) {
      f.setLength(199);
    }
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void hugeDeclaredCountIsRefusedBeforeAllocating() throws IOException {
    Path dir = tmp.resolve("model");
    ModelStore.write(dir, NETWORK, params(5), Map.of());
    Path desc = dir.resolve(ModelStore.DESCRIPTOR);
    for (String count : List.of("2147483647", "9223372036854775807", "-4", "1.5", "\"many\"")) {
      String json = Files.readString(desc).replaceFirst("\"count\" : 5", "\"count\" : " + count);
      Files.writeString(desc, json);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null),
          "count " + count);
      assertFalse(e.getMessage().isBlank());
      ModelStore.write(dir, NETWORK, params(5), Map.of());
    }
  }

  @Test
  void missingFilesUnknownVersionAndGarbageAreRefused() throws IOException {
    Path dir = tmp.resolve("model");
    assertTrue(assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null))
        .getMessage().contains("not a model directory"));

    ModelStore.write(dir, NETWORK, params(5), Map.of());
    Files.delete(dir.resolve(ModelStore.PARAMETERS));
    assertTrue(assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null))
        .getMessage().contains("no parameters.f32"));

    ModelStore.write(dir, NETWORK, params(5), Map.of());
    Path desc = dir.resolve(ModelStore.DESCRIPTOR);
    Files.writeString(desc, Files.readString(desc).replace("\"version\" : 1", "\"version\" : 99"));
    assertTrue(assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null))
        .getMessage().contains("format version 99"));

    // Found by ModelStoreFuzzTest: asInt() read these as version 1.
    String json = Files.readString(desc);
    for (String version : List.of("1.9", "\"1\"", "true", "18446744073709551617", "1e0")) {
      Files.writeString(desc, json.replace("\"version\" : 99", "\"version\" : " + version));
      String message = assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null),
          version).getMessage();
      assertTrue(message.contains("has format version ") && message.contains("reads version 1"),
          message);
    }
    Files.writeString(desc, json.replace("\"version\" : 99,", ""));
    assertTrue(assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null))
        .getMessage().contains("has no format \"version\""));

    Files.writeString(desc, "{ not json");
    assertTrue(assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null))
        .getMessage().contains("not valid JSON"));

    Files.delete(desc);
    assertTrue(assertThrows(ModelFormatException.class, () -> ModelStore.read(dir, null))
        .getMessage().contains("no model.json"));
  }
}
