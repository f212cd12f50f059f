package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.ReLU;
import io.spindle.nn.layers.Sigmoid;
import io.spindle.nn.layers.Tanh;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fixed registry of layer mappings: one per Spindle layer type. */
final class OnnxMappings {

  static final List<LayerMapping> ALL = List.of(
      new ConvMapping(),
      new DenseMapping(),
      new MaxPoolMapping(),
      new AvgPoolMapping(),
      new FlattenMapping(),
      new ActivationMapping(ReLU.class, "Relu", ReLU::new),
      new ActivationMapping(Sigmoid.class, "Sigmoid", Sigmoid::new),
      new ActivationMapping(Tanh.class, "Tanh", Tanh::new),
      new LeakyReluMapping(),
      new SoftmaxMapping(),
      new DropoutMapping(),
      new BatchNormMapping(),
      new GlobalAvgPoolMapping(),
      new ResidualMapping());

  private static final Map<Class<? extends LayerSpec>, LayerMapping> BY_LAYER = new LinkedHashMap<>();
  private static final Map<String, LayerMapping> BY_OP = new LinkedHashMap<>();

  static {
    for (LayerMapping m : ALL) {
      m.layers().forEach(c -> BY_LAYER.put(c, m));
      m.ops().forEach(op -> BY_OP.put(op, m));
    }
  }

  private OnnxMappings() {}

  static LayerMapping forLayer(LayerSpec layer) {
    LayerMapping m = BY_LAYER.get(layer.getClass());
    if (m == null) {
      throw new IllegalArgumentException("layer type " + layer.kind() + " has no ONNX mapping");
    }
    return m;
  }

  /** The mapping that imports {@code op} of the default domain, or null. */
  static LayerMapping forOp(String op) {
    return BY_OP.get(op);
  }

  /** The operators Spindle imports, for messages. */
  static String supportedOps() {
    return String.join(", ", BY_OP.keySet());
  }
}
