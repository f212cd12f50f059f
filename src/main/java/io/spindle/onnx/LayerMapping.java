package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import java.util.List;

/**
 * How one Spindle layer type maps to ONNX and back. Export writes the layer's nodes (and its
 * weights as initializers); import turns the node the walk has reached (and, where the pattern
 * needs it, the nodes right after it) into layers. Each layer type has one small mapping
 * ({@link OnnxMappings} lists them), so a new layer type adds one class.
 */
interface LayerMapping {

  /** The Spindle layer classes this mapping exports. */
  List<Class<? extends LayerSpec>> layers();

  /** The ONNX operators (default domain) this mapping imports. */
  List<String> ops();

  /**
   * Writes {@code layer} applied to {@code in}.
   *
   * @param at where the layer's parameters and state sit in the model vector ({@code g.params})
   * @param name a unique node name for this layer (derived names may add suffixes)
   * @return the layer's output value
   */
  ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name);

  /**
   * Appends the layers {@code node} stands for to {@code g} ({@link ImportGraph#add}), or none
   * for operators that are the identity at inference.
   *
   * @return the value the walk continues from (normally the node's output)
   * @throws OnnxFormatException naming the node for an attribute, input or shape Spindle cannot
   *     represent
   */
  String importNode(ImportGraph g, NodeProto node);
}
