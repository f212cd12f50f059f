package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.Dropout;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import java.util.List;
import java.util.Set;

/**
 * dropout is the identity at inference and is left out of the export. Import reads Dropout
 * (inference form: no training_mode, mask unused) back as a dropout layer with its ratio, so
 * fine-tuning regularizes as the original did, and Identity as nothing.
 */
final class DropoutMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(Dropout.class);
  }

  @Override
  public List<String> ops() {
    return List.of("Dropout", "Identity");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    return in;
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    if (node.getOpType().equals("Identity")) {
      g.attributes(node, Set.of());
      return node.getOutput(0);
    }
    g.attributes(node, Set.of("seed"));
    if (g.hasInput(node, 2)) {
      throw g.error(node, "input training_mode is not supported; export the model for inference");
    }
    if (node.getOutputCount() > 1 && !node.getOutput(1).isEmpty()) {
      throw g.error(node, "its second output (mask) is not supported");
    }
    float ratio = g.hasInput(node, 1) ? g.floats(node, 1)[0] : 0.5f;
    try {
      // Through its decimal form: 0.3f as a double would print as 0.30000001192092896.
      g.add(new Dropout(Double.parseDouble(Float.toString(ratio))), new float[0], node);
    } catch (IllegalArgumentException e) {
      throw g.error(node, e.getMessage());
    }
    return node.getOutput(0);
  }
}
