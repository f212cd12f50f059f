package io.spindle.onnx;

import com.google.protobuf.ByteString;
import io.spindle.io.SpindleModel;
import io.spindle.onnx.proto.OnnxProto.GraphProto;
import io.spindle.onnx.proto.OnnxProto.ModelProto;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.onnx.proto.OnnxProto.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The catalogue of bad .onnx files (truncated, wrong magic, unsupported operators and
 * attributes, wrong shapes, huge declared tensors...), each an edit of a valid file, with a
 * fragment its one-line refusal must contain. Used by OnnxImportTest and the CLI's test.
 */
public final class OnnxBadFiles {

  private OnnxBadFiles() {}

  static ModelProto torchWith(UnaryOperator<GraphProto.Builder> edit) {
    return ForeignGraphs.model(edit.apply(ForeignGraphs.torchCnn(3)), 13);
  }

  static GraphProto.Builder replaceNode(GraphProto.Builder g, String name,
      UnaryOperator<NodeProto.Builder> edit) {
    for (int i = 0; i < g.getNodeCount(); i++) {
      if (g.getNode(i).getName().equals(name)) {
        g.setNode(i, edit.apply(g.getNode(i).toBuilder()));
      }
    }
    return g;
  }

  static GraphProto.Builder replaceInitializer(GraphProto.Builder g, String name,
      UnaryOperator<TensorProto.Builder> edit) {
    for (int i = 0; i < g.getInitializerCount(); i++) {
      if (g.getInitializer(i).getName().equals(name)) {
        g.setInitializer(i, edit.apply(g.getInitializer(i).toBuilder()));
      }
    }
    return g;
  }

  /** Each bad file: its bytes and what the one-line message must say. */
  /** A valid torch.onnx-style CNN on 1x28x28 images (see ForeignGraphs#torchCnn). */
  public static byte[] torchCnn() {
    return torchWith(g -> g).toByteArray();
  }

  /** ONNX Runtime's outputs for n examples (NCHW or [N, features] per the network). */
  public static Map<String, float[][]> runtime(byte[] model, String input,
      io.spindle.nn.NetworkSpec spec, float[] x, int n) throws Exception {
    return OnnxTestSupport.ort(model, input, spec, x, n);
  }

  public static Map<String, Object[]> all() throws Exception {
    SpindleModel lenet = OnnxRuntimeEquivalenceTest.randomModel(
        OnnxRuntimeEquivalenceTest.layerNetworks().get("conv2d (padding, stride)"), 2);
    byte[] good = OnnxExport.toProto(lenet).toByteArray();
    Map<String, Object[]> bad = new java.util.LinkedHashMap<>();
    bad.put("truncated", new Object[] {Arrays.copyOf(good, good.length / 2), "truncated"});
    bad.put("empty", new Object[] {new byte[0], "is empty"});
    bad.put("wrong magic (a gzip file)", new Object[] {
        Files.readAllBytes(Path.of("data/mnist/t10k-labels-idx1-ubyte.gz")), "not an ONNX model"});
    bad.put("wrong magic (a PNG file)", new Object[] {
        Files.readAllBytes(Path.of("docs/training-curves.png")), "not an ONNX model"});
    bad.put("wrong magic (Spindle's model.json)", new Object[] {
        "{\"format\": \"spindle-model\", \"version\": 1}".getBytes(), "not an ONNX model"});
    bad.put("unsupported operator", new Object[] {torchWith(g -> replaceNode(g, "/Relu",
        n -> n.setOpType("Erf"))).toByteArray(), "unsupported operator 'Erf' in node '/Relu'"});
    bad.put("operator of another domain", new Object[] {torchWith(g -> replaceNode(g, "/Relu",
        n -> n.setDomain("com.microsoft").setOpType("FusedConv"))).toByteArray(),
        "unsupported operator 'com.microsoft:FusedConv' in node '/Relu'"});
    bad.put("unsupported attribute value", new Object[] {torchWith(g -> replaceNode(g,
        "/conv1/Conv", n -> n.setAttribute(4, ForeignGraphs.intAttr("group", 2)))).toByteArray(),
        "node '/conv1/Conv' ('Conv'): attribute group = 2 is not supported"});
    bad.put("unknown attribute", new Object[] {torchWith(g -> replaceNode(g, "/pool/MaxPool",
        n -> n.addAttribute(ForeignGraphs.intAttr("frobnicate", 1)))).toByteArray(),
        "node '/pool/MaxPool' ('MaxPool'): attribute 'frobnicate' is not supported"});
    bad.put("wrong weight shape", new Object[] {torchWith(g -> replaceInitializer(g, "fc1.weight",
        t -> t.setDims(1, 4 * 14 * 14 - 1).setRawData(ByteString.copyFrom(new byte[16 * 4 * 14 * 14 * 4]))))
        .toByteArray(), "node '/fc1/Gemm' ('Gemm'): weight shape [16, 783] does not fit 784 input features"});
    bad.put("wrong input shape", new Object[] {torchWith(g -> g.setInput(0,
        ForeignGraphs.value("x", 3, 28, 28))).toByteArray(),
        "node '/conv1/Conv' ('Conv'): weight shape [4, 1, 3, 3] does not fit 3 input channels"});
    bad.put("data shorter than declared", new Object[] {torchWith(g -> replaceInitializer(g,
        "conv1.bias", t -> t.setRawData(ByteString.copyFrom(new byte[12])))).toByteArray(),
        "declares 4 floats but holds 12 bytes"});
    bad.put("huge declared tensor", new Object[] {torchWith(g -> replaceNode(g, "/Constant",
        n -> n.setAttribute(0, n.getAttribute(0).toBuilder().setT(n.getAttribute(0).getT()
            .toBuilder().setDims(0, 1L << 40))))).toByteArray(),
        "declares dims [1099511627776], over the limit of 2147483639 elements; refused before reading it"});
    bad.put("huge declared weight", new Object[] {torchWith(g -> replaceInitializer(g,
        "fc1.weight", t -> t.setDims(0, 1L << 40).setDims(1, 1L << 40))).toByteArray(),
        "weight shape [1099511627776, 1099511627776] does not fit 784 input features"});
    bad.put("huge declared tensor of the right rank", new Object[] {torchWith(g -> replaceInitializer(
        g, "conv1.weight", t -> t.setDims(0, 1L << 33))).toByteArray(), "does not fit"});
    bad.put("external data", new Object[] {torchWith(g -> replaceInitializer(g, "conv1.bias",
        t -> t.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL))).toByteArray(),
        "external file"});
    bad.put("old opset", new Object[] {ForeignGraphs.model(ForeignGraphs.torchCnn(3), 9)
        .toByteArray(), "opset 9"});
    bad.put("a branch (two consumers)", new Object[] {torchWith(g -> replaceNode(g, "/Relu_1",
        n -> n.setInput(0, "flat"))).toByteArray(), "feeds two nodes (node '/fc1/Gemm' ('Gemm'), node '/Relu_1' ('Relu')) that are not a residual block"});
    bad.put("computed weights", new Object[] {torchWith(g -> replaceNode(g, "/fc1/Gemm",
        n -> n.setInput(1, "flat"))).toByteArray(), "must be an initializer or a Constant"});
    bad.put("control characters in a node name", new Object[] {torchWith(g -> replaceNode(g,
        "/Relu", n -> n.setOpType("Erf").setName("evil\nspindle: ok"))).toByteArray(), "evil\\nspindle"});
    return bad;
  }

}
