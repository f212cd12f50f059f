package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An element-wise activation without attributes (relu as Relu, sigmoid as Sigmoid, tanh as
 * Tanh): the same node on a value of any rank.
 */
final class ActivationMapping implements LayerMapping {

  private final Class<? extends LayerSpec> layer;
  private final String op;
  private final Supplier<LayerSpec> create;

  ActivationMapping(Class<? extends LayerSpec> layer, String op, Supplier<LayerSpec> create) {
    this.layer = layer;
    this.op = op;
    this.create = create;
  }

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(layer);
  }

  @Override
  public List<String> ops() {
    return List.of(op);
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec spec, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    return g.node(op, name, in.shape(), in.rank(), List.of(in.name()));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    g.attributes(node, Set.of());
    g.add(create.get(), new float[0], node);
    return node.getOutput(0);
  }
}
