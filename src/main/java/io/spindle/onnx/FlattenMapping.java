package io.spindle.onnx;

import io.spindle.nn.LayerSpec;
import io.spindle.nn.layers.Flatten;
import io.spindle.onnx.proto.OnnxProto.NodeProto;
import io.spindle.tensor.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * flatten as Flatten(axis = 1) of an [N, C, H, W] value (nothing for a value that is already
 * [N, features]). Import also reads Reshape to [N, features] as a flatten, and a Reshape to
 * [N, C, H, W] that matches the shape Spindle already has as no layer at all.
 */
final class FlattenMapping implements LayerMapping {

  @Override
  public List<Class<? extends LayerSpec>> layers() {
    return List.of(Flatten.class);
  }

  @Override
  public List<String> ops() {
    return List.of("Flatten", "Reshape");
  }

  @Override
  public ExportGraph.Value export(ExportGraph g, LayerSpec layer, ExportGraph.At at,
      ExportGraph.Value in, String name) {
    return g.toRank2(in, name);
  }

  @Override
  public String importNode(ImportGraph g, NodeProto node) {
    if (node.getOpType().equals("Flatten")) {
      long axis = g.attributes(node, Set.of("axis")).i("axis", 1);
      if (axis != 1) {
        throw g.error(node, "axis " + axis + " is not supported; Spindle flattens each example (axis 1)");
      }
      flatten(g, node);
      return node.getOutput(0);
    }
    if (g.attributes(node, Set.of("allowzero")).i("allowzero", 0) != 0) {
      throw g.error(node, "allowzero = 1 is not supported");
    }
    long[] target = g.int64s(node, 1, 8);
    long size = g.shape.size();
    long[] dims = resolve(g, node, target, size);
    if (dims.length == 2) {
      flatten(g, node);
    } else if (dims.length == 4 && g.shape.equals(Shape.of((int) dims[1], (int) dims[2], (int) dims[3]))) {
      g.rank = 4;
    } else {
      throw g.error(node, "reshape to " + Arrays.toString(target) + " changes the layout of the "
          + g.shape + " values Spindle's layers see; only a flatten to [N, features] (or a "
          + "reshape back to " + g.shape + ") is supported");
    }
    return node.getOutput(0);
  }

  private static void flatten(ImportGraph g, NodeProto node) {
    if (g.rank == 4) {
      g.add(new Flatten(), new float[0], node);
    }
    g.rank = 2;
  }

  /**
   * Reshape's target with 0 (copy the input dim) and -1 (infer) resolved; the first dimension
   * must stay the batch: 0, or -1 with the rest fixed to the example's size.
   */
  private static long[] resolve(ImportGraph g, NodeProto node, long[] target, long size) {
    if (target.length != 2 && target.length != 4) {
      throw g.error(node, "reshape to rank " + target.length + " is not supported (2 or 4)");
    }
    long[] in = g.rank == 4 ? new long[] {-1, g.shape.channels(), g.shape.height(), g.shape.width()}
        : new long[] {-1, size};
    long[] out = target.clone();
    int infer = -1;
    long known = 1;
    for (int i = 1; i < out.length; i++) {
      if (out[i] == 0 && i < in.length) {
        out[i] = in[i];
      }
      if (out[i] == -1 && infer < 0) {
        infer = i;
      } else if (out[i] <= 0 || out[i] > size) {
        throw g.error(node, "reshape target " + Arrays.toString(target) + " is not valid for "
            + g.shape);
      } else {
        known *= out[i];
      }
    }
    boolean batchFirst = target[0] == 0 || (target[0] == -1 && infer < 0);
    if (!batchFirst) {
      throw g.error(node, "reshape target " + Arrays.toString(target) + " does not keep the batch "
          + "dimension first (use 0 or -1 there)");
    }
    if (infer > 0) {
      if (known == 0 || size % known != 0) {
        throw g.error(node, "reshape target " + Arrays.toString(target) + " does not fit " + g.shape);
      }
      out[infer] = size / known;
    } else if (known != size) {
      throw g.error(node, "reshape target " + Arrays.toString(target) + " does not fit " + g.shape);
    }
    return out;
  }
}
