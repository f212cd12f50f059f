package io.spindle.onnx;

import io.spindle.onnx.proto.OnnxProto.AttributeProto;
import io.spindle.onnx.proto.OnnxProto.GraphProto;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.onnx.proto.OnnxProto.TensorProto;
import io.spindle.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The graph being exported: nodes and initializers in order, fresh value names, and the rank
 * conversions the layer mappings need (Spindle layers see one flat CxHxW example; ONNX operators
 * want [N, C, H, W] for convolution and pooling and [N, features] for Gemm and Softmax).
 */
final class ExportGraph {

  /** A value in the graph: its name, Spindle's per-example shape and its ONNX rank (2 or 4). */
  record Value(String name, Shape shape, int rank) {}

  /**
   * Where a layer's values sit in the model vector: its parameters at {@code param}, its
   * non-trainable state (if any) at {@code state}.
   */
  record At(int param, int state) {}

  final GraphProto.Builder graph = GraphProto.newBuilder();
  /** The model vector: the flat parameters, then any non-trainable state. */
  final float[] params;
  /** The node that produced each value last, so the final one can be renamed to "logits". */
  private String lastNodeOutput;

  ExportGraph(float[] params) {
    this.params = params;
  }

  /** Adds a node named {@code nodeName} with one output; returns that output. */
  Value node(String op, String nodeName, Shape shape, int rank, Iterable<String> inputs,
      AttributeProto... attributes) {
    String out = nodeName + "_out";
    NodeProto.Builder node = graph.addNodeBuilder().setOpType(op).setName(nodeName)
        .addAllInput(inputs).addOutput(out);
    for (AttributeProto a : attributes) {
      node.addAttribute(a);
    }
    lastNodeOutput = out;
    return new Value(out, shape, rank);
  }

  /** float32 initializer from {@code params[offset..offset+count)} (the model vector) with the given dims. */
  String initializer(String name, long[] dims, int offset, int count) {
    ByteBuffer raw = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      raw.putFloat(params[offset + i]);
    }
    graph.addInitializer(TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.FLOAT_VALUE).addAllDims(boxed(dims))
        .setRawData(com.google.protobuf.ByteString.copyFrom(raw.array())));
    return name;
  }

  /** int64 initializer (Reshape's shape input). */
  String int64Initializer(String name, long[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    graph.addInitializer(TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.INT64_VALUE).addDims(values.length)
        .setRawData(com.google.protobuf.ByteString.copyFrom(raw.array())));
    return name;
  }

  /** {@code v} as [N, features]: a Flatten node for a rank-4 value. */
  Value toRank2(Value v, String nodeName) {
    if (v.rank() == 2) {
      return v;
    }
    return node("Flatten", nodeName, Shape.vector(v.shape().size()), 2,
        java.util.List.of(v.name()), intAttr("axis", 1));
  }

  /** {@code v} as [N, C, H, W]: a Reshape node for a rank-2 value. */
  Value toRank4(Value v, String nodeName) {
    if (v.rank() == 4) {
      return v;
    }
    Shape s = v.shape();
    String shape = int64Initializer(nodeName + "_shape", new long[] {-1, s.channels(), s.height(), s.width()});
    return node("Reshape", nodeName, s, 4, java.util.List.of(v.name(), shape));
  }

  /** Renames the output of the last node to {@code name} if it produced {@code v}; else an Identity. */
  String nameOutput(Value v, String name) {
    if (v.name().equals(lastNodeOutput)) {
      NodeProto.Builder last = graph.getNodeBuilder(graph.getNodeCount() - 1);
      last.setOutput(0, name);
      return name;
    }
    graph.addNodeBuilder().setOpType("Identity").setName(name).addInput(v.name()).addOutput(name);
    return name;
  }

  static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
        .setI(value).build();
  }

  static AttributeProto intsAttr(String name, long... values) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
        .addAllInts(boxed(values)).build();
  }

  static AttributeProto floatAttr(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
        .setF(value).build();
  }

  private static java.util.List<Long> boxed(long[] values) {
    java.util.List<Long> list = new java.util.ArrayList<>(values.length);
    for (long v : values) {
      list.add(v);
    }
    return list;
  }
}
