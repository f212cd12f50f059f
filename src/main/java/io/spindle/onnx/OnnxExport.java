package io.spindle.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.config.NetworkConfig;
import io.spindle.io.AtomicFiles;
import io.spindle.io.SpindleModel;
import io.spindle.nn.LayerSpec;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.Loss;
import io.spindle.onnx.proto.OnnxProto.ModelProto;
import io.spindle.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.spindle.onnx.proto.OnnxProto.StringStringEntryProto;
import io.spindle.onnx.proto.OnnxProto.TensorProto;
import io.spindle.onnx.proto.OnnxProto.TensorShapeProto;
import io.spindle.onnx.proto.OnnxProto.TypeProto;
import io.spindle.onnx.proto.OnnxProto.ValueInfoProto;
import io.spindle.tensor.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Spindle model as an ONNX graph (see {@link Onnx} for the contract). */
final class OnnxExport {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PRODUCER = "spindle";
  static final String PRODUCER_VERSION = "0.1.0";

  private OnnxExport() {}

  static void write(SpindleModel model, Path file) throws IOException {
    AtomicFiles.writeBytes(file, toProto(model).toByteArray());
  }

  static ModelProto toProto(SpindleModel model) {
    NetworkSpec spec = model.spec();
    ExportGraph g = new ExportGraph(model.params());
    g.graph.setName("spindle");
    Shape in = spec.inputShape();
    // Vector networks (data.input-shape = [size]) take [N, size]; image networks NCHW.
    int rank = in.isVector() ? 2 : 4;
    g.graph.addInput(valueInfo(Onnx.INPUT, rank == 2 ? new long[] {in.size()}
        : new long[] {in.channels(), in.height(), in.width()},
        "float32 examples as the network was trained on them (MNIST idx: pixel / 255)"));
    ExportGraph.Value x = new ExportGraph.Value(Onnx.INPUT, in, rank);
    for (int i = 0; i < spec.layerCount(); i++) {
      LayerSpec layer = spec.layers().get(i);
      x = OnnxMappings.forLayer(layer).export(g, layer, new ExportGraph.At(spec.paramOffset(i),
          spec.paramCount() + spec.stateOffset(i)), x, "layer" + (i + 1) + "_" + layer.kind().replace('-', '_'));
    }
    x = g.toRank2(x, "output_flatten");
    Loss loss = spec.loss();
    int k = x.shape().size();
    String first = g.nameOutput(x, loss.isClassification() ? Onnx.LOGITS : Onnx.OUTPUT);
    g.graph.addOutput(valueInfo(first, new long[] {k}, loss.isClassification()
        ? "the network's raw output (logits), one row per example" : "the network's output"));
    String head = switch (loss.name()) {
      case "softmax-cross-entropy" -> "Softmax";
      case "binary-cross-entropy" -> "Sigmoid";
      default -> null;
    };
    if (head != null) {
      var node = g.graph.addNodeBuilder().setOpType(head).setName(Onnx.PROBABILITIES)
          .addInput(first).addOutput(Onnx.PROBABILITIES);
      if (head.equals("Softmax")) {
        node.addAttribute(ExportGraph.intAttr("axis", 1));
      }
      g.graph.addOutput(valueInfo(Onnx.PROBABILITIES, new long[] {k},
          head.equals("Softmax") ? "class probabilities (softmax of the logits)"
              : "probabilities (sigmoid of the logits)"));
    }
    ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(Onnx.IR_VERSION)
        .setProducerName(PRODUCER).setProducerVersion(PRODUCER_VERSION)
        .setDocString("Exported by Spindle: input " + Onnx.INPUT + ", outputs " + first
            + (head != null ? " and " + Onnx.PROBABILITIES : ""))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(Onnx.OPSET))
        .setGraph(g.graph);
    for (Map.Entry<String, String> e : metadata(model, k).entrySet()) {
      m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
    }
    return m.build();
  }

  /** metadata_props: class names, the loss, the network and the model's own metadata. */
  private static Map<String, String> metadata(SpindleModel model, int k) {
    Map<String, String> props = new LinkedHashMap<>();
    Loss loss = model.spec().loss();
    try {
      if (loss.isClassification()) {
        props.put(Onnx.CLASS_NAMES, JSON.writeValueAsString(classNames(model.metadata(), loss, k)));
      }
      props.put(Onnx.LOSS_KEY, loss.name());
      props.put(Onnx.NETWORK_KEY, JSON.writeValueAsString(NetworkConfig.toMap(model.spec())));
      if (model.metadata() != null && model.metadata().isObject()) {
        props.put(Onnx.METADATA_KEY, JSON.writeValueAsString(model.metadata()));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the ONNX metadata: " + e.getMessage(), e);
    }
    return props;
  }

  /** The model's class names (image folders) when it has them, else "0", "1", ... */
  static List<String> classNames(JsonNode metadata, Loss loss, int k) {
    int classes = loss.name().equals("binary-cross-entropy") && k == 1 ? 2 : k;
    JsonNode named = metadata == null ? null : metadata.path("classes");
    List<String> names = new ArrayList<>();
    if (named != null && named.isArray() && named.size() == classes) {
      named.forEach(n -> names.add(n.asText()));
      return names;
    }
    for (int c = 0; c < classes; c++) {
      names.add(String.valueOf(c));
    }
    return names;
  }

  private static ValueInfoProto valueInfo(String name, long[] dims, String doc) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    shape.addDimBuilder().setDimParam("N");
    for (long d : dims) {
      shape.addDimBuilder().setDimValue(d);
    }
    return ValueInfoProto.newBuilder().setName(name).setDocString(doc)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
        .build();
  }
}
