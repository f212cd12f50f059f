package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.LeakyReLU;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import java.util.List;
import java.util.Set;

/** leaky-relu as LeakyRelu(alpha); ONNX's default alpha is 0.01, as Spindle's. */
final class LeakyReluMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(LeakyReLU.class);
  }

  @Override
  public List<String> ops() {
    return List.of("LeakyRelu");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    return g.node("LeakyRelu", name, in.shape(), in.rank(), List.of(in.name()),
        ExportGraph.floatAttr("alpha", ((LeakyReLU) layer).alpha()));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    float alpha = g.attributes(node, Set.of("alpha")).f("alpha", 0.01f);
    try {
      g.add(new LeakyReLU(alpha), new float[0], node);
    } catch (IllegalArgumentException e) {
      throw g.error(node, e.getMessage());
    }
    return node.getOutput(0);
  }
}
