package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.Softmax;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import java.util.List;
import java.util.Set;

/**
 * softmax as Softmax over the last axis of an [N, features] value: Spindle's softmax runs over
 * each example's whole output, so a rank-4 value is flattened first.
 */
final class SoftmaxMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(Softmax.class);
  }

  @Override
  public List<String> ops() {
    return List.of("Softmax");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    ExportGraph.Value x = g.toRank2(in, name + "_flatten");
    return g.node("Softmax", name, x.shape(), 2, List.of(x.name()), ExportGraph.intAttr("axis", 1));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    long axis = g.attributes(node, Set.of("axis")).i("axis", -1);
    if (g.rank != 2 || (axis != -1 && axis != 1)) {
      throw g.error(node, "Spindle's softmax runs over all features of an [N, features] value; "
          + "got axis " + axis + " on a rank-" + g.rank + " input");
    }
    g.add(new Softmax(), new float[0], node);
    return node.getOutput(0);
  }
}
