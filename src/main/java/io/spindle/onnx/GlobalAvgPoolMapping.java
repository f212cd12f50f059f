package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.GlobalAvgPool;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.tensor.Shape;
import java.util.List;
import java.util.Set;

/**
 * global-avg-pool as GlobalAveragePool: [N, C, H, W] to [N, C, 1, 1], which is Spindle's vector
 * of C values per example (a dense layer after it gets a Flatten first).
 */
final class GlobalAvgPoolMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(GlobalAvgPool.class);
  }

  @Override
  public List<String> ops() {
    return List.of("GlobalAveragePool");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    ExportGraph.Value x = g.toRank4(in, name + "_reshape");
    return g.node("GlobalAveragePool", name, Shape.vector(x.shape().channels()), 4,
        List.of(x.name()));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    g.attributes(node, Set.of());
    if (g.rank != 4) {
      throw g.error(node, "needs an [N, C, H, W] input, got rank " + g.rank);
    }
    g.add(new GlobalAvgPool(), new float[0], node);
    return node.getOutput(0);
  }
}
