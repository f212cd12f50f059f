package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.onnx.proto.OnnxProto.AttributeProto;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.onnx.proto.OnnxProto.TensorProto;
import io.spindle.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of an import walk: the layers built so far, the running value's Spindle shape and
 * ONNX rank, the graph's constant tensors and who consumes each value. Every tensor's declared
 * size is checked against its data (and the layer's expected dims) before anything is
 * allocated for it.
 */
final class ImportGraph {

  /** The most floats one network may hold (Spindle's flat vector is one Java array). */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private final Map<String, TensorProto> constants;
  private final Map<String, List<NodeProto>> consumers;
  /** Nodes the walk has used, shared with the sub-walks of blocks. */
  private final Set<NodeProto> visited;
  private final List<LayerSpec> layers = new ArrayList<>();
  private final List<float[]> params = new ArrayList<>();
  private final List<float[]> states = new ArrayList<>();
  private long paramTotal;
  private long stateTotal;
  final Shape inputShape;
  Shape shape;
  int rank;

  ImportGraph(Shape input, int rank, Map<String, TensorProto> constants,
      Map<String, List<NodeProto>> consumers, Set<NodeProto> visited) {
    this.inputShape = input;
    this.shape = input;
    this.rank = rank;
    this.constants = constants;
    this.consumers = consumers;
    this.visited = visited;
  }

  /** A walk of a block's layers (e.g. a residual branch) from the current value. */
  ImportGraph child() {
    return new ImportGraph(shape, rank, constants, consumers, visited);
  }

  /**
   * Walks the chain of nodes from value {@code from} to value {@code to}, appending a layer per
   * node through its mapping. Each value on the way feeds one node, or two where a residual
   * block starts ({@link ResidualMapping#importBlock}).
   */
  void walk(String from, String to) {
    walk(from, to, null);
  }

  /** As {@link #walk(String, String)}, taking {@code first} as the first node when non-null. */
  void walk(String from, String to, NodeProto first) {
    String cur = from;
    NodeProto forced = first;
    while (!cur.equals(to)) {
      List<NodeProto> next = forced != null ? List.of(forced) : consumers(cur);
      forced = null;
      if (next.isEmpty()) {
        throw new OnnxFormatException("value " + Onnx.quote(cur) + " does not lead to "
            + Onnx.quote(to));
      }
      if (next.size() == 2) {
        cur = ResidualMapping.importBlock(this, cur, next);
        continue;
      }
      if (next.size() > 2) {
        throw new OnnxFormatException("value " + Onnx.quote(cur) + " feeds " + next.size()
            + " nodes (" + describe(next.get(0)) + ", " + describe(next.get(1))
            + ", ...); Spindle imports a chain of layers and residual blocks");
      }
      NodeProto node = next.get(0);
      if (!visited.add(node) || visited.size() > OnnxImport.MAX_NODES) {
        throw new OnnxFormatException("the graph has a cycle at " + describe(node));
      }
      if (node.getInputCount() == 0 || !node.getInput(0).equals(cur)) {
        throw error(node, "takes " + Onnx.quote(cur) + " as a later input; Spindle imports "
            + "layers whose first input is the previous layer's output");
      }
      String after = OnnxMappings.forOp(node.getOpType()).importNode(this, node);
      if (!after.equals(node.getOutput(0))) {
        visited.addAll(consumers(node.getOutput(0)));
      }
      cur = after;
    }
  }

  /** Marks a node as used by a mapping that consumed it outside {@link #walk}. */
  boolean visit(NodeProto node) {
    return visited.add(node);
  }

  List<LayerSpec> layers() {
    return layers;
  }

  /** The layers' parameters in Spindle's layout, one after another. */
  float[] flatParams() {
    return concat(params, paramTotal);
  }

  /** The layers' non-trainable state, one after another. */
  float[] flatState() {
    return concat(states, stateTotal);
  }

  /** The model vector: the parameters, then the state. */
  float[] modelVector() {
    float[] p = flatParams();
    float[] s = flatState();
    float[] all = Arrays.copyOf(p, p.length + s.length);
    System.arraycopy(s, 0, all, p.length, s.length);
    return all;
  }

  private static float[] concat(List<float[]> parts, long total) {
    float[] flat = new float[(int) total];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, flat, at, p.length);
      at += p.length;
    }
    return flat;
  }

  /** Appends a layer with its parameters in Spindle's layout; the shape moves on. */
  void add(LayerSpec layer, float[] layerParams, NodeProto node) {
    add(layer, layerParams, new float[0], node);
  }

  /** Appends a layer with its parameters and non-trainable state in Spindle's layout. */
  void add(LayerSpec layer, float[] layerParams, float[] layerState, NodeProto node) {
    Shape out;
    long count;
    long stateCount;
    try {
      out = layer.outputShape(shape);
      out.size();
      count = layer.paramCount(shape);
      stateCount = stateCountOf(layer, shape);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw error(node, e.getMessage() == null ? "the input " + shape + " does not fit" : e.getMessage());
    }
    if (count != layerParams.length || stateCount != layerState.length) {
      throw error(node, "the layer needs " + count + " parameters and " + stateCount
          + " state values, the node gives " + layerParams.length + " and " + layerState.length);
    }
    paramTotal += count;
    stateTotal += stateCount;
    if (paramTotal + stateTotal > MAX_ELEMENTS) {
      throw error(node, "the network exceeds 2^31 parameters");
    }
    layers.add(layer);
    params.add(layerParams);
    states.add(layerState);
    shape = out;
  }

  /** Non-trainable values of a layer (batch normalization's running statistics). */
  private static long stateCountOf(LayerSpec layer, Shape in) {
    return layer.stateCount(in);
  }

  /** Removes the last layer (a trailing Softmax turned into the loss). */
  void removeLast() {
    layers.remove(layers.size() - 1);
    paramTotal -= params.remove(params.size() - 1).length;
    stateTotal -= states.remove(states.size() - 1).length;
  }

  List<NodeProto> consumers(String value) {
    return consumers.getOrDefault(value, List.of());
  }

  boolean isConstant(String value) {
    return constants.containsKey(value);
  }

  /** The node's {@code index}-th input, which must be the running value's successor chain. */
  String input(NodeProto node, int index) {
    if (node.getInputCount() <= index || node.getInput(index).isEmpty()) {
      throw error(node, "input " + index + " is missing");
    }
    return node.getInput(index);
  }

  boolean hasInput(NodeProto node, int index) {
    return node.getInputCount() > index && !node.getInput(index).isEmpty();
  }

  /** The constant (initializer or Constant node) feeding input {@code index} of {@code node}. */
  TensorProto constant(NodeProto node, int index) {
    String name = input(node, index);
    TensorProto t = constants.get(name);
    if (t == null) {
      throw error(node, "input " + index + " (" + Onnx.quote(name) + ") must be an initializer or a "
          + "Constant; Spindle imports weights, not computed tensors");
    }
    return t;
  }

  /**
   * The float32 tensor feeding input {@code index}, which must have exactly {@code dims};
   * checked before its data is read.
   */
  float[] floats(NodeProto node, int index, long... dims) {
    TensorProto t = constant(node, index);
    if (!Arrays.equals(dims(t), dims)) {
      throw error(node, "input " + index + " (" + Onnx.quote(t.getName()) + ") has shape "
          + Arrays.toString(dims(t)) + " but the layer needs " + Arrays.toString(dims));
    }
    return toFloats(t, describe(node));
  }

  /** The int64 tensor feeding input {@code index}: at most {@code max} values. */
  long[] int64s(NodeProto node, int index, int max) {
    TensorProto t = constant(node, index);
    String where = describe(node) + " input " + index;
    long n = elementCount(t, where);
    if (t.getDataType() != TensorProto.DataType.INT64_VALUE || n > max) {
      throw error(node, "input " + index + " must be an int64 tensor of at most " + max + " values");
    }
    checkLocation(t, where);
    long[] v = new long[(int) n];
    if (t.hasRawData()) {
      if (t.getRawData().size() != n * 8) {
        throw error(node, "input " + index + " declares " + n + " int64 values but holds "
            + t.getRawData().size() + " bytes");
      }
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        v[i] = b.getLong();
      }
    } else {
      if (t.getInt64DataCount() != n) {
        throw error(node, "input " + index + " declares " + n + " int64 values but holds "
            + t.getInt64DataCount());
      }
      for (int i = 0; i < n; i++) {
        v[i] = t.getInt64Data(i);
      }
    }
    return v;
  }

  static long[] dims(TensorProto t) {
    long[] d = new long[t.getDimsCount()];
    for (int i = 0; i < d.length; i++) {
      d[i] = t.getDims(i);
    }
    return d;
  }

  /** The element count a tensor declares, refused when negative or beyond a Java array. */
  static long elementCount(TensorProto t, String where) {
    if (t.getDimsCount() > 8) {
      throw new OnnxFormatException(where + ": tensor " + Onnx.quote(t.getName()) + " has "
          + t.getDimsCount() + " dimensions; Spindle reads at most 8");
    }
    long n = 1;
    for (long d : t.getDimsList()) {
      if (d < 0 || (d > 0 && n > MAX_ELEMENTS / d)) {
        throw new OnnxFormatException(where + ": tensor " + Onnx.quote(t.getName())
            + " declares dims " + t.getDimsList() + ", over the limit of " + MAX_ELEMENTS
            + " elements; refused before reading it");
      }
      n *= d;
    }
    return n;
  }

  private static void checkLocation(TensorProto t, String where) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
      throw new OnnxFormatException(where + ": tensor " + Onnx.quote(t.getName()) + " keeps its "
          + "data in an external file; Spindle reads self-contained .onnx files only");
    }
  }

  /** A float32 tensor's values, after checking its declared size against the data it holds. */
  static float[] toFloats(TensorProto t, String where) {
    long n = elementCount(t, where);
    if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
      throw new OnnxFormatException(where + ": tensor " + Onnx.quote(t.getName()) + " has data type "
          + t.getDataType() + "; Spindle imports float32 weights (data type 1)");
    }
    checkLocation(t, where);
    if (t.hasRawData()) {
      if (t.getRawData().size() != n * 4) {
        throw new OnnxFormatException(where + ": tensor " + Onnx.quote(t.getName()) + " declares "
            + n + " floats but holds " + t.getRawData().size() + " bytes; the file is corrupt");
      }
      float[] v = new float[(int) n];
      t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      return v;
    }
    if (t.getFloatDataCount() != n) {
      throw new OnnxFormatException(where + ": tensor " + Onnx.quote(t.getName()) + " declares "
          + n + " floats but holds " + t.getFloatDataCount() + "; the file is corrupt");
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.getFloatData(i);
    }
    return v;
  }

  /** The node's attributes; any not in {@code allowed} is refused, naming it and the node. */
  Attributes attributes(NodeProto node, Set<String> allowed) {
    Map<String, AttributeProto> byName = new HashMap<>();
    for (AttributeProto a : node.getAttributeList()) {
      if (!allowed.contains(a.getName())) {
        throw error(node, "attribute " + Onnx.quote(a.getName()) + " is not supported"
            + (allowed.isEmpty() ? "" : " (Spindle reads " + String.join(", ", allowed.stream().sorted().toList()) + ")"));
      }
      if (!a.getRefAttrName().isEmpty()) {
        throw error(node, "attribute " + Onnx.quote(a.getName()) + " refers to a function attribute");
      }
      if (byName.put(a.getName(), a) != null) {
        throw error(node, "attribute " + Onnx.quote(a.getName()) + " is given twice");
      }
    }
    return new Attributes(node, byName);
  }

  OnnxFormatException error(NodeProto node, String message) {
    return new OnnxFormatException(describe(node) + ": " + message);
  }

  static String describe(NodeProto node) {
    return "node " + Onnx.quote(node.getName().isEmpty() ? "(unnamed, output "
        + (node.getOutputCount() > 0 ? node.getOutput(0) : "none") + ")" : node.getName())
        + " (" + Onnx.quote(node.getOpType()) + ")";
  }

  /** Typed attribute access with ONNX's defaults; a wrong type is refused. */
  final class Attributes {
    private final NodeProto node;
    private final Map<String, AttributeProto> byName;

    Attributes(NodeProto node, Map<String, AttributeProto> byName) {
      this.node = node;
      this.byName = byName;
    }

    boolean has(String name) {
      return byName.containsKey(name);
    }

    long i(String name, long def) {
      AttributeProto a = byName.get(name);
      if (a == null) {
        return def;
      }
      if (a.getType() != AttributeProto.AttributeType.INT) {
        throw error(node, "attribute " + name + " must be an int");
      }
      return a.getI();
    }

    float f(String name, float def) {
      AttributeProto a = byName.get(name);
      if (a == null) {
        return def;
      }
      if (a.getType() != AttributeProto.AttributeType.FLOAT) {
        throw error(node, "attribute " + name + " must be a float");
      }
      return a.getF();
    }

    String s(String name, String def) {
      AttributeProto a = byName.get(name);
      if (a == null) {
        return def;
      }
      if (a.getType() != AttributeProto.AttributeType.STRING) {
        throw error(node, "attribute " + name + " must be a string");
      }
      return a.getS().toStringUtf8();
    }

    /** An INTS attribute of exactly {@code length} values, or {@code def}. */
    long[] ints(String name, int length, long[] def) {
      AttributeProto a = byName.get(name);
      if (a == null) {
        return def;
      }
      if (a.getType() != AttributeProto.AttributeType.INTS || a.getIntsCount() != length) {
        throw error(node, "attribute " + name + " must be " + length + " ints (2-D images)");
      }
      long[] v = new long[length];
      for (int k = 0; k < length; k++) {
        v[k] = a.getInts(k);
      }
      return v;
    }

    /** An int attribute value that must fit Spindle's int fields and be in [min, max]. */
    int checkedInt(String name, long value, long min, long max) {
      if (value < min || value > max) {
        throw error(node, "attribute " + name + " = " + value + " is outside [" + min + ", " + max + "]");
      }
      return (int) value;
    }

    OnnxFormatException unsupported(String name, Object value, String supported) {
      return error(node, "attribute " + name + " = " + value + " is not supported; Spindle imports "
          + supported);
    }
  }
}
