package io.spindle.onnx;

import io.spindle.nn.Init;
import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.Dense;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.onnx.proto.OnnxProto.TensorProto;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * dense as Gemm(x, W, b). Spindle's W is a column-major units x inputs matrix, which is ONNX's
 * row-major [inputs, units]: exported as it is, with transB = 0. Import also takes transB = 1
 * (PyTorch's [units, inputs]) and MatMul followed by an Add of a constant bias.
 */
final class DenseMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(Dense.class);
  }

  @Override
  public List<String> ops() {
    return List.of("Gemm", "MatMul");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    Dense d = (Dense) layer;
    ExportGraph.Value x = g.toRank2(in, name + "_flatten");
    int inputs = x.shape().size();
    String w = g.initializer(name + "_weight", new long[] {inputs, d.units()}, at.param(), inputs * d.units());
    String b = g.initializer(name + "_bias", new long[] {d.units()}, at.param() + inputs * d.units(), d.units());
    return g.node("Gemm", name, d.outputShape(x.shape()), 2, List.of(x.name(), w, b),
        ExportGraph.floatAttr("alpha", 1f), ExportGraph.floatAttr("beta", 1f),
        ExportGraph.intAttr("transA", 0), ExportGraph.intAttr("transB", 0));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    if (g.rank != 2) {
      throw g.error(node, "needs an [N, features] input, got rank " + g.rank
          + "; put a Flatten before it");
    }
    int inputs = g.shape.size();
    boolean gemm = node.getOpType().equals("Gemm");
    boolean transB = false;
    if (gemm) {
      ImportGraph.Attributes a = g.attributes(node, Set.of("alpha", "beta", "transA", "transB"));
      if (a.f("alpha", 1f) != 1f || (g.hasInput(node, 2) && a.f("beta", 1f) != 1f)) {
        throw a.unsupported("alpha/beta", a.f("alpha", 1f) + "/" + a.f("beta", 1f), "alpha = beta = 1");
      }
      if (a.i("transA", 0) != 0) {
        throw a.unsupported("transA", a.i("transA", 0), "transA 0");
      }
      long t = a.i("transB", 0);
      if (t != 0 && t != 1) {
        throw a.unsupported("transB", t, "transB 0 or 1");
      }
      transB = t == 1;
    } else {
      g.attributes(node, Set.of());
    }
    long[] wDims = ImportGraph.dims(g.constant(node, 1));
    if (wDims.length != 2 || wDims[transB ? 1 : 0] != inputs || wDims[transB ? 0 : 1] < 1
        || wDims[transB ? 0 : 1] > ImportGraph.MAX_ELEMENTS) {
      throw g.error(node, "weight shape " + Arrays.toString(wDims) + " does not fit " + inputs
          + " input features" + (transB ? " (transB = 1: [units, inputs])" : " ([inputs, units])"));
    }
    int units = (int) wDims[transB ? 0 : 1];
    Dense layer = new Dense(units, Init.HE_UNIFORM);
    long count = (long) units * inputs + units;
    if (count > ImportGraph.MAX_ELEMENTS) {
      throw g.error(node, "the layer would hold " + count + " parameters, over 2^31");
    }
    float[] w = g.floats(node, 1, wDims);
    float[] params = new float[(int) count];
    if (transB) {
      for (int u = 0; u < units; u++) {
        for (int i = 0; i < inputs; i++) {
          params[u + units * i] = w[u * inputs + i];
        }
      }
    } else {
      System.arraycopy(w, 0, params, 0, w.length);
    }
    String next = node.getOutput(0);
    if (gemm && g.hasInput(node, 2)) {
      System.arraycopy(bias(g, node, 2, units), 0, params, units * inputs, units);
    } else if (!gemm) {
      // MatMul then Add(bias): one dense layer, and the walk continues after the Add.
      List<NodeProto> after = g.consumers(next);
      if (after.size() == 1 && after.get(0).getOpType().equals("Add")
          && after.get(0).getDomain().isEmpty()) {
        NodeProto add = after.get(0);
        g.attributes(add, Set.of());
        int biasInput = add.getInputCount() == 2 && add.getInput(0).equals(next) ? 1 : 0;
        if (add.getInputCount() == 2 && add.getInput(1 - biasInput).equals(next)
            && g.isConstant(add.getInput(biasInput))) {
          System.arraycopy(bias(g, add, biasInput, units), 0, params, units * inputs, units);
          next = add.getOutput(0);
        }
      }
    }
    g.add(layer, params, node);
    return next;
  }

  /** A bias of [units] or [1, units] floats. */
  private static float[] bias(ImportGraph g, NodeProto node, int input, int units) {
    TensorProto t = g.constant(node, input);
    long[] dims = ImportGraph.dims(t);
    if (Arrays.equals(dims, new long[] {1, units})) {
      return g.floats(node, input, 1, units);
    }
    return g.floats(node, input, units);
  }
}
