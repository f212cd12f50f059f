package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.Residual;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * residual as its inner layers' nodes, the shortcut (nothing, or the block's 1x1 Conv or Gemm
 * projection) and {@code Add(branch, shortcut)}. Import recognises the pattern where a value
 * feeds two nodes: the block's first layer and either the Add itself (identity) or a projection
 * whose only consumer is the Add; the Add's second input is the shortcut (as torch.onnx writes
 * {@code out += identity}).
 */
final class ResidualMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(Residual.class);
  }

  /** Add is read as the end of a block ({@link #importBlock}) or a MatMul's bias (DenseMapping). */
  @Override
  public List<String> ops() {
    return List.of("Add");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    Residual r = (Residual) layer;
    ExportGraph.Value x = in;
    int p = at.param();
    int s = at.state();
    Shape shape = in.shape();
    for (int i = 0; i < r.layers().size(); i++) {
      LayerSpec inner = r.layers().get(i);
      x = OnnxMappings.forLayer(inner).export(g, inner, new ExportGraph.At(p, s), x,
          name + "_" + (i + 1) + "_" + inner.kind().replace('-', '_'));
      p += inner.paramCount(shape);
      s += inner.stateCount(shape);
      shape = inner.outputShape(shape);
    }
    LayerSpec projection = r.projection(in.shape(), shape);
    ExportGraph.Value shortcut = projection == null ? in : OnnxMappings.forLayer(projection)
        .export(g, projection, new ExportGraph.At(p, s), in, name + "_shortcut");
    shortcut = x.rank() == 4 ? g.toRank4(shortcut, name + "_shortcut_reshape")
        : g.toRank2(shortcut, name + "_shortcut_flatten");
    return g.node("Add", name, shape, x.rank(), List.of(x.name(), shortcut.name()));
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    throw g.error(node, "Add is imported as the end of a residual block (Add(branch, shortcut) "
        + "of a value that also feeds the branch) or as the bias of a MatMul, not on its own");
  }

  /**
   * The residual block that starts at {@code value}, which feeds the two nodes {@code next}.
   *
   * @return the block's output (the Add's)
   */
  static String importBlock(ImportGraph g, String value, List<NodeProto> next) {
    NodeProto add = null;
    NodeProto projection = null;
    NodeProto first = null;
    for (int k = 0; k < 2 && add == null; k++) {
      NodeProto c = next.get(k);
      NodeProto other = next.get(1 - k);
      if (isAdd(c) && c.getInputCount() == 2 && c.getInput(1).equals(value)) {
        add = c;
        first = other;
      } else if (!isAdd(c) && c.getOutputCount() >= 1) {
        List<NodeProto> after = g.consumers(c.getOutput(0));
        if (after.size() == 1 && isAdd(after.get(0)) && after.get(0).getInputCount() == 2
            && after.get(0).getInput(1).equals(c.getOutput(0))) {
          add = after.get(0);
          projection = c;
          first = other;
        }
      }
    }
    if (add == null) {
      throw new OnnxFormatException("value " + Onnx.quote(value) + " feeds two nodes ("
          + ImportGraph.describe(next.get(0)) + ", " + ImportGraph.describe(next.get(1))
          + ") that are not a residual block ending in Add(branch, shortcut); Spindle imports "
          + "a chain of layers and residual blocks");
    }
    g.attributes(add, java.util.Set.of());
    Shape in = g.shape;
    ImportGraph branch = g.child();
    branch.walk(value, add.getInput(0), first);
    ImportGraph shortcut = g.child();
    if (projection != null) {
      if (!g.visit(projection)) {
        throw new OnnxFormatException("the graph has a cycle at " + ImportGraph.describe(projection));
      }
      LayerMapping m = OnnxMappings.forOp(projection.getOpType());
      if (m == null) {
        throw g.error(projection, "is not a shortcut Spindle imports (a 1x1 Conv or a Gemm)");
      }
      m.importNode(shortcut, projection);
    }
    if (!g.visit(add)) {
      throw new OnnxFormatException("the graph has a cycle at " + ImportGraph.describe(add));
    }
    Residual.Shortcut kind = projection != null && in.equals(branch.shape)
        ? Residual.Shortcut.PROJECTION : Residual.Shortcut.AUTO;
    if (branch.layers().isEmpty()) {
      throw g.error(add, "the residual branch has no layers");
    }
    Residual block;
    try {
      block = new Residual(branch.layers(), kind);
      LayerSpec expected = block.projection(in, branch.shape);
      boolean matches = expected == null ? shortcut.layers().isEmpty()
          : shortcut.layers().size() == 1
              && expected.equals(shortcut.layers().get(0));
      if (!matches) {
        throw g.error(add, "the shortcut " + (shortcut.layers().isEmpty() ? "(identity)"
            : shortcut.layers().get(0).toString()) + " is not the one Spindle's residual block "
            + "uses from " + in + " to " + branch.shape + " (" + (expected == null ? "identity"
            : "a 1x1 convolution with stride, or a dense layer for vectors") + ")");
      }
    } catch (IllegalArgumentException e) {
      throw g.error(add, e.getMessage());
    }
    float[] bp = branch.flatParams();
    float[] sp = shortcut.flatParams();
    float[] params = Arrays.copyOf(bp, bp.length + sp.length);
    System.arraycopy(sp, 0, params, bp.length, sp.length);
    int rank = branch.rank;
    g.add(block, params, branch.flatState(), add);
    g.rank = rank;
    return add.getOutput(0);
  }

  private static boolean isAdd(NodeProto n) {
    return n.getOpType().equals("Add") && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
  }
}
