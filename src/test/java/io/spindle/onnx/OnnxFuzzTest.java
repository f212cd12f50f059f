package io.spindle.onnx;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.spindle.fuzz.FuzzSupport;
import io.spindle.fuzz.SeedWriter;
import io.spindle.io.SpindleModel;
import io.spindle.nn.LayerSpec;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.SigmoidBinaryCrossEntropy;
import io.spindle.onnx.proto.OnnxProto.GraphProto;
import io.spindle.onnx.proto.OnnxProto.ModelProto;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.onnx.proto.OnnxProto.StringStringEntryProto;
import io.spindle.onnx.proto.OnnxProto.TensorProto;
import io.spindle.onnx.proto.OnnxProto.TensorShapeProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the ONNX reader ({@link SpindleModel#importOnnx}) with files built from the fuzzer's
 * bytes: one of four valid models (a Spindle CNN with every pooling and activation, a Spindle
 * MLP with a sigmoid loss, a torch.onnx-style MLP with Identity, Dropout, a Constant Reshape and
 * MatMul + Add, a Spindle ResNet with batch-norm, identity and projection shortcuts and global
 * average pooling) whose protobuf fields are edited (tensor dims, raw data, attributes, operator
 * types, node inputs, opset, IR version, the input's dims, metadata; nodes removed), then whose
 * bytes are cut, spliced, extended or flipped; or arbitrary bytes.
 *
 * <p>The reader may only return a consistent model or throw an {@link OnnxFormatException}
 * with a one-line message naming the file; any other exception or an OutOfMemoryError under
 * -Xmx512m is a finding. An accepted model must hold exactly its network's parameters and state, and must
 * export and import again to the same layers (dropout and flatten aside) and the same weights.
 */
public class OnnxFuzzTest {

  static final int MAX_BYTES = 4096;
  static final int MAX_SPLICE = 64;

  static final List<byte[]> TEMPLATES = List.of(
      spindle(NetworkSpec.builder().input(1, 6, 6).conv(2, 3).pad(1).leakyRelu(0.1f).maxPool(2)
          .avgPool(3).pad(1).stride(1).tanh().flatten().dense(3).relu().dropout(0.2).dense(3)
          .softmax().build()),
      spindle(NetworkSpec.builder().input(5).dense(4).sigmoid().dense(1)
          .loss(new SigmoidBinaryCrossEntropy()).build()),
      ForeignGraphs.model(ForeignGraphs.torchMlp(1), 13).toByteArray(),
      spindle(NetworkSpec.builder().input(1, 6, 6).conv(2, 3).pad(1).batchNorm()
          .residual(b -> b.conv(2, 3).pad(1).batchNorm().relu()).relu()
          .residual(b -> b.conv(3, 1).stride(2)).globalAvgPool().dense(3).build()));
  static final int BASE_SCRATCH = TEMPLATES.size();

  static final long[] SPECIAL_LONGS = {0, -1, 1, 2, 3, 4, 6, 13, 17, 23, Integer.MAX_VALUE,
      1L << 31, 1L << 33, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
  static final List<String> OPS = List.of("Conv", "Gemm", "MatMul", "Add", "MaxPool",
      "AveragePool", "Flatten", "Reshape", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Softmax",
      "Dropout", "Identity", "Constant", "Erf", "");
  static final List<String> ATTRIBUTES = List.of("kernel_shape", "strides", "pads", "dilations",
      "group", "axis", "transA", "transB", "alpha", "ceil_mode", "count_include_pad", "allowzero",
      "auto_pad", "storage_order", "bogus");
  static final List<String> METADATA = List.of(Onnx.LOSS_KEY, Onnx.CLASS_NAMES, Onnx.METADATA_KEY);
  static final List<String> STRINGS = List.of("mse", "softmax-cross-entropy", "binary-cross-entropy",
      "x", "[]", "[\"a\",\"b\",\"c\"]", "{}", "{\"classes\": 3}", "[[[[", "1e999", "null", "x\ny");

  /** Structural edits of the parsed template. */
  static final int EDIT_DIM = 0;
  static final int EDIT_RAW = 1;
  static final int EDIT_ATTRIBUTE = 2;
  static final int EDIT_OP = 3;
  static final int EDIT_INPUT = 4;
  static final int EDIT_OPSET = 5;
  static final int EDIT_IR = 6;
  static final int EDIT_INPUT_DIM = 7;
  static final int EDIT_REMOVE_NODE = 8;
  static final int EDIT_METADATA = 9;

  static final int BYTES_SPLICE = 0;
  static final int BYTES_CUT = 1;
  static final int BYTES_APPEND = 2;
  static final int BYTES_FLIP = 3;

  static byte[] spindle(NetworkSpec spec) {
    float[] p = spec.initParams(3);
    p[0] = Float.NaN; // weights need not be finite to be carried
    return OnnxExport.toProto(new SpindleModel(spec, p, JsonNodeFactory.instance.objectNode()))
        .toByteArray();
  }

  @FuzzTest(maxDuration = "5m")
  @DictionaryEntries({"Conv", "Gemm", "MatMul", "Reshape", "Softmax", "kernel_shape", "pads",
      "spindle.loss", "class_names", "ai.onnx"})
  void onnxFile(FuzzedDataProvider data) {
    read(data, FuzzSupport.emptyDir("onnx"));
  }

  /**
   * Builds the file {@code data} describes under {@code root} and imports it.
   *
   * @return the SpindleModel, or the OnnxFormatException thrown
   */
  public static Object read(FuzzedDataProvider data, Path root) {
    int base = data.consumeInt(0, BASE_SCRATCH);
    byte[] bytes;
    if (base < BASE_SCRATCH) {
      ModelProto.Builder m;
      try {
        m = ModelProto.parseFrom(TEMPLATES.get(base)).toBuilder();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (int n = data.consumeInt(0, 4); n > 0; n--) {
        edit(data, m);
      }
      bytes = mutateBytes(data, m.build().toByteArray());
    } else {
      bytes = data.consumeBytes(data.consumeInt(0, MAX_BYTES));
    }
    Path file = root.resolve("fuzz.onnx");
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SpindleModel model;
    try {
      model = SpindleModel.importOnnx(file);
    } catch (OnnxFormatException e) {
      FuzzSupport.requireUsableMessage(e, file.toString());
      return e;
    } catch (IOException e) {
      throw new AssertionError("IOException from a readable scratch file", e);
    }
    check(model.params().length == model.spec().modelSize(), "the network's parameters and state");
    SpindleModel again = OnnxImport.parse(OnnxExport.toProto(model).toByteArray(), "re-export");
    check(kinds(model.spec()).equals(kinds(again.spec())), "the layers after export and import");
    check(model.spec().loss().name().equals(again.spec().loss().name()), "the loss after export and import");
    check(Arrays.equals(model.params(), again.params()), "the weights after export and import");
    return model;
  }

  private static List<String> kinds(NetworkSpec spec) {
    return spec.layers().stream().map(LayerSpec::kind)
        .filter(k -> !k.equals("dropout") && !k.equals("flatten")).toList();
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("accepted model is inconsistent: " + what);
    }
  }

  private static void edit(FuzzedDataProvider data, ModelProto.Builder m) {
    GraphProto.Builder g = m.getGraphBuilder();
    int kind = data.consumeInt(EDIT_DIM, EDIT_METADATA);
    switch (kind) {
      case EDIT_DIM, EDIT_RAW -> {
        int i = data.consumeInt(0, Math.max(0, g.getInitializerCount() - 1));
        if (i >= g.getInitializerCount()) {
          return;
        }
        TensorProto.Builder t = g.getInitializerBuilder(i);
        if (kind == EDIT_DIM) {
          int d = data.consumeInt(0, 4);
          long v = SPECIAL_LONGS[data.consumeInt(0, SPECIAL_LONGS.length - 1)];
          if (d < t.getDimsCount()) {
            t.setDims(d, v);
          } else {
            t.addDims(v);
          }
        } else {
          int cut = data.consumeInt(0, t.getRawData().size());
          t.setRawData(t.getRawData().substring(0, cut));
        }
      }
      case EDIT_ATTRIBUTE, EDIT_OP, EDIT_INPUT, EDIT_REMOVE_NODE -> {
        int i = data.consumeInt(0, Math.max(0, g.getNodeCount() - 1));
        if (i >= g.getNodeCount()) {
          return;
        }
        NodeProto.Builder n = g.getNodeBuilder(i);
        switch (kind) {
          case EDIT_ATTRIBUTE -> {
            String name = ATTRIBUTES.get(data.consumeInt(0, ATTRIBUTES.size() - 1));
            long v = SPECIAL_LONGS[data.consumeInt(0, SPECIAL_LONGS.length - 1)];
            boolean list = data.consumeBoolean();
            n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .ifPresent(a -> n.removeAttribute(n.getAttributeList().indexOf(a)));
            n.addAttribute(list ? ExportGraph.intsAttr(name, v, v) : ExportGraph.intAttr(name, v));
          }
          case EDIT_OP -> n.setOpType(OPS.get(data.consumeInt(0, OPS.size() - 1)));
          case EDIT_INPUT -> {
            List<String> names = valueNames(g);
            int at = data.consumeInt(0, 3);
            String name = names.get(data.consumeInt(0, names.size() - 1));
            if (at < n.getInputCount()) {
              n.setInput(at, name);
            } else {
              n.addInput(name);
            }
          }
          default -> g.removeNode(i);
        }
      }
      case EDIT_OPSET -> m.getOpsetImportBuilder(0).setVersion(
          SPECIAL_LONGS[data.consumeInt(0, SPECIAL_LONGS.length - 1)]);
      case EDIT_IR -> m.setIrVersion(SPECIAL_LONGS[data.consumeInt(0, SPECIAL_LONGS.length - 1)]);
      case EDIT_INPUT_DIM -> {
        TensorShapeProto.Builder s = g.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder()
            .getShapeBuilder();
        int d = data.consumeInt(0, 4);
        long v = SPECIAL_LONGS[data.consumeInt(0, SPECIAL_LONGS.length - 1)];
        if (d < s.getDimCount()) {
          s.getDimBuilder(d).setDimValue(v);
        } else {
          s.addDimBuilder().setDimValue(v);
        }
      }
      default -> {
        String key = METADATA.get(data.consumeInt(0, METADATA.size() - 1));
        String value = STRINGS.get(data.consumeInt(0, STRINGS.size() - 1));
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
      }
    }
  }

  private static List<String> valueNames(GraphProto.Builder g) {
    List<String> names = new ArrayList<>();
    names.add(g.getInput(0).getName());
    g.getInitializerList().forEach(t -> names.add(t.getName()));
    g.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
    return names;
  }

  private static byte[] mutateBytes(FuzzedDataProvider data, byte[] original) {
    return FuzzSupport.mutateBytes(data, original, MAX_SPLICE);
  }

  // ---- the seed corpus ----

  /** Named seeds: "valid-*" ones must import, the others must be refused. */
  public static Map<String, byte[]> seeds() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("valid-spindle-cnn", seed(0).toBytes());
    seeds.put("valid-spindle-mlp-sigmoid", seed(1).toBytes());
    seeds.put("valid-torch-mlp", seed(2).toBytes());
    seeds.put("valid-torch-mlp-with-loss-metadata", seed(2, EDIT_METADATA)
        .intInRange(0, METADATA.size() - 1, 0).intInRange(0, STRINGS.size() - 1, 0).bytes(0).toBytes());
    seeds.put("truncated", seed(0).bytes(1).intInRange(BYTES_SPLICE, BYTES_FLIP, BYTES_CUT)
        .intInRange(0, TEMPLATES.get(0).length, TEMPLATES.get(0).length / 2).toBytes());
    seeds.put("unsupported-operator", seed(1, EDIT_OP).intInRange(0, nodes(1) - 1, 1)
        .intInRange(0, OPS.size() - 1, OPS.indexOf("Erf")).bytes(0).toBytes());
    seeds.put("huge-dim", seed(2, EDIT_DIM).intInRange(0, initializers(2) - 1, 0).intInRange(0, 4, 1)
        .intInRange(0, SPECIAL_LONGS.length - 1, 13).bytes(0).toBytes());
    seeds.put("raw-data-cut", seed(0, EDIT_RAW).intInRange(0, initializers(0) - 1, 0).intInRange(0, 72, 10).bytes(0).toBytes());
    seeds.put("group-2", seed(0, EDIT_ATTRIBUTE).intInRange(0, nodes(0) - 1, 0)
        .intInRange(0, ATTRIBUTES.size() - 1, ATTRIBUTES.indexOf("group"))
        .intInRange(0, SPECIAL_LONGS.length - 1, 3).bool(false).bytes(0).toBytes());
    seeds.put("old-opset", seed(1, EDIT_OPSET).intInRange(0, SPECIAL_LONGS.length - 1, 5).bytes(0).toBytes());
    seeds.put("removed-node", seed(2, EDIT_REMOVE_NODE).intInRange(0, nodes(2) - 1, 1).bytes(0).toBytes());
    seeds.put("bad-metadata-json", seed(0, EDIT_METADATA).intInRange(0, METADATA.size() - 1, 2)
        .intInRange(0, STRINGS.size() - 1, STRINGS.indexOf("[[[[")).bytes(0).toBytes());
    seeds.put("valid-spindle-resnet", seed(3).toBytes());
    seeds.put("resnet-without-its-add", seed(3, EDIT_OP).intInRange(0, nodes(3) - 1, nodes(3) - 6)
        .intInRange(0, OPS.size() - 1, OPS.indexOf("Relu")).bytes(0).toBytes());
    seeds.put("scratch-bytes", new SeedWriter().intInRange(0, BASE_SCRATCH, BASE_SCRATCH)
        .sizedText(MAX_BYTES, "\u0008\u0008\u0012\u0007pytorch:\u0003xyz").toBytes());
    return seeds;
  }

  private static int nodes(int template) {
    return parse(template).getGraph().getNodeCount();
  }

  private static int initializers(int template) {
    return parse(template).getGraph().getInitializerCount();
  }

  private static ModelProto parse(int template) {
    try {
      return ModelProto.parseFrom(TEMPLATES.get(template));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A template seed with no edits (the provider answers 0 once the seed runs out). */
  private static Writer seed(int template) {
    return new Writer(template, -1);
  }

  /** A template seed with one edit of kind {@code edit}; its fields follow. */
  private static Writer seed(int template, int edit) {
    return new Writer(template, edit);
  }

  /** The SeedWriter calls in the order {@link #read} consumes them. */
  private static final class Writer {
    private final SeedWriter w = new SeedWriter();

    Writer(int template, int edit) {
      w.intInRange(0, BASE_SCRATCH, template);
      if (edit < 0) {
        w.intInRange(0, 4, 0);
      } else {
        w.intInRange(0, 4, 1).intInRange(EDIT_DIM, EDIT_METADATA, edit);
      }
    }

    Writer intInRange(int min, int max, int v) {
      w.intInRange(min, max, v);
      return this;
    }

    Writer bool(boolean b) {
      w.bool(b);
      return this;
    }

    /** The count of byte mutations that follow. */
    Writer bytes(int mutations) {
      w.intInRange(0, 2, mutations);
      return this;
    }

    byte[] toBytes() {
      return w.toBytes();
    }
  }
}
