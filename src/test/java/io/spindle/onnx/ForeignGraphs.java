package io.spindle.onnx;

import com.google.protobuf.ByteString;
import io.spindle.onnx.proto.OnnxProto.AttributeProto;
import io.spindle.onnx.proto.OnnxProto.GraphProto;
import io.spindle.onnx.proto.OnnxProto.ModelProto;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.spindle.onnx.proto.OnnxProto.TensorProto;
import io.spindle.onnx.proto.OnnxProto.TensorShapeProto;
import io.spindle.onnx.proto.OnnxProto.TypeProto;
import io.spindle.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Graphs as other exporters write them (PyTorch's torch.onnx: Gemm with transB = 1, Constant
 * shapes for Reshape, a Softmax as the only output, no Spindle metadata), built with the
 * generated protobuf classes, for import tests.
 */
final class ForeignGraphs {

  private ForeignGraphs() {}

  static ModelProto model(GraphProto.Builder graph, int opset) {
    return ModelProto.newBuilder().setIrVersion(7).setProducerName("pytorch")
        .setProducerVersion("2.1.0")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(graph).build();
  }

  static ValueInfoProto value(String name, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    shape.addDimBuilder().setDimParam("batch_size");
    for (long d : dims) {
      shape.addDimBuilder().setDimValue(d);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
  }

  static TensorProto floats(String name, SplittableRandom rng, long... dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    ByteBuffer b = ByteBuffer.allocate((int) n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat((float) (rng.nextDouble() - 0.5) * 0.4f);
    }
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1)
        .setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  static TensorProto int64s(String name, long... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(values.length);
    for (long v : values) {
      t.addInt64Data(v);
    }
    return t.build();
  }

  static NodeProto node(String op, String name, List<String> inputs, String output,
      AttributeProto... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs)
        .addOutput(output);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    return n.build();
  }

  static AttributeProto ints(String name, long... v) {
    return ExportGraph.intsAttr(name, v);
  }

  static AttributeProto intAttr(String name, long v) {
    return ExportGraph.intAttr(name, v);
  }

  /**
   * A LeNet-like CNN as torch.onnx writes it: Conv (pads 1) -> Relu -> MaxPool -> Reshape
   * (Constant [0, -1]) -> Gemm (transB = 1) -> Relu -> MatMul + Add -> Softmax as the only
   * output, with an Identity and an inference Dropout on the way.
   */
  static GraphProto.Builder torchCnn(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    GraphProto.Builder g = GraphProto.newBuilder().setName("main_graph");
    g.addInput(value("x", 1, 28, 28));
    g.addInitializer(floats("conv1.weight", rng, 4, 1, 3, 3));
    g.addInitializer(floats("conv1.bias", rng, 4));
    g.addInitializer(floats("fc1.weight", rng, 16, 4 * 14 * 14));
    g.addInitializer(floats("fc1.bias", rng, 16));
    g.addInitializer(floats("fc2.weight_t", rng, 16, 10));
    g.addInitializer(floats("fc2.bias", rng, 10));
    g.addNode(node("Conv", "/conv1/Conv", List.of("x", "conv1.weight", "conv1.bias"), "c1",
        ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1), ints("strides", 1, 1),
        ints("dilations", 1, 1), intAttr("group", 1)));
    g.addNode(node("Relu", "/Relu", List.of("c1"), "r1"));
    g.addNode(node("MaxPool", "/pool/MaxPool", List.of("r1"), "p1", ints("kernel_shape", 2, 2),
        ints("strides", 2, 2), ints("pads", 0, 0, 0, 0), intAttr("ceil_mode", 0)));
    g.addNode(NodeProto.newBuilder().setOpType("Constant").setName("/Constant").addOutput("shape")
        .addAttribute(AttributeProto.newBuilder().setName("value")
            .setType(AttributeProto.AttributeType.TENSOR).setT(int64s("", 0, -1))).build());
    g.addNode(node("Reshape", "/Reshape", List.of("p1", "shape"), "flat"));
    g.addNode(node("Gemm", "/fc1/Gemm", List.of("flat", "fc1.weight", "fc1.bias"), "h1",
        ExportGraph.floatAttr("alpha", 1f), ExportGraph.floatAttr("beta", 1f),
        intAttr("transB", 1)));
    g.addNode(node("Relu", "/Relu_1", List.of("h1"), "r2"));
    g.addNode(node("Identity", "/Identity", List.of("r2"), "i2"));
    g.addNode(node("Dropout", "/dropout/Dropout", List.of("i2"), "d2"));
    g.addNode(node("MatMul", "/fc2/MatMul", List.of("d2", "fc2.weight_t"), "m3"));
    g.addNode(node("Add", "/fc2/Add", List.of("fc2.bias", "m3"), "logits"));
    g.addNode(node("Softmax", "/Softmax", List.of("logits"), "prob", intAttr("axis", 1)));
    g.addOutput(value("prob", 10));
    return g;
  }

  /**
   * A small MLP on [N, 6] as torch.onnx writes it: Gemm (transB = 1) -> Relu -> Identity ->
   * Dropout (ratio 0.25) -> Reshape (Constant [0, -1]) -> MatMul + Add -> Softmax as the only
   * output.
   */
  static GraphProto.Builder torchMlp(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    GraphProto.Builder g = GraphProto.newBuilder().setName("main_graph");
    g.addInput(value("x", 6));
    g.addInitializer(floats("fc1.weight", rng, 5, 6));
    g.addInitializer(floats("fc1.bias", rng, 5));
    g.addInitializer(floats("fc2.weight_t", rng, 5, 3));
    g.addInitializer(floats("fc2.bias", rng, 3));
    g.addInitializer(TensorProto.newBuilder().setName("ratio").setDataType(1).addFloatData(0.25f).build());
    g.addNode(node("Gemm", "/fc1/Gemm", List.of("x", "fc1.weight", "fc1.bias"), "h1",
        intAttr("transB", 1)));
    g.addNode(node("Relu", "/Relu", List.of("h1"), "r1"));
    g.addNode(node("Identity", "/Identity", List.of("r1"), "i1"));
    g.addNode(node("Dropout", "/Dropout", List.of("i1", "ratio"), "d1"));
    g.addNode(NodeProto.newBuilder().setOpType("Constant").setName("/Constant").addOutput("shape")
        .addAttribute(AttributeProto.newBuilder().setName("value")
            .setType(AttributeProto.AttributeType.TENSOR).setT(int64s("", 0, -1))).build());
    g.addNode(node("Reshape", "/Reshape", List.of("d1", "shape"), "flat"));
    g.addNode(node("MatMul", "/fc2/MatMul", List.of("flat", "fc2.weight_t"), "m2"));
    g.addNode(node("Add", "/fc2/Add", List.of("m2", "fc2.bias"), "logits"));
    g.addNode(node("Softmax", "/Softmax", List.of("logits"), "prob", intAttr("axis", -1)));
    g.addOutput(value("prob", 3));
    return g;
  }
}
