package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.MaxPool2D;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import java.util.List;
import java.util.Set;

/** max-pool as MaxPool: padding counts as -infinity in both, floor rounding (ceil_mode 0). */
final class MaxPoolMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(MaxPool2D.class);
  }

  @Override
  public List<String> ops() {
    return List.of("MaxPool");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    MaxPool2D p = (MaxPool2D) layer;
    ExportGraph.Value x = g.toRank4(in, name + "_reshape");
    return g.node("MaxPool", name, p.outputShape(x.shape()), 4, List.of(x.name()),
        ExportGraph.intsAttr("kernel_shape", p.sizeH(), p.sizeW()),
        ExportGraph.intsAttr("strides", p.strideH(), p.strideW()),
        ExportGraph.intsAttr("pads", p.padH(), p.padW(), p.padH(), p.padW()),
        ExportGraph.intAttr("ceil_mode", 0));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    ImportGraph.Attributes a = g.attributes(node,
        Set.of("kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "storage_order"));
    Windows2D.requirePoolingInput(g, node);
    if (a.i("storage_order", 0) != 0) {
      throw a.unsupported("storage_order", a.i("storage_order", 0), "storage_order 0");
    }
    Windows2D w = Windows2D.read(a, null);
    MaxPool2D layer;
    try {
      layer = new MaxPool2D(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW());
    } catch (IllegalArgumentException e) {
      throw g.error(node, e.getMessage());
    }
    g.add(layer, new float[0], node);
    return node.getOutput(0);
  }
}
