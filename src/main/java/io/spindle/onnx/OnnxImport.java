package io.spindle.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.spindle.io.SpindleModel;
import io.spindle.nn.LayerSpec;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.layers.Softmax;
import io.spindle.nn.loss.Loss;
import io.spindle.onnx.proto.OnnxProto.AttributeProto;
import io.spindle.onnx.proto.OnnxProto.GraphProto;
import io.spindle.onnx.proto.OnnxProto.ModelProto;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.spindle.onnx.proto.OnnxProto.StringStringEntryProto;
import io.spindle.onnx.proto.OnnxProto.TensorProto;
import io.spindle.onnx.proto.OnnxProto.TensorShapeProto;
import io.spindle.onnx.proto.OnnxProto.TypeProto;
import io.spindle.onnx.proto.OnnxProto.ValueInfoProto;
import io.spindle.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX model made of the operators Spindle exports into a {@link SpindleModel}. The
 * graph must be a chain from its one input to its first output (the logits); a Softmax or
 * Sigmoid of that output may be a further output (it decides the loss). Everything is checked
 * before it is used: the file size, the IR version and opset, every node's operator and
 * attributes, every tensor's declared size against its data and the layer's shape.
 */
final class OnnxImport {

  /** The protobuf limit on a message, and far beyond any network Spindle trains. */
  static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;
  static final int MAX_NODES = 100_000;
  /** Opsets whose versions of the imported operators mean what Spindle's layers compute. */
  static final int MIN_OPSET = 13;
  static final int MAX_OPSET = 22;

  private static final ObjectMapper JSON = new ObjectMapper();

  private OnnxImport() {}

