package io.spindle.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.Init;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.layers.AvgPool2D;
import io.spindle.nn.layers.Conv2D;
import io.spindle.nn.layers.MaxPool2D;
import io.spindle.nn.loss.MeanSquaredError;
import io.spindle.nn.loss.SigmoidBinaryCrossEntropy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkConfigTest {

  /** The LeNet-5 of issue 2, written as a user would, with both comment styles. */
  static final String LENET5 = """
      # LeNet-5 for MNIST
      data.input-shape = [1, 28, 28]   // channels, height, width
      model {
        loss = softmax-cross-entropy
        layers = [
          { type = conv2d, filters = 6, kernel = 5, padding = 2 }   # 6x28x28
          { type = relu }
          { type = max-pool, size = 2 }  # pool1: 6x14x14
          { type = conv2d, filters = 16, kernel = 5 }               # 16x10x10
          { type = relu }
          { type = max-pool, size = 2 }  # pool2: 16x5x5
          { type = flatten }
          { type = dense, units = 120 }
          { type = relu }
          { type = dense, units = 84 }
          { type = relu }
          { type = dense, units = 10 }
        ]
      }
      """;

  static NetworkSpec lenet5Builder() {
    return NetworkSpec.builder().input(1, 28, 28).conv(6, 5).pad(2).relu().maxPool(2)
        .conv(16, 5).relu().maxPool(2).flatten().dense(120).relu().dense(84).relu().dense(10)
        .build();
  }

  private static NetworkSpec parse(String text) {
    return NetworkConfig.parse(TestConfigs.parse(text, "test.conf"));
  }

  private static void assertSameNetwork(NetworkSpec expected, NetworkSpec actual) {
    assertEquals(expected.inputShape(), actual.inputShape());
    assertEquals(expected.layers(), actual.layers());
    assertEquals(expected.loss().name(), actual.loss().name());
    assertEquals(expected.summary(), actual.summary());
    assertEquals(expected.paramCount(), actual.paramCount());
  }

  /** Parses and returns the error, which must be one line naming {@code key}. */
  private static String error(String text, String key) {
    SpindleConfigException e = assertThrows(SpindleConfigException.class, () -> parse(text));
    String m = e.getMessage();
    assertFalse(m.contains("\n"), "one line: " + m);
    assertEquals(key, e.key(), m);
    assertTrue(m.startsWith(key), m);
    return m;
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
    }
  }

  @Test
  void lenet5ConfigParsesToTheBuildersNetwork() {
    NetworkSpec fromConfig = parse(LENET5);
    assertSameNetwork(lenet5Builder(), fromConfig);
    assertEquals(61_706, fromConfig.paramCount());
  }

  @Test
  void everyLayerTypeAndOptionRoundTrips() {
    NetworkSpec spec = NetworkSpec.builder().input(3, 17, 12)
        .add(new Conv2D(4, 3, 2, 2, 1, 1, 0, Init.XAVIER_NORMAL)).leakyRelu(0.1f)
        .add(new MaxPool2D(3, 2, 2, 1, 1, 0)).tanh()
        .add(new AvgPool2D(2, 2, 1, 1, 1, 1)).dropout(0.25).flatten()
        .dense(7).init(Init.ZEROS).sigmoid().dense(5).softmax().relu().dense(1)
        .loss(new MeanSquaredError()).build();
    String hocon = NetworkConfig.toHocon(spec);
    assertSameNetwork(spec, parse(hocon));
    assertSameNetwork(spec, NetworkConfig.parse(NetworkConfig.toConfig(spec)));
    assertContains(hocon, "{ type = leaky-relu, alpha = 0.1 }",
        "{ type = conv2d, filters = 4, kernel = [3, 2], stride = [2, 1], padding = [1, 0], init = xavier-normal }");
  }

  @Test
  void lenet5RoundTripsThroughItsConfigForm() {
    NetworkSpec spec = lenet5Builder();
    assertSameNetwork(spec, parse(NetworkConfig.toHocon(spec)));
    NetworkSpec vector = NetworkSpec.builder().input(2).dense(2).sigmoid().dense(1)
        .loss(new SigmoidBinaryCrossEntropy()).build();
    assertSameNetwork(vector, NetworkConfig.parse(NetworkConfig.toConfig(vector)));
  }

  @Test
  void kernelStridePaddingTakeAnIntOrAPair() {
    NetworkSpec spec = parse("""
        data.input-shape = [2, 9, 8]
        model.layers = [
          { type = conv2d, filters = 3, kernel = [3, 2], stride = 2, padding = [1, 0] }
          { type = avg-pool, size = [2, 1], stride = [1, 1] }
          { type = dense, units = 4, init = he-normal }
        ]
        """);
    assertEquals(new Conv2D(3, 3, 2, 2, 2, 1, 0, Init.HE_UNIFORM), spec.layers().get(0));
    assertEquals(new AvgPool2D(2, 1, 1, 1, 0, 0), spec.layers().get(1));
    assertEquals("softmax-cross-entropy", spec.loss().name(), "default loss");
  }

  @Test
  void unknownKeyNamesThePathAndTheValidKeys() {
    String m = error(LENET5.replace("{ type = dense, units = 84 }", "{ type = dense, unit = 84 }"),
        "model.layers[9].unit");
    assertContains(m, "(test.conf: 15)", "unknown key for a dense layer",
        "did you mean units?", "valid keys: type, units, init");
  }

  @Test
  void unknownKeyInTheModelSection() {
    String m = error(LENET5.replace("loss = softmax", "lose = softmax"), "model.lose");
    assertContains(m, "did you mean loss?", "valid keys: loss, layers");
  }

  @Test
  void unknownLayerTypeListsTheRegistry() {
    String m = error(LENET5.replace("max-pool, size = 2 }  # pool1",
        "maxpool, size = 2 }  # pool1"), "model.layers[2].type");
    assertContains(m, "unknown layer type 'maxpool'", "did you mean max-pool?",
        "valid: dense, conv2d, max-pool, avg-pool, flatten, relu, leaky-relu, sigmoid, tanh, softmax, dropout");
  }

  @Test
  void wrongValueTypesNameTheKeyTheTypeAndTheValue() {
    String m = error(LENET5.replace("filters = 16", "filters = sixteen"), "model.layers[3].filters");
    assertContains(m, "(test.conf: 9)", "expected an integer >= 1", "the string \"sixteen\"");

    m = error(LENET5.replace("units = 120", "units = 12.5"), "model.layers[7].units");
    assertContains(m, "expected an integer >= 1", "12.5");

    m = error(LENET5.replace("kernel = 5 }", "kernel = [5, 5, 5] }"), "model.layers[3].kernel");
    assertContains(m, "an integer >= 1 or a pair [h, w]", "a list of 3");

    m = error(LENET5.replace("padding = 2", "padding = -1"), "model.layers[0].padding");
    assertContains(m, "must be an integer >= 0 or a pair [h, w], got -1");

    m = error(LENET5.replace("{ type = flatten }", "flatten"), "model.layers[6]");
    assertContains(m, "expected an object like { type = dense, units = 10 }", "the string \"flatten\"");

    m = error("data.input-shape = [1, 28, 28]\nmodel.layers = { type = relu }", "model.layers");
    assertContains(m, "expected a list of objects", "got an object");

    m = error("data.input-shape = [1, 28]\nmodel.layers = [{ type = relu }]", "data.input-shape");
    assertContains(m, "expected [channels, height, width] or [size], got [1,28]");

  }

  @Test
  void impossibleShapesNameTheLayerPathAndTheInput() {
    // A third 5x5 conv after the second pool: 16x5x5 in, 5x5 kernel fits; a 7x7 does not.
    String m = error(LENET5.replace("{ type = flatten }", "{ type = conv2d, filters = 8, kernel = 7 }"),
        "model.layers[6]");
    assertContains(m, "(test.conf: 12)", "conv2d: kernel 7x7", "does not fit input 16x5x5");

    m = error(LENET5.replace("size = 2 }  # pool2", "size = 11 }  # pool2"), "model.layers[5]");
    assertContains(m, "max-pool: window 11x11 does not fit input 16x10x10");

    // A constraint between keys that only the layer checks.
    m = error(LENET5.replace("size = 2 }  # pool1",
        "size = 2, padding = 2 }  # pool1"), "model.layers[2]");
    assertContains(m, "padding must be between 0 and half the window");
  }

  @Test
  void sizesBeyondTwoToThe31AreRefusedWithoutOverflow() {
    String m = error("data.input-shape = [100000, 100000, 100000]\nmodel.layers = [{ type = relu }]",
        "data.input-shape");
    assertContains(m, "more than 2^31 values per example");
    m = error("data.input-shape = [100000]\nmodel.layers = [{ type = dense, units = 100000 }]",
        "model.layers[0]");
    assertContains(m, "dense: input 100000 gives over 2^31 parameters");
    m = error("data.input-shape = [1, 1000, 1000]\nmodel.layers = [{ type = conv2d, filters = 10000, kernel = 1 }]",
        "model.layers[0]");
    assertContains(m, "conv2d: input 1x1000x1000 gives over 2^31");
  }

  @Test
  void missingKeysAndSectionsAreNamed() {
    String m = error(LENET5.replace("filters = 16, ", ""), "model.layers[3].filters");
    assertContains(m, "is missing", "as an integer >= 1");
    m = error(LENET5.replace("data.input-shape = [1, 28, 28]", ""), "data");
    assertContains(m, "data is missing");
    m = error(LENET5.replace("{ type = relu }", "{ }"), "model.layers[1].type");
    assertContains(m, "is missing; every layer needs a type, one of dense, conv2d");
    m = error("data.input-shape = [4]\nmodel.layers = []", "model.layers");
    assertContains(m, "no layers");
  }

  @Test
  void unknownLossAndInitListTheChoices() {
    String m = error(LENET5.replace("loss = softmax-cross-entropy", "loss = cross-entropy"),
        "model.loss");
    assertContains(m, "unknown loss 'cross-entropy'", "valid: mse, binary-cross-entropy, softmax-cross-entropy");
    m = error(LENET5.replace("units = 84", "units = 84, init = glorot"), "model.layers[9].init");
    assertContains(m, "unknown initializer 'glorot'", "he-uniform");
  }

  @Test
  void theShippedConfigsLoadAndParse() {
    NetworkSpec lenet = NetworkConfig.parse(ConfigLoader.load(Path.of("conf/lenet5-mnist.conf"),
        List.of()));
    assertSameNetwork(lenet5Builder(), lenet);
    for (String file : List.of("conf/mlp-mnist.conf", "conf/cnn-large-mnist.conf")) {
      NetworkSpec spec = NetworkConfig.parse(ConfigLoader.load(Path.of(file), List.of()));
      assertEquals(10, spec.outputShape().size(), file);
    }
  }

  /**
   * The ResNet configs: residual blocks (one with a projection), batch norm, global average
   * pooling, data.augment; their networks read back from the model format's map form and from
   * the summary's HOCON as equal networks.
   */
  @Test
  void theResNetConfigsLoadWithAugmentationAndReadBackFromTheirMapForm() {
    for (String file : List.of("conf/resnet-mnist.conf", "conf/resnet-color-example.conf")) {
      JobConfig job = JobConfig.from(ConfigLoader.load(Path.of(file), List.of()));
      NetworkSpec spec = job.network();
      assertEquals(10, spec.outputShape().size(), file);
      assertTrue(spec.stateCount() > 0, file);
      assertTrue(spec.augmentation() != null && spec.augmentation().cropPadding() > 0, file);
      NetworkSpec back = NetworkConfig.parse(NetworkConfig.toMap(spec));
      assertEquals(spec.layers(), back.layers(), file);
      assertEquals(spec.paramCount(), back.paramCount());
      assertEquals(spec.stateCount(), back.stateCount());
      assertEquals(spec.layers(), NetworkConfig.parse(ConfigLoader.load(
          com.typesafe.config.ConfigFactory.parseString(NetworkConfig.toHocon(spec)),
          List.of())).layers(), file + " through HOCON");
    }
    JobConfig color = JobConfig.from(ConfigLoader.load(Path.of("conf/resnet-color-example.conf"),
        List.of()));
    assertTrue(color.network().augmentation().horizontalFlip());
    assertEquals(io.spindle.tensor.Shape.vector(64),
        color.network().layerOutputShape(color.network().layerCount() - 2));
  }

  @Test
  void residualAndBatchNormErrorsNameTheNestedKey(@TempDir Path dir) throws IOException {
    String block = "data.input-shape = [1, 8, 8]\nmodel.layers = [\n"
        + "  { type = conv2d, filters = 4, kernel = 3, padding = 1 }\n"
        + "  { type = residual, layers = [ { type = conv2d, filters = 4, kernel = 3, padding = 1 },"
        + " { type = batch-norm, momentum = MOMENTUM } ] }\n"
        + "  { type = dense, units = 3 }\n]\n";
    Path file = dir.resolve("res.conf");
    Files.writeString(file, block.replace("MOMENTUM", "1.5"));
    SpindleConfigException e = assertThrows(SpindleConfigException.class,
        () -> NetworkConfig.parse(ConfigLoader.load(file, List.of())));
    assertContains(e.getMessage(), "model.layers[1].layers[1].momentum (res.conf:4)", "(0, 1]");
    Files.writeString(file, block.replace("MOMENTUM", "0.1").replace("padding = 1 },",
        "padding = 1, unit = 3 },"));
    e = assertThrows(SpindleConfigException.class,
        () -> NetworkConfig.parse(ConfigLoader.load(file, List.of())));
    assertContains(e.getMessage(), "model.layers[1].layers[0].unit", "valid keys");
    Files.writeString(file, block.replace("MOMENTUM", "0.1").replace("] }", "], shortcut = none }"));
    e = assertThrows(SpindleConfigException.class,
        () -> NetworkConfig.parse(ConfigLoader.load(file, List.of())));
    assertContains(e.getMessage(), "model.layers[1].shortcut", "auto, projection");
    Files.writeString(file, "data.input-shape = [1, 8, 8]\nmodel.layers = [\n"
        + "  { type = residual, layers = [] }\n  { type = dense, units = 3 }\n]\n");
    e = assertThrows(SpindleConfigException.class,
        () -> NetworkConfig.parse(ConfigLoader.load(file, List.of())));
    assertContains(e.getMessage(), "model.layers[0].layers", "no layers");
    // A block whose output no 1x1 convolution reaches (a pooling window that is no stride).
    Files.writeString(file, "data.input-shape = [1, 8, 8]\nmodel.layers = [\n"
        + "  { type = residual, layers = [ { type = conv2d, filters = 2, kernel = 3 } ] }\n"
        + "  { type = dense, units = 3 }\n]\n");
    e = assertThrows(SpindleConfigException.class,
        () -> NetworkConfig.parse(ConfigLoader.load(file, List.of())));
    assertContains(e.getMessage(), "model.layers[0]", "no 1x1 convolution shortcut");
    // Augmentation is for images.
    e = assertThrows(SpindleConfigException.class, () -> JobConfig.from(ConfigLoader.load(
        Path.of("conf/mlp-mnist.conf"), List.of("data.input-shape=[784]",
            "data.augment.crop-padding=2"))));
    assertContains(e.getMessage(), "data.augment", "images");
  }

  @Test
  void errorsThroughTheLoaderNameTheFileAndOverrides(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("my-lenet.conf");
    Files.writeString(file, LENET5.replace("units = 84", "unit = 84"));
    SpindleConfigException e = assertThrows(SpindleConfigException.class,
        () -> NetworkConfig.parse(ConfigLoader.load(file, List.of())));
    assertEquals("model.layers[9].unit (my-lenet.conf:15): unknown key for a dense layer;"
        + " did you mean units? valid keys: type, units, init", e.getMessage());

    e = assertThrows(SpindleConfigException.class, () -> NetworkConfig.parse(
        ConfigLoader.load(Path.of("conf/lenet5-mnist.conf"), List.of("data.input-shape=[1,8,8]"))));
    assertContains(e.getMessage(), "model.layers[3] (lenet5-mnist.conf:", "does not fit input 6x4x4");

    e = assertThrows(SpindleConfigException.class, () -> NetworkConfig.parse(
        ConfigLoader.load(Path.of("conf/lenet5-mnist.conf"), List.of("data.input-shape=big"))));
    assertContains(e.getMessage(), "data.input-shape (--set data.input-shape)", "\"big\"");
  }

  @Test
  void theMapFormReadsBackAsTheModelStoreKeepsIt() {
    NetworkSpec spec = lenet5Builder();
    // JSON-like maps and lists, as a JSON library returns them.
    java.util.Map<String, Object> map = NetworkConfig.toMap(spec);
    assertSameNetwork(spec, NetworkConfig.parse(map));
    SpindleConfigException e = assertThrows(SpindleConfigException.class,
        () -> NetworkConfig.parse(java.util.Map.of("data", java.util.Map.of("input-shape", List.of(3)),
            "model", java.util.Map.of("layers", List.of(java.util.Map.of("type", "dense"))))));
    assertEquals("model.layers[0].units is missing: model.layers[0] (network description) needs it,"
        + " as an integer >= 1",
        e.getMessage());
  }
}
