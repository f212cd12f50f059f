package io.spindle.onnx;

import io.spindle.nn.Init;
import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.Conv2D;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.tensor.Shape;
import java.util.List;
import java.util.Set;

/** conv2d as Conv: Spindle's weights are already ONNX's [M, C, kH, kW], then the bias [M]. */
final class ConvMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(Conv2D.class);
  }

  @Override
  public List<String> ops() {
    return List.of("Conv");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    Conv2D c = (Conv2D) layer;
    ExportGraph.Value x = g.toRank4(in, name + "_reshape");
    Shape s = x.shape();
    int weights = c.filters() * s.channels() * c.kernelH() * c.kernelW();
    String w = g.initializer(name + "_weight",
        new long[] {c.filters(), s.channels(), c.kernelH(), c.kernelW()}, at.param(), weights);
    String b = g.initializer(name + "_bias", new long[] {c.filters()}, at.param() + weights, c.filters());
    return g.node("Conv", name, c.outputShape(s), 4, List.of(x.name(), w, b),
        ExportGraph.intsAttr("kernel_shape", c.kernelH(), c.kernelW()),
        ExportGraph.intsAttr("strides", c.strideH(), c.strideW()),
        ExportGraph.intsAttr("pads", c.padH(), c.padW(), c.padH(), c.padW()),
        ExportGraph.intsAttr("dilations", 1, 1), ExportGraph.intAttr("group", 1));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    ImportGraph.Attributes a = g.attributes(node,
        Set.of("kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"));
    if (g.rank != 4) {
      throw g.error(node, "needs an [N, C, H, W] input, got rank " + g.rank);
    }
    if (a.i("group", 1) != 1) {
      throw a.unsupported("group", a.i("group", 1), "group 1 (no grouped or depthwise convolution)");
    }
    long[] wDims = ImportGraph.dims(g.constant(node, 1));
    if (wDims.length != 4) {
      throw g.error(node, "weight must be [M, C, kH, kW], got " + java.util.Arrays.toString(wDims));
    }
    Windows2D w = Windows2D.read(a, new long[] {wDims[2], wDims[3]});
    int channels = g.shape.channels();
    if (wDims[1] != channels || wDims[2] != w.kernelH() || wDims[3] != w.kernelW()
        || wDims[0] < 1 || wDims[0] > ImportGraph.MAX_ELEMENTS) {
      throw g.error(node, "weight shape " + java.util.Arrays.toString(wDims) + " does not fit "
          + channels + " input channels and kernel " + w.kernelH() + "x" + w.kernelW());
    }
    int filters = (int) wDims[0];
    Conv2D layer;
    try {
      layer = new Conv2D(filters, w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(),
          w.padW(), Init.HE_UNIFORM);
      layer.outputShape(g.shape);
      layer.paramCount(g.shape);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw g.error(node, String.valueOf(e.getMessage()));
    }
    float[] weights = g.floats(node, 1, wDims);
    float[] params = new float[weights.length + filters];
    System.arraycopy(weights, 0, params, 0, weights.length);
    if (g.hasInput(node, 2)) {
      float[] bias = g.floats(node, 2, filters);
      System.arraycopy(bias, 0, params, weights.length, filters);
    }
    g.add(layer, params, node);
    return node.getOutput(0);
  }
}