  static SpindleModel read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new OnnxFormatException(file + " is not a file; pass an .onnx model file");
    }
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new OnnxFormatException(file + " is " + size + " bytes, over the " + MAX_FILE_BYTES
          + "-byte limit of a self-contained ONNX model");
    }
    return parse(Files.readAllBytes(file), file.toString());
  }

  /** Parses and imports {@code bytes}; {@code source} names the file in messages. */
  static SpindleModel parse(byte[] bytes, String source) {
    if (bytes.length == 0) {
      throw new OnnxFormatException(source + " is empty; it is not an ONNX model");
    }
    ModelProto model;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setRecursionLimit(64);
      model = ModelProto.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxFormatException(source + " is not an ONNX model or is truncated (protobuf: "
          + firstLine(e.getMessage()) + ")");
    } catch (IOException e) {
      throw new OnnxFormatException(source + " cannot be parsed: " + firstLine(e.getMessage()));
    }
    try {
      return new OnnxImport.Run(model, source).run();
    } catch (OnnxFormatException e) {
      if (e.getMessage().startsWith(source)) {
        throw e;
      }
      throw new OnnxFormatException(source + ": " + e.getMessage());
    }
  }

  /** One import: the model's checks, then the walk. */
  private static final class Run {
    private final ModelProto model;
    private final String source;

    Run(ModelProto model, String source) {
      this.model = model;
      this.source = source;
    }

    SpindleModel run() {
      // ONNX has no magic number; a model declares its IR version first, and other files that
      // happen to parse as protobuf do not.
      long ir = model.getIrVersion();
      if (!model.hasIrVersion() || !model.hasGraph()) {
        throw new OnnxFormatException(source + " is not an ONNX model (no IR version or graph); "
            + "pass a file written by an ONNX exporter");
      }
      if (ir < 3 || ir > 10) {
        throw new OnnxFormatException(source + " declares ONNX IR version " + ir
            + "; Spindle reads IR versions 3 to 10");
      }
      checkOpset();
      GraphProto graph = model.getGraph();
      if (graph.getNodeCount() > MAX_NODES) {
        throw new OnnxFormatException(source + " has " + graph.getNodeCount() + " nodes, over "
            + MAX_NODES);
      }
      if (graph.getSparseInitializerCount() > 0) {
        throw new OnnxFormatException(source + " has sparse initializers, which Spindle does not read");
      }
      // Every operator first, so the message names the first one Spindle cannot run.
      for (NodeProto node : graph.getNodeList()) {
        boolean defaultDomain = node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
        if (!defaultDomain || (OnnxMappings.forOp(node.getOpType()) == null
            && !node.getOpType().equals("Constant"))) {
          throw new OnnxFormatException(source + ": unsupported operator "
              + Onnx.quote((defaultDomain ? "" : node.getDomain() + ":") + node.getOpType())
              + " in " + ImportGraph.describe(node).replaceFirst(" \\(.*\\)$", "")
              + "; Spindle imports " + OnnxMappings.supportedOps() + " (docs/onnx.md)");
        }
      }
      Map<String, TensorProto> constants = constants(graph);
      ValueInfoProto input = singleInput(graph, constants.keySet());
      int rank = input.getType().getTensorType().getShape().getDimCount();
      Shape shape = inputShape(input);
      if (graph.getOutputCount() == 0) {
        throw new OnnxFormatException(source + ": the graph has no outputs");
      }
      String main = graph.getOutput(0).getName();
      Map<String, List<NodeProto>> consumers = new HashMap<>();
      Map<String, NodeProto> producers = new HashMap<>();
      for (NodeProto node : graph.getNodeList()) {
        if (node.getOpType().equals("Constant")) {
          continue;
        }
        if (node.getOutputCount() == 0 || node.getOutput(0).isEmpty()) {
          throw new OnnxFormatException(source + ": " + ImportGraph.describe(node) + " has no output");
        }
        for (String in : new HashSet<>(node.getInputList())) {
          consumers.computeIfAbsent(in, x -> new ArrayList<>()).add(node);
        }
        for (String out : node.getOutputList()) {
          if (!out.isEmpty() && (producers.put(out, node) != null || constants.containsKey(out)
              || out.equals(input.getName()))) {
            throw new OnnxFormatException(source + ": value " + Onnx.quote(out)
                + " is produced twice");
          }
        }
      }
      // Extra outputs: the probabilities of the main one (they decide the loss).
      Set<NodeProto> heads = new HashSet<>();
      String headOp = null;
      for (int i = 1; i < graph.getOutputCount(); i++) {
        NodeProto p = producers.get(graph.getOutput(i).getName());
        if (p == null || p.getInputCount() != 1 || !p.getInput(0).equals(main)
            || !(p.getOpType().equals("Softmax") || p.getOpType().equals("Sigmoid"))) {
          throw new OnnxFormatException(source + ": output " + Onnx.quote(graph.getOutput(i).getName())
              + " is not a Softmax or Sigmoid of the first output " + Onnx.quote(main)
              + "; Spindle imports a network whose first output is its logits");
        }
        heads.add(p);
        headOp = p.getOpType();
      }
      Set<NodeProto> visited = new HashSet<>(heads);
      ImportGraph g = new ImportGraph(shape, rank, constants, withoutHeads(consumers, heads), visited);
      g.walk(input.getName(), main);
      for (NodeProto node : graph.getNodeList()) {
        if (!node.getOpType().equals("Constant") && !visited.contains(node)) {
          throw new OnnxFormatException(source + ": " + ImportGraph.describe(node)
              + " is not on the path from the input to the output " + Onnx.quote(main));
        }
      }
      Map<String, String> props = metadataProps();
      Loss loss = loss(props, headOp, g);
      if (g.layers().isEmpty()) {
        throw new OnnxFormatException(source + ": the graph has no layers");
      }
      NetworkSpec spec;
      try {
        spec = new NetworkSpec(shape, g.layers(), loss);
      } catch (IllegalArgumentException e) {
        throw new OnnxFormatException(source + ": " + e.getMessage());
      }
      return new SpindleModel(spec, g.modelVector(), metadata(props, spec));
    }

    private void checkOpset() {
      long opset = -1;
      for (OperatorSetIdProto o : model.getOpsetImportList()) {
        if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
          opset = o.getVersion();
        }
      }
      if (opset < 0) {
        throw new OnnxFormatException(source + " imports no opset of the default ONNX domain");
      }
      if (opset < MIN_OPSET || opset > MAX_OPSET) {
        throw new OnnxFormatException(source + " uses opset " + opset + "; Spindle imports opsets "
            + MIN_OPSET + " to " + MAX_OPSET + " (it exports " + Onnx.OPSET + ")");
      }
    }

    /** Initializers and Constant nodes' tensors by value name. */
    private Map<String, TensorProto> constants(GraphProto graph) {
      Map<String, TensorProto> constants = new HashMap<>();
      for (TensorProto t : graph.getInitializerList()) {
        if (constants.put(t.getName(), t) != null) {
          throw new OnnxFormatException(source + ": initializer " + Onnx.quote(t.getName())
              + " is defined twice");
        }
      }
      for (NodeProto node : graph.getNodeList()) {
        if (!node.getOpType().equals("Constant")) {
          continue;
        }
        if (node.getAttributeCount() != 1 || !node.getAttribute(0).getName().equals("value")
            || node.getAttribute(0).getType() != AttributeProto.AttributeType.TENSOR
            || node.getOutputCount() != 1) {
          throw new OnnxFormatException(source + ": " + ImportGraph.describe(node)
              + ": Spindle reads Constant nodes with one tensor attribute 'value'");
        }
        if (constants.put(node.getOutput(0), node.getAttribute(0).getT()) != null) {
          throw new OnnxFormatException(source + ": constant " + Onnx.quote(node.getOutput(0))
              + " is defined twice");
        }
      }
      return constants;
    }

    /** The one graph input that is not an initializer (IR 3 lists initializers as inputs). */
    private ValueInfoProto singleInput(GraphProto graph, Set<String> constants) {
      List<ValueInfoProto> inputs = graph.getInputList().stream()
          .filter(v -> !constants.contains(v.getName())).toList();
      if (inputs.size() != 1) {
        throw new OnnxFormatException(source + ": the graph has " + inputs.size()
            + " inputs; Spindle imports networks with one input");
      }
      return inputs.get(0);
    }

    /** [N, C, H, W] or [N, features] float32, N free; the other dims fixed and positive. */
    private Shape inputShape(ValueInfoProto input) {
      TypeProto type = input.getType();
      String name = "input " + Onnx.quote(input.getName());
      if (!type.hasTensorType() || type.getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
        throw new OnnxFormatException(source + ": " + name + " is not a float32 tensor");
      }
      TensorShapeProto s = type.getTensorType().getShape();
      int rank = s.getDimCount();
      if (rank != 2 && rank != 4) {
        throw new OnnxFormatException(source + ": " + name + " has rank " + rank
            + "; Spindle imports [N, C, H, W] or [N, features] inputs");
      }
      int[] dims = new int[rank - 1];
      for (int i = 1; i < rank; i++) {
        TensorShapeProto.Dimension d = s.getDim(i);
        if (!d.hasDimValue() || d.getDimValue() < 1 || d.getDimValue() > ImportGraph.MAX_ELEMENTS) {
          throw new OnnxFormatException(source + ": " + name + " dimension " + i
              + " must be a fixed positive size, got " + (d.hasDimValue() ? d.getDimValue()
              : Onnx.quote(d.getDimParam())));
        }
        dims[i - 1] = (int) d.getDimValue();
      }
      try {
        Shape shape = rank == 2 ? Shape.vector(dims[0]) : Shape.of(dims[0], dims[1], dims[2]);
        shape.size();
        return shape;
      } catch (ArithmeticException e) {
        throw new OnnxFormatException(source + ": " + name + " has over 2^31 values per example");
      }
    }

    private Map<String, String> metadataProps() {
      Map<String, String> props = new LinkedHashMap<>();
      for (StringStringEntryProto e : model.getMetadataPropsList()) {
        props.put(e.getKey(), e.getValue());
      }
      return props;
    }

    /**
     * The loss: Spindle's own (spindle.loss), else what the probabilities output implies, else
     * softmax cross-entropy, with a trailing Softmax layer taken as that loss's softmax.
     */
    private Loss loss(Map<String, String> props, String headOp, ImportGraph g) {
      String name = props.get(Onnx.LOSS_KEY);
      if (name != null) {
        try {
          return Loss.fromName(name);
        } catch (IllegalArgumentException e) {
          throw new OnnxFormatException(source + ": metadata " + Onnx.LOSS_KEY + ": " + e.getMessage());
        }
      }
      if ("Sigmoid".equals(headOp)) {
        return Loss.fromName("binary-cross-entropy");
      }
      List<LayerSpec> layers = g.layers();
      if (headOp == null && !layers.isEmpty() && layers.get(layers.size() - 1) instanceof Softmax
          && layers.size() > 1) {
        g.removeLast();
      }
      return Loss.fromName("softmax-cross-entropy");
    }

    /** The model's metadata: Spindle's own when the file has it, plus where it came from. */
    private JsonNode metadata(Map<String, String> props, NetworkSpec spec) {
      ObjectNode meta;
      String own = props.get(Onnx.METADATA_KEY);
      try {
        JsonNode parsed = own == null ? null : JSON.readTree(own);
        if (own != null && (parsed == null || !parsed.isObject())) {
          throw new OnnxFormatException(source + ": metadata " + Onnx.METADATA_KEY
              + " is not a JSON object");
        }
        meta = parsed == null ? JSON.createObjectNode() : (ObjectNode) parsed;
        String names = props.get(Onnx.CLASS_NAMES);
        if (names != null && spec.loss().isClassification()) {
          JsonNode classes = JSON.readTree(names);
          if (classes == null || !classes.isArray()) {
            throw new OnnxFormatException(source + ": metadata " + Onnx.CLASS_NAMES
                + " is not a JSON array");
          }
          List<String> defaults = OnnxExport.classNames(null, spec.loss(), spec.outputShape().size());
          List<String> given = new ArrayList<>();
          classes.forEach(c -> given.add(c.asText()));
          if (!given.equals(defaults)) {
            meta.set("classes", (ArrayNode) classes);
          }
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new OnnxFormatException(source + ": metadata_props hold invalid JSON ("
            + firstLine(e.getOriginalMessage()) + ")");
      }
      ObjectNode origin = meta.putObject("onnx-import");
      origin.put("file", Path.of(source).getFileName() == null ? source
          : Path.of(source).getFileName().toString());
      origin.put("producer", model.getProducerName());
      origin.put("producer-version", model.getProducerVersion());
      origin.put("ir-version", model.getIrVersion());
      return meta;
    }
  }

  private static Map<String, List<NodeProto>> withoutHeads(Map<String, List<NodeProto>> consumers,
      Set<NodeProto> heads) {
    for (List<NodeProto> list : consumers.values()) {
      list.removeAll(heads);
    }
    return consumers;
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.split("\n", 2)[0];
  }
}
