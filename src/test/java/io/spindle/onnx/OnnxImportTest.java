package io.spindle.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.spindle.data.ExampleBlock;
import io.spindle.fuzz.FuzzSupport;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.layers.Dropout;
import io.spindle.onnx.proto.OnnxProto.GraphProto;
import io.spindle.onnx.proto.OnnxProto.ModelProto;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.onnx.proto.OnnxProto.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Import: Spindle's own exports round trip (export, import, export gives an equivalent graph;
 * the imported model predicts exactly what the original did), graphs written the way other
 * exporters write them import and match ONNX Runtime, and everything outside the operator set
 * or corrupt is refused with one line naming the file and, where there is one, the node.
 */
class OnnxImportTest {

  @TempDir
  static Path tmp;
  static float[] images;
  static final int N = 50;

  @BeforeAll
  static void load() {
    ExampleBlock test = OnnxTestSupport.mnistTest(N);
    images = OnnxTestSupport.features(test);
  }

  static Path write(String name, byte[] bytes) throws Exception {
    Path file = tmp.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  /**
   * The graph with names abstracted away: each node's operator, attributes and inputs, an
   * input being the graph input, an earlier node's output (by position) or an initializer (by
   * type, dims and bytes); then the graph's inputs and outputs.
   */
  static List<String> canonical(ModelProto m) {
    GraphProto g = m.getGraph();
    Map<String, String> ref = new HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      ref.put(t.getName(), "init(" + t.getDataType() + "," + t.getDimsList() + ","
          + Arrays.hashCode(t.getRawData().toByteArray()) + ")");
    }
    g.getInputList().forEach(v -> ref.put(v.getName(), "input"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto n = g.getNode(i);
      List<String> inputs = n.getInputList().stream().map(ref::get).toList();
      List<String> attrs = n.getAttributeList().stream().map(a -> a.getName() + "="
          + a.getType() + a.getI() + a.getF() + a.getIntsList()).sorted().toList();
      out.add(n.getOpType() + attrs + inputs);
      ref.put(n.getOutput(0), "node" + i);
    }
    g.getInputList().forEach(v -> out.add("in " + v.getName() + " " + v.getType()));
    g.getOutputList().forEach(v -> out.add("out " + v.getName() + " " + ref.get(v.getName())
        + " " + v.getType()));
    return out;
  }

  @TestFactory
  Stream<DynamicTest> exportImportExportIsTheSameGraphAndImportPredictsAsTheOriginal() {
    return OnnxRuntimeEquivalenceTest.layerNetworks().entrySet().stream()
        .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
          SpindleModel original = OnnxRuntimeEquivalenceTest.randomModel(e.getValue(), 5);
          Path file = tmp.resolve("roundtrip.onnx");
          original.exportOnnx(file);
          SpindleModel imported = SpindleModel.importOnnx(file);
          assertEquals(original.spec().loss().name(), imported.spec().loss().name());
          assertEquals(original.spec().inputShape(), imported.spec().inputShape());
          // Dropout is the identity at inference and is not exported, so not imported back.
          assertEquals(original.spec().layers().stream().filter(l -> !(l instanceof Dropout))
              .map(l -> l.kind()).filter(k -> !k.equals("flatten")).toList(),
              imported.spec().layers().stream().map(l -> l.kind()).filter(k -> !k.equals("flatten")).toList());
          assertArrayEquals(OnnxTestSupport.spindle(original, images, N),
              OnnxTestSupport.spindle(imported, images, N), "imported model predicts as the original");
          assertEquals(canonical(OnnxExport.toProto(original)), canonical(OnnxExport.toProto(imported)));
        }));
  }

  @Test
  void aTrainedLeNetRoundTripsThroughSavedModelDirectories() throws Exception {
    SpindleModel lenet = OnnxRuntimeEquivalenceTest.trainBriefly(Path.of("conf/lenet5-mnist.conf"),
        OnnxTestSupport.mnistTrain(128));
    Path file = tmp.resolve("lenet.onnx");
    lenet.exportOnnx(file);
    SpindleModel.importOnnx(file).save(tmp.resolve("imported"));
    SpindleModel loaded = SpindleModel.load(tmp.resolve("imported"));
    assertEquals(io.spindle.config.NetworkConfig.toMap(lenet.spec()),
        io.spindle.config.NetworkConfig.toMap(loaded.spec()), "LeNet-5 (explicit flatten, no dropout) comes back as it was");
    assertArrayEquals(lenet.params(), loaded.params());
    assertEquals("lenet.onnx", loaded.metadata().path("onnx-import").path("file").asText());
    Path again = tmp.resolve("again.onnx");
    loaded.exportOnnx(again);
    assertEquals(canonical(ModelProto.parseFrom(Files.readAllBytes(file))),
        canonical(ModelProto.parseFrom(Files.readAllBytes(again))));
  }

  @Test
  void classNamesAndSpindleMetadataComeBack() throws Exception {
    NetworkSpec spec = NetworkSpec.builder().input(4).dense(3).build();
    SpindleModel m = new SpindleModel(spec, spec.initParams(1), new com.fasterxml.jackson.databind
        .ObjectMapper().readTree("{\"classes\": [\"cat\", \"dog\", \"owl\"], \"created\": \"today\"}"));
    Path file = tmp.resolve("named.onnx");
    m.exportOnnx(file);
    SpindleModel back = SpindleModel.importOnnx(file);
    assertEquals("[\"cat\",\"dog\",\"owl\"]", back.metadata().path("classes").toString());
    assertEquals("today", back.metadata().path("created").asText());
  }

  @Test
  void aTorchStyleGraphImportsAndMatchesOnnxRuntime() throws Exception {
    ModelProto torch = ForeignGraphs.model(ForeignGraphs.torchCnn(3), 13);
    Path file = write("torch.onnx", torch.toByteArray());
    SpindleModel m = SpindleModel.importOnnx(file);
    assertEquals(List.of("conv2d", "relu", "max-pool", "flatten", "dense", "relu", "dropout", "dense"),
        m.spec().layers().stream().map(l -> l.kind()).toList());
    assertEquals("softmax-cross-entropy", m.spec().loss().name(),
        "the trailing Softmax becomes the loss's softmax");
    assertEquals(0.5, ((Dropout) m.spec().layers().get(6)).rate());
    float[] probabilities = OnnxTestSupport.spindle(m, images, N);
    m.spec().loss().toPrediction(probabilities, N, 10);
    Map<String, float[][]> ort = OnnxTestSupport.ort(torch.toByteArray(), "x", m.spec(), images, N);
    double diff = OnnxTestSupport.assertClose("torch-style graph", probabilities, ort.get("prob"), N, 10);
    System.out.printf("torch-style graph imported: max |probability diff| against ONNX Runtime %.2e%n", diff);
  }

  // ---- refusals ----

  @TestFactory
  Stream<DynamicTest> badFilesAreRefusedWithOneLineNamingTheFileAndNode() throws Exception {
    return OnnxBadFiles.all().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      Path file = write("bad.onnx", (byte[]) e.getValue()[0]);
      OnnxFormatException ex = assertThrows(OnnxFormatException.class,
          () -> SpindleModel.importOnnx(file));
      FuzzSupport.requireUsableMessage(ex, file.toString());
      assertTrue(ex.getMessage().contains((String) e.getValue()[1]), ex.getMessage());
      assertFalse(ex.getMessage().contains("\n"));
    }));
  }

  @Test
  void theTorchGraphItselfIsAcceptedSoTheRefusalsAreAboutTheirEdits() throws Exception {
    assertEquals(8, SpindleModel.importOnnx(write("ok.onnx",
        OnnxBadFiles.torchWith(g -> g).toByteArray())).spec().layerCount());
  }

}
