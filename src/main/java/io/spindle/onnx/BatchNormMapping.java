package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.BatchNorm;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import java.util.List;
import java.util.Set;

/**
 * batch-norm as BatchNormalization in its inference form: scale and bias are the layer's
 * gamma and beta, input_mean and input_var its running statistics (the model's state). ONNX's
 * momentum weighs the old running value (PyTorch's 0.1 is ONNX's 0.9), so it is 1 - Spindle's.
 */
final class BatchNormMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(BatchNorm.class);
  }

  @Override
  public List<String> ops() {
    return List.of("BatchNormalization");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    BatchNorm bn = (BatchNorm) layer;
    int c = in.shape().channels();
    String scale = g.initializer(name + "_scale", new long[] {c}, at.param(), c);
    String bias = g.initializer(name + "_bias", new long[] {c}, at.param() + c, c);
    String mean = g.initializer(name + "_mean", new long[] {c}, at.state(), c);
    String var = g.initializer(name + "_var", new long[] {c}, at.state() + c, c);
    return g.node("BatchNormalization", name, in.shape(), in.rank(),
        List.of(in.name(), scale, bias, mean, var),
        ExportGraph.floatAttr("epsilon", (float) bn.epsilon()),
        ExportGraph.floatAttr("momentum", (float) (1 - bn.momentum())));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    ImportGraph.Attributes a = g.attributes(node, Set.of("epsilon", "momentum", "training_mode"));
    if (a.i("training_mode", 0) != 0) {
      throw a.unsupported("training_mode", a.i("training_mode", 0), "the inference form (training_mode 0)");
    }
    for (int o = 1; o < node.getOutputCount(); o++) {
      if (!node.getOutput(o).isEmpty()) {
        throw g.error(node, "output " + o + " (running statistics) is not supported; export the "
            + "model for inference");
      }
    }
    int c = g.shape.channels();
    float[] gamma = g.floats(node, 1, c);
    float[] beta = g.floats(node, 2, c);
    float[] mean = g.floats(node, 3, c);
    float[] var = g.floats(node, 4, c);
    // Through the decimal form, so 1e-5f reads back as 1e-5 and computes as the original.
    double epsilon = Double.parseDouble(Float.toString(a.f("epsilon", 1e-5f)));
    double momentum = 1 - Double.parseDouble(Float.toString(a.f("momentum", 0.9f)));
    BatchNorm layer;
    try {
      layer = new BatchNorm(momentum, epsilon);
    } catch (IllegalArgumentException e) {
      throw g.error(node, e.getMessage());
    }
    float[] params = new float[2 * c];
    System.arraycopy(gamma, 0, params, 0, c);
    System.arraycopy(beta, 0, params, c, c);
    float[] state = new float[2 * c];
    System.arraycopy(mean, 0, state, 0, c);
    System.arraycopy(var, 0, state, c, c);
    g.add(layer, params, state, node);
    return node.getOutput(0);
  }
}
