package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.AvgPool2D;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import java.util.List;
import java.util.Set;

/**
 * avg-pool as AveragePool with count_include_pad = 1: Spindle divides every window by its full
 * size, padding included (PyTorch's default), which is ONNX's count_include_pad.
 */
final class AvgPoolMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(AvgPool2D.class);
  }

  @Override
  public List<String> ops() {
    return List.of("AveragePool");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    AvgPool2D p = (AvgPool2D) layer;
    ExportGraph.Value x = g.toRank4(in, name + "_reshape");
    return g.node("AveragePool", name, p.outputShape(x.shape()), 4, List.of(x.name()),
        ExportGraph.intsAttr("kernel_shape", p.sizeH(), p.sizeW()),
        ExportGraph.intsAttr("strides", p.strideH(), p.strideW()),
        ExportGraph.intsAttr("pads", p.padH(), p.padW(), p.padH(), p.padW()),
        ExportGraph.intAttr("ceil_mode", 0), ExportGraph.intAttr("count_include_pad", 1));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    ImportGraph.Attributes a = g.attributes(node,
        Set.of("kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "count_include_pad", "dilations"));
    Windows2D.requirePoolingInput(g, node);
    Windows2D w = Windows2D.read(a, null);
    if ((w.padH() > 0 || w.padW() > 0) && a.i("count_include_pad", 0) != 1) {
      throw a.unsupported("count_include_pad", a.i("count_include_pad", 0),
          "count_include_pad 1 when padded (Spindle averages over the full window)");
    }
    AvgPool2D layer;
    try {
      layer = new AvgPool2D(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW());
    } catch (IllegalArgumentException e) {
      throw g.error(node, e.getMessage());
    }
    g.add(layer, new float[0], node);
    return node.getOutput(0);
  }
}
